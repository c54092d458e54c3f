/**
 * Test support: the real `speechmock` command as a child process, under Node or Deno.
 * Black-box tests talk to it over real sockets and read its ready line and JSON logs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

export type RuntimeName = "node" | "deno";
export const runtimes: readonly RuntimeName[] = ["node", "deno"];

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const denoBin = `${root}node_modules/deno/deno`;

export interface ReadyLine {
  event: "ready";
  runtime: RuntimeName;
  pid: number;
  url: string;
  /** The address bound; `network`: the URLs of the machine's other addresses, when it is every address. */
  host: string;
  network?: string[];
  sts: string;
  ws: string;
  admin: string;
  region: string;
  resources: { name: string; region: string; tier: "F0" | "S0"; state: string; keys: [string, string] }[];
  jwks: { keys: Record<string, unknown>[] };
}

/**
 * The command line that runs `speechmock <args>` on a runtime, as a user would: the bundles in
 * dist/ (`npm test` builds them first), as `npm start` and `deno task start` run them.
 */
export function commandFor(runtime: RuntimeName, args: readonly string[]): [string, string[]] {
  return runtime === "node"
    ? [process.execPath, [`${root}bin/speechmock.js`, ...args]]
    : [
        denoBin,
        [
          "run",
          "--allow-net",
          "--allow-read",
          "--allow-env",
          "--allow-write",
          "--allow-run",
          "--allow-sys=networkInterfaces",
          "--unstable-no-legacy-abort",
          `${root}dist/cli.deno.mjs`,
          ...args,
        ],
      ];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the command to completion (for flags and fixtures that must be refused). */
export async function runCommand(
  runtime: RuntimeName,
  args: readonly string[],
  timeoutMs = 20_000,
  env: Record<string, string> = {},
): Promise<CliResult> {
  const [cmd, argv] = commandFor(runtime, args);
  const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  // "close", not "exit": it comes once stdout and stderr are read to the end, so no output is lost.
  const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

export interface SpawnedMock {
  runtime: RuntimeName;
  ready: ReadyLine;
  child: ChildProcess;
  /** Every JSON log line written to stderr so far. */
  logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and resolves with how the process ended and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Starts `speechmock serve --port 0 <extra>` and resolves once its ready line is read. */
export async function spawnMock(
  runtime: RuntimeName,
  extra: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<SpawnedMock> {
  const [cmd, argv] = commandFor(runtime, ["serve", "--port", "0", ...extra]);
  const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }>();
  let stderr = "";
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      logs.push(parsed);
      for (const w of waiters) {
        if (w.match(parsed)) {
          waiters.delete(w);
          w.resolve(parsed);
        }
      }
    }
  });
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl !== -1) {
        child.stdout?.off("data", onData);
        try {
          resolve(JSON.parse(out.slice(0, nl)) as ReadyLine);
        } catch (err) {
          reject(new Error(`The first stdout line is not JSON: ${out.slice(0, nl)}`, { cause: err }));
        }
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`speechmock exited with ${code} before its ready line: ${stderr}`)));
  });
  return {
    runtime,
    ready,
    child,
    logs,
    stderr: () => stderr,
    waitForLog(match, timeoutMs = 5_000) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`No matching log line within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs).unref();
      });
    },
    async stop(signal = "SIGTERM") {
      const started = performance.now();
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, signal: child.signalCode, ms: 0 };
      }
      const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      const closed = once(child, "close");
      child.kill(signal);
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      const [code, sig] = await exited;
      const ms = performance.now() - started;
      clearTimeout(killer);
      // Its last log lines may still be in the pipe when it exits: read them before returning.
      await closed;
      return { code, signal: sig, ms };
    },
  };
}

/**
 * Resolves once every log line the mock wrote before now has been read: the mock logs requests in
 * order, so seeing a fresh request's handshake line means all earlier lines (an SDK's retries,
 * a socket's close) are in.
 */
export async function logsSettled(mock: SpawnedMock): Promise<void> {
  const sentinel = randomUUID().replaceAll("-", "");
  const ws = new WebSocket(
    `${mock.ready.ws}/speech/recognition/interactive/cognitiveservices/v1?language=en-US&X-ConnectionId=${sentinel}`,
  );
  ws.on("error", () => {});
  ws.on("unexpected-response", (req) => req.destroy());
  try {
    await mock.waitForLog((l) => l.event === "handshake" && l.connectionId === sentinel);
  } finally {
    ws.terminate();
  }
}
