/**
 * Every knob of the bench, from the environment, defaulted so a whole run stays under ~3 minutes,
 * plus the soak (10,000 cycles per runtime: about 30 s on Node and 60 s on Deno, on 2 CPUs).
 */

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Invalid ${name}: ${JSON.stringify(raw)}. Expected a positive number`);
  return value;
}

function runtimeList(raw: string | undefined): ("node" | "deno")[] {
  const names = (raw ?? "node,deno").split(",").map((s) => s.trim());
  for (const name of names) {
    if (name !== "node" && name !== "deno") throw new Error(`Invalid BENCH_RUNTIMES entry ${JSON.stringify(name)}. Expected node or deno`);
  }
  return names as ("node" | "deno")[];
}

/** The parts of the bench, in the order they run; `BENCH_SECTIONS=rest` (or `rest,issueToken`...) runs only those. */
export const sectionNames = [
  "start",
  "memory",
  "issueToken",
  "https",
  "handshakes",
  "tokenHandshakes",
  "rest",
  "tts",
  "speech",
  "soak",
  "conformance",
] as const;
export type Section = (typeof sectionNames)[number];

function sectionList(raw: string | undefined): ReadonlySet<Section> {
  if (raw === undefined || raw.trim() === "") return new Set(sectionNames);
  const names = raw.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!(sectionNames as readonly string[]).includes(name)) {
      throw new Error(`Invalid BENCH_SECTIONS entry ${JSON.stringify(name)}. Expected some of ${sectionNames.join(", ")}`);
    }
  }
  return new Set(names as Section[]);
}

const sessions = Math.round(positive("BENCH_SESSIONS", 1000));

export const config = {
  /** issueToken load per server in all, after a warm-up, split into `rounds` turns with its baseline. */
  httpSeconds: positive("BENCH_SECONDS", 6),
  warmupSeconds: positive("BENCH_WARMUP_SECONDS", 1),
  httpConnections: Math.round(positive("BENCH_CONNECTIONS", 50)),
  /** REST recognitions (remind-me.wav, posted with a key) per server in all, after the warm-up, split the same way. */
  restSeconds: positive("BENCH_REST_SECONDS", 6),
  restConnections: Math.round(positive("BENCH_REST_CONNECTIONS", 20)),
  /**
   * Text to speech per server in all, after the warm-up, split the same way: REST syntheses
   * (autocannon) and WebSocket speaks (one in flight per connection), each on this many connections.
   */
  ttsSeconds: positive("BENCH_TTS_SECONDS", 4.5),
  ttsConnections: Math.round(positive("BENCH_TTS_CONNECTIONS", 20)),
  /** Handshake rate per server in all, after the same warm-up, split the same way. */
  handshakeSeconds: positive("BENCH_HANDSHAKE_SECONDS", 4.5),
  handshakeConcurrency: Math.round(positive("BENCH_HANDSHAKE_CONCURRENCY", 50)),
  /**
   * Handshakes with `Authorization: Bearer <jwt>` (one token fetched once and reused) per server in
   * all, split the same way, against a minimal Hono + jose app verifying the same tokens; the
   * concurrency is BENCH_HANDSHAKE_CONCURRENCY's.
   */
  tokenHandshakeSeconds: positive("BENCH_TOKEN_HANDSHAKE_SECONDS", 4.5),
  /** Turns taken by each server and its baseline (order reversed every turn). */
  rounds: Math.round(positive("BENCH_ROUNDS", 3)),
  /** Start-time samples per server (one more, untimed, warms the caches). */
  startRuns: Math.round(positive("BENCH_START_RUNS", 7)),
  /** Open connections for the memory figure, opened this many at a time. */
  openConnections: Math.round(positive("BENCH_CONNECTIONS_HELD", 5000)),
  connectBatch: Math.round(positive("BENCH_CONNECT_BATCH", 250)),
  /**
   * Speech sessions held open at once per server, each taking two recognition turns per round: one
   * paced (turns started at BENCH_SPEECH_RATE per second: the latency and memory figures), one in a
   * burst where all of them stream at the same moment unless BENCH_SPEECH_STREAMS limits how many
   * stream at a time (the throughput figure).
   */
  sessions,
  speechRate: positive("BENCH_SPEECH_RATE", 250),
  speechStreams: Math.min(sessions, Math.round(positive("BENCH_SPEECH_STREAMS", sessions))),
  /**
   * The soak, on a freshly started speechmock per runtime: this many connect, turn, close cycles,
   * BENCH_SOAK_CONCURRENCY at a time, then a pause of BENCH_SOAK_SETTLE_MS before the last RSS reading.
   * 15 s: V8's memory reducer gives freed heap pages back about 10 s after the load ends (seen on
   * Deno: 215 MiB right after 10,000 cycles, 117 MiB 10 s later; Node 20 keeps them, 156 MiB of
   * RSS for a live heap of about 15 MiB, and 20,000 cycles keep the same, so nothing leaks).
   */
  soakCycles: Math.round(positive("BENCH_SOAK_CYCLES", 10_000)),
  soakConcurrency: Math.round(positive("BENCH_SOAK_CONCURRENCY", 50)),
  soakSettleMs: positive("BENCH_SOAK_SETTLE_MS", 15_000),
  /** Pause before reading resident memory, so the server finishes its work. */
  settleMs: positive("BENCH_SETTLE_MS", 1000),
  runtimes: runtimeList(process.env.BENCH_RUNTIMES),
  sections: sectionList(process.env.BENCH_SECTIONS),
};

export type BenchConfig = typeof config;
