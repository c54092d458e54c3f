/**
 * Authenticated handshakes per second: `concurrency` clients each open a socket, close it as soon
 * as it is open, and start again, for `seconds`. A handshake counts when its socket opens.
 */
import { closeSocket, openSocket } from "./handshake.ts";
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
  /** This process's CPU time per handshake: the `ws` client's share of the same machine. */
  clientCpuUs: number;
}

/** A hard cap on attempts per run, whatever the clock says. */
const maxAttempts = 2_000_000;

export async function runHandshakes(server: { pid: number; url: string }, concurrency: number, seconds: number): Promise<HandshakeSample> {
  const cpuBefore = cpuTimeMs(server.pid);
  const clientBefore = process.cpuUsage();
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  let failures = 0;
  let attempts = 0;
  let firstFailure: string | undefined;
  const client = async () => {
    while (performance.now() < deadline && attempts < maxAttempts) {
      attempts++;
      const attempt = await openSocket(server.url, 5000);
      if (!attempt.ok) {
        failures++;
        firstFailure ??= attempt.why;
        continue;
      }
      if (performance.now() <= deadline) completed++;
      await closeSocket(attempt.ws, 5000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const clientCpu = process.cpuUsage(clientBefore);
  return {
    completed,
    seconds,
    failures,
    firstFailure,
    // Sockets still closing after the deadline add a little CPU that no counted handshake paid for.
    serverCpuMs: cpuTimeMs(server.pid) - cpuBefore,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
  };
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
