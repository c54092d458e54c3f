/**
 * The soak: many short sessions one after another, `concurrency` at a time, each an authenticated
 * speech WebSocket that runs one recognition turn and closes. Resident memory is read before the
 * first (the server idle), right after the last closed, and after a pause: what the server keeps
 * of sessions that are gone.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { rawTarget } from "./handshake.ts";
import { cpuTimeMs, residentKiB } from "./proc.ts";
import { SpeechClient } from "./speech-client.ts";
import type { Clip } from "./speech-turn.ts";
import type { SpeechServer } from "./speech-turns.ts";

export interface SoakOptions {
  cycles: number;
  /** Sessions open at a time. */
  concurrency: number;
  /** The pause after the last session closed, before the last memory reading. */
  settleMs: number;
}

export interface Soak {
  cycles: number;
  /** Cycles whose open, turn and close all went through. */
  completed: number;
  failures: number;
  firstFailure?: string;
  /** Wall time of the cycles, from the first open to the last close. */
  seconds: number;
  /** The server's CPU time per completed cycle, in microseconds. */
  serverCpuUs: number;
  startKiB: number;
  afterKiB: number;
  settledKiB: number;
  settleMs: number;
}

const openTimeoutMs = 10_000;
const turnTimeoutMs = 30_000;
const closeTimeoutMs = 5_000;

export async function runSoak(server: SpeechServer, clip: Clip, options: SoakOptions): Promise<Soak> {
  const { cycles, concurrency, settleMs } = options;
  const target = rawTarget(server.url);
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failures++;
    firstFailure ??= why;
  };
  let completed = 0;
  let next = 0;
  const cycle = async () => {
    const client = await SpeechClient.open(target, clip, server.displayText, openTimeoutMs);
    if (!(client instanceof SpeechClient)) return fail(`open: ${client.ok ? "?" : client.why}`);
    const outcome = await client.turn(turnTimeoutMs);
    await client.close(closeTimeoutMs);
    if (outcome.ok) completed++;
    else fail(`turn: ${outcome.why}`);
  };
  const lane = async () => {
    while (next < cycles) {
      next++;
      await cycle();
    }
  };
  const startKiB = residentKiB(server.pid);
  const cpuBefore = cpuTimeMs(server.pid);
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, cycles) }, lane));
  const seconds = (performance.now() - startedAt) / 1000;
  const serverCpuMs = cpuTimeMs(server.pid) - cpuBefore;
  const afterKiB = residentKiB(server.pid);
  await sleep(settleMs);
  const settledKiB = residentKiB(server.pid);
  if (failures > 0) process.stderr.write(`bench: ${failures} failed soak cycles on ${server.url}, first: ${firstFailure}\n`);
  return {
    cycles,
    completed,
    failures,
    firstFailure,
    seconds,
    serverCpuUs: (serverCpuMs * 1000) / Math.max(1, completed),
    startKiB,
    afterKiB,
    settledKiB,
    settleMs,
  };
}
