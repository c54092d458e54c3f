/**
 * Authenticated handshakes per second: `concurrency` raw sockets in flight, each sending a canned
 * upgrade request, checking for a 101, closing and starting again, for `seconds`. A handshake counts
 * when its 101 arrives before the deadline; any other answer is a failure, never a handshake. The
 * client is bare `node:net` so its CPU stays small next to the server's on the same machine.
 */
import { type RawOutcome, rawHandshake, rawTarget } from "./handshake.ts";
import { cpuTimeMs } from "./proc.ts";

/** One stretch of handshakes against one server (`url` is its speech WebSocket URL). */
export interface HandshakeSample {
  completed: number;
  seconds: number;
  failures: number;
  firstFailure?: string;
  serverCpuMs: number;
  clientCpuMs: number;
}

export interface HandshakeRate {
  perSecond: number;
  failures: number;
  firstFailure?: string;
  /** The server's CPU time per handshake (open and close), in microseconds. */
  serverCpuUs: number;
  /** This process's CPU time per handshake: the raw client's share of the same machine. */
  clientCpuUs: number;
}

/** A hard cap on attempts per run, whatever the clock says. */
const maxAttempts = 2_000_000;
const timeoutMs = 5000;

/** `server.token`: sent as `Authorization: Bearer <token>` on every handshake instead of the dev key. */
export function runHandshakes(
  server: { pid: number; url: string; token?: string },
  concurrency: number,
  seconds: number,
): Promise<HandshakeSample> {
  const target = rawTarget(server.url, server.token === undefined ? undefined : ["Authorization", `Bearer ${server.token}`]);
  return new Promise((resolve) => {
    const cpuBefore = cpuTimeMs(server.pid);
    const clientBefore = process.cpuUsage();
    const deadline = performance.now() + seconds * 1000;
    let completed = 0;
    let failures = 0;
    let attempts = 0;
    let inFlight = 0;
    let firstFailure: string | undefined;
    const finish = () => {
      if (failures > 0) process.stderr.write(`bench: ${failures} failed handshakes to ${server.url}, first: ${firstFailure}\n`);
      const clientCpu = process.cpuUsage(clientBefore);
      resolve({
        completed,
        seconds,
        failures,
        firstFailure,
        // Sockets still closing after the deadline add a little CPU that no counted handshake paid for.
        serverCpuMs: cpuTimeMs(server.pid) - cpuBefore,
        clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
      });
    };
    const onResult = (outcome: RawOutcome) => {
      if (!outcome.ok) {
        failures++;
        firstFailure ??= outcome.why;
      } else if (performance.now() <= deadline) {
        completed++;
      }
    };
    // Each closed socket starts the next attempt until the deadline; the last one out reports.
    const onDone = () => {
      inFlight--;
      if (!start() && inFlight === 0) finish();
    };
    const start = (): boolean => {
      if (performance.now() >= deadline || attempts >= maxAttempts) return false;
      attempts++;
      inFlight++;
      rawHandshake(target, timeoutMs, onResult, onDone);
      return true;
    };
    for (let i = 0; i < concurrency; i++) start();
    if (inFlight === 0) finish();
  });
}

export function summarizeHandshakes(samples: readonly HandshakeSample[]): HandshakeRate {
  const sum = (f: (s: HandshakeSample) => number) => samples.reduce((acc, s) => acc + f(s), 0);
  const completed = Math.max(
    1,
    sum((s) => s.completed),
  );
  return {
    perSecond: sum((s) => s.completed) / sum((s) => s.seconds),
    failures: sum((s) => s.failures),
    firstFailure: samples.find((s) => s.firstFailure)?.firstFailure,
    serverCpuUs: (sum((s) => s.serverCpuMs) * 1000) / completed,
    clientCpuUs: (sum((s) => s.clientCpuMs) * 1000) / completed,
  };
}
