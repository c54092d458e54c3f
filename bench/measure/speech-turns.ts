/**
 * Recognition turns on many concurrent sessions. Each round opens `sessions` authenticated
 * connections, `batch` at a time, and holds them all open. Then two phases, each one turn per
 * session, every turn streamed as fast as its socket takes it:
 * - paced: the turns start one after another at `ratePerSecond`, a load the server can sustain,
 *   so the time from end of audio to `turn.end` is the server's answer time, not a queue;
 * - burst: every session streams at the same moment (or `streams` at a time): the throughput.
 * Every turn must complete: one that does not, or that is recognised as the wrong text, fails.
 *
 * Memory is read after the paced phase with every session still open and idle. Only the first
 * round on a freshly started server says what N such sessions cost: later rounds reuse the heap
 * the first one grew, so their growth is near zero whatever a session keeps.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { rawTarget } from "./handshake.ts";
import { cpuTimeMs, residentKiB } from "./proc.ts";
import { SpeechClient, type TurnOutcome } from "./speech-client.ts";
import type { Clip } from "./speech-turn.ts";
import { percentile } from "./stats.ts";

export interface SpeechServer {
  pid: number;
  /** The speech WebSocket URL, query included. */
  url: string;
  /** What the turn must be recognised as; undefined for the bare baseline, which only sends `turn.end`. */
  displayText: string | undefined;
}

export interface SpeechRoundOptions {
  sessions: number;
  /** Turns started per second in the paced phase. */
  ratePerSecond: number;
  /** Sessions streaming at the same time in the burst; `sessions` for all at once. */
  streams: number;
  /** Connections opened at a time. */
  batch: number;
  settleMs: number;
}

/** One round against one server. */
export interface SpeechSample {
  sessions: number;
  completed: number;
  failures: number;
  firstFailure?: string;
  /** Burst turns completed, and the time from the first byte of the first to the end of the last. */
  burstCompleted: number;
  seconds: number;
  /** Paced turns: end of audio to turn.end. */
  latenciesMs: number[];
  serverCpuMs: number;
  clientCpuMs: number;
  /**
   * Resident memory before the sessions were opened, with the first half open and idle after a
   * turn each, and with all of them so.
   */
  beforeKiB: number;
  halfKiB: number;
  halfHeld: number;
  heldKiB: number;
  /** Sessions still open when `heldKiB` was read. */
  held: number;
}

export interface SpeechLoad {
  sessions: number;
  ratePerSecond: number;
  turnsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  firstFailure?: string;
  /** CPU time per completed turn, in microseconds, of the server and of this process. */
  serverCpuUs: number;
  clientCpuUs: number;
  /** Resident memory of the fresh server, idle, and with `held` sessions open and idle after their turn. */
  idleKiB: number;
  heldKiB: number;
  held: number;
  /** What each idle session added from half of them to all of them: the marginal cost of one. */
  perSessionKiB: number;
}

const openTimeoutMs = 10_000;
const turnTimeoutMs = 30_000;
const closeTimeoutMs = 5_000;

/** One turn on each client, started `1 / ratePerSecond` apart; outcomes in the clients' order. */
async function runPaced(clients: readonly SpeechClient[], ratePerSecond: number): Promise<TurnOutcome[]> {
  const startedAt = performance.now();
  return Promise.all(
    clients.map(async (client, i) => {
      const due = startedAt + (i * 1000) / ratePerSecond;
      await sleep(Math.max(0, due - performance.now()));
      return client.turn(turnTimeoutMs);
    }),
  );
}

/** One turn on each client, at most `streams` in flight; outcomes in the clients' order. */
async function runTurns(clients: readonly SpeechClient[], streams: number): Promise<TurnOutcome[]> {
  const outcomes: TurnOutcome[] = [];
  let next = 0;
  const stream = async () => {
    while (next < clients.length) {
      const i = next++;
      outcomes[i] = await (clients[i] as SpeechClient).turn(turnTimeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(streams, clients.length) }, stream));
  return outcomes;
}

/**
 * One round against one server: opens the sessions, runs a turn on each, reads the server's
 * resident memory with all of them still open and idle, then closes them.
 */
export async function runSpeechRound(server: SpeechServer, clip: Clip, options: SpeechRoundOptions): Promise<SpeechSample> {
  const { sessions, streams, batch, settleMs } = options;
  const target = rawTarget(server.url);
  const beforeKiB = residentKiB(server.pid);
  const clients: SpeechClient[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failures++;
    firstFailure ??= why;
  };
  const open = async (count: number) => {
    for (let opened = 0; opened < count; opened += batch) {
      const size = Math.min(batch, count - opened);
      const attempt = () => SpeechClient.open(target, clip, server.displayText, openTimeoutMs);
      for (const result of await Promise.all(Array.from({ length: size }, attempt))) {
        if (result instanceof SpeechClient) clients.push(result);
        else if (!result.ok) fail(`open: ${result.why}`);
      }
    }
  };
  const paced = async (from: number) => {
    for (const outcome of await runPaced(clients.slice(from), options.ratePerSecond)) {
      if (outcome.ok) latenciesMs.push(outcome.latencyMs);
      else fail(`paced: ${outcome.why}`);
    }
    await sleep(settleMs);
  };
  const latenciesMs: number[] = [];
  try {
    // Half the sessions, a paced turn each, then the other half: the memory the second half adds
    // is what an idle session costs, without the heap growth any first burst of work brings.
    const half = Math.floor(sessions / 2);
    await open(half);
    const firstHalf = clients.length;
    const serverBefore = cpuTimeMs(server.pid);
    const clientBefore = process.cpuUsage();
    await paced(0);
    const halfKiB = residentKiB(server.pid);
    const halfHeld = clients.filter((c) => c.isOpen).length;
    const cpuPaused = { server: cpuTimeMs(server.pid), client: process.cpuUsage() };
    await open(sessions - half);
    const cpuResumed = { server: cpuTimeMs(server.pid), client: process.cpuUsage() };
    await paced(firstHalf);
    const heldKiB = residentKiB(server.pid);
    const held = clients.filter((c) => c.isOpen).length;

    for (const client of clients) client.prepareTurn();
    const startedAt = performance.now();
    const burst = await runTurns(clients, streams);
    const seconds = (performance.now() - startedAt) / 1000;
    let burstCompleted = 0;
    for (const outcome of burst) {
      if (outcome.ok) burstCompleted++;
      else fail(`burst: ${outcome.why}`);
    }
    // CPU of the turns only: opening the second half of the sessions is left out.
    const clientUs = (u: NodeJS.CpuUsage) => u.user + u.system;
    const clientCpuMs = (clientUs(process.cpuUsage(clientBefore)) - (clientUs(cpuResumed.client) - clientUs(cpuPaused.client))) / 1000;
    const serverCpuMs = cpuTimeMs(server.pid) - serverBefore - (cpuResumed.server - cpuPaused.server);
    if (failures > 0) process.stderr.write(`bench: ${failures} failed turns on ${server.url}, first: ${firstFailure}\n`);
    return {
      sessions,
      completed: latenciesMs.length + burstCompleted,
      failures,
      firstFailure,
      burstCompleted,
      seconds,
      latenciesMs,
      serverCpuMs,
      clientCpuMs,
      beforeKiB,
      halfKiB,
      halfHeld,
      heldKiB,
      held,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close(closeTimeoutMs)));
    await sleep(settleMs);
  }
}

/**
 * `first`: the round on a freshly started server, which gives the memory figure (and warms the
 * server up); `rounds`: the measured rounds, which give the rest. Failures count in all of them.
 */
export function summarizeSpeech(first: SpeechSample, rounds: readonly SpeechSample[], ratePerSecond: number): SpeechLoad {
  const sum = (f: (s: SpeechSample) => number) => rounds.reduce((acc, s) => acc + f(s), 0);
  const completed = sum((s) => s.completed);
  const latencies = rounds.flatMap((s) => s.latenciesMs);
  return {
    sessions: first.sessions,
    ratePerSecond,
    turnsPerSecond: sum((s) => s.burstCompleted) / sum((s) => s.seconds),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures: first.failures + sum((s) => s.failures),
    firstFailure: [first, ...rounds].find((s) => s.firstFailure)?.firstFailure,
    serverCpuUs: (sum((s) => s.serverCpuMs) * 1000) / Math.max(1, completed),
    clientCpuUs: (sum((s) => s.clientCpuMs) * 1000) / Math.max(1, completed),
    idleKiB: first.beforeKiB,
    heldKiB: first.heldKiB,
    held: first.held,
    perSessionKiB: (first.heldKiB - first.halfKiB) / Math.max(1, first.held - first.halfHeld),
  };
}
