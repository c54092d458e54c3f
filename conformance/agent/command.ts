/**
 * Launches a client command for one case. `node:child_process` behaves the same on Node and
 * Deno, including process groups: the command runs in its own group, so a timeout kills the
 * client and everything it started (a shell, an interpreter, its children).
 */
import { spawn } from "node:child_process";
import process from "node:process";
import type { ClientRun } from "./client-run.ts";
import { EventCollector } from "./event-collector.ts";

/** Output kept per stream for the report: the end matters most. */
const keepBytes = 64 * 1024;

const keepTail = (text: string) => (text.length > keepBytes ? `…${text.slice(-keepBytes)}` : text);

/** Runs `command` through `/bin/sh -c` with `env` added to the runner's environment. */
export function runCommand(command: string, env: Record<string, string>, timeoutMs: number): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const collector = new EventCollector();
    let stdout = "";
    let stderr = "";
    let pending = "";
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is gone already.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout = keepTail(stdout + chunk);
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) collector.line(line);
    });
    child.stderr.on("data", (chunk: string) => {
      stderr = keepTail(stderr + chunk);
    });
    const finish = (exitCode: number | null, signal: string | null, failure?: string) => {
      clearTimeout(timer);
      if (pending !== "") collector.line(pending);
      killGroup(); // whatever the client left running in the background
      resolve({ exitCode, signal, timedOut, crash: failure, ...collector.result(), stdout, stderr });
    };
    child.on("error", (err) => finish(null, null, `Cannot start ${JSON.stringify(command)}: ${err.message}`));
    child.on("close", (code, signal) => finish(code, signal));
  });
}
