/**
 * Spawned servers: each one is registered the moment it starts and killed when the bench ends,
 * however it ends (normal exit, exception, Ctrl-C).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

const live = new Set<ChildProcess>();

export interface Started {
  child: ChildProcess;
  pid: number;
  /** The first stdout line, parsed: speechmock's ready line or a baseline's `{"url":...}`. */
  ready: { url: string };
  /** Milliseconds from `spawn()` to the first complete stdout line. */
  readyMs: number;
}

/** Spawns `command args` and resolves once its first stdout line is read (or rejects after `timeoutMs`). */
export function startProcess(command: string, args: readonly string[], cwd: string, timeoutMs = 20_000): Promise<Started> {
  const startedAt = performance.now();
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")}: ${why}\n${stderrTail}`));
    };
    const timer = setTimeout(() => fail(`no ready line within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl === -1) return;
      const readyMs = performance.now() - startedAt;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stdout?.resume(); // keep draining so the child never blocks on a full pipe
      child.off("exit", onExit);
      try {
        resolve({ child, pid: child.pid as number, ready: JSON.parse(out.slice(0, nl)), readyMs });
      } catch {
        fail(`first stdout line is not JSON: ${out.slice(0, nl)}`);
      }
    };
    const onExit = (code: number | null) => fail(`exited with ${code} before its ready line`);
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", (err) => fail(err.message));
  });
}

/** Ends one process: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills whatever is still running, synchronously, so it also works from an `exit` handler. */
export function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
