/** What Linux says about a process: resident memory and its open-files limit (from /proc). */
import { readFileSync } from "node:fs";

/** VmRSS of a process, in KiB. */
export function residentKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`No VmRSS line in /proc/${pid}/status`);
  return Number(match[1]);
}

/** The soft and hard "Max open files" of a process (`self` for this one). */
export function openFilesLimit(pid: number | "self"): { soft: number; hard: number } {
  const limits = readFileSync(`/proc/${pid}/limits`, "utf8");
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  const value = (s: string | undefined) => (s === undefined || s === "unlimited" ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: value(match?.[1]), hard: value(match?.[2]) };
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuTimeMs(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th, in clock ticks (100/s on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
