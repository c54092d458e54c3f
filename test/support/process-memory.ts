/** Test support: a process's resident set, in MiB, from /proc (Linux). */
import { readFileSync } from "node:fs";

export const rssMiB = (pid: number): number => {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1]) / 1024;
};
