/**
 * Test support: property-based fuzzing of the real `speechmock serve` over raw sockets, shared by
 * the fuzz tests (a bounded budget, in CI) and `npm run fuzz` (minutes, by hand). This file runs a
 * property (handshakes.ts, frames.ts) in batches and checks what must hold after each: the health
 * endpoint answers; at the end the process is alive, its stderr has no uncaught error, and a
 * connection opened before the fuzz still closes cleanly.
 */
import fc from "fast-check";
import { RawWebSocket } from "../raw-websocket.ts";
import type { SpawnedMock } from "../spawn.ts";

export const speechPath = "/speech/recognition/interactive/cognitiveservices/v1?language=en-US";
/** How long a handshake answer may take: past it, the server hangs. */
export const answerDeadlineMs = 3_000;
/** Substrings that mean the server threw where it should not have. */
export const crashMarkers = ["Uncaught", "ReferenceError", "TypeError"] as const;

export interface FuzzOptions {
  /** Caps the number of batches (each batch is a few cases run at once). */
  numRuns?: number;
  /** Stops generating new batches after this long (fast-check's interruptAfterTimeLimit). */
  timeLimitMs?: number;
  seed?: number;
  /** fast-check's counterexample path, to replay one failure. */
  path?: string;
  /** Cases sent at once in a batch (default 6). */
  concurrency?: number;
}

export interface FuzzReport {
  property: "handshakes" | "frames";
  runtime: string;
  seed: number;
  /** Batches run (fast-check runs). */
  runs: number;
  /** Cases (sockets) run. */
  cases: number;
  interrupted: boolean;
  /** What each outcome counted, e.g. `status 401: 37`. */
  outcomes: Record<string, number>;
  /** Empty when every property held. */
  problems: string[];
  /** The shrunk counterexample's error and how to replay it, when the property failed. */
  counterexample?: { error: string; path: string; value: string };
  ms: number;
}

export const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
/** A readable rendering of bytes: JSON-escaped latin1, long runs of one byte elided. */
export function showBytes(bytes: Buffer, max = 4_000): string {
  const s = bytes.toString("latin1").replace(/(.)\1{63,}/gs, (run, ch: string) => `${ch}<…×${run.length}>`);
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…(${bytes.length} bytes)` : s);
}

async function health(mock: SpawnedMock): Promise<string | undefined> {
  try {
    const res = await fetch(`${mock.ready.admin}/health`, { signal: AbortSignal.timeout(answerDeadlineMs) });
    const body = await res.text();
    return res.status === 200 ? undefined : `health answered ${res.status}: ${body}`;
  } catch (err) {
    return `health did not answer: ${(err as Error).message}`;
  }
}

function crashes(mock: SpawnedMock, from: number): string[] {
  const text = mock.stderr().slice(from);
  return crashMarkers.filter((m) => text.includes(m)).map((m) => `stderr has "${m}": ${excerpt(text, m)}`);
}

function excerpt(text: string, marker: string): string {
  const i = text.indexOf(marker);
  return JSON.stringify(text.slice(Math.max(0, i - 300), i + 300));
}

/** The checks after the fuzz: alive, healthy, no crash on stderr, the connection opened first still closes cleanly. */
async function afterwards(mock: SpawnedMock, bystander: RawWebSocket, stderrFrom: number): Promise<string[]> {
  const problems: string[] = [];
  if (mock.child.exitCode !== null || mock.child.signalCode !== null) {
    problems.push(`the server exited (${mock.child.exitCode ?? mock.child.signalCode})`);
  }
  const h = await health(mock);
  if (h) problems.push(h);
  problems.push(...crashes(mock, stderrFrom));
  bystander.send({ opcode: 0x8, payload: new Uint8Array([0x03, 0xe8]) });
  const end = await bystander.ending(answerDeadlineMs);
  bystander.destroy();
  if (end.kind !== "close" || end.code !== 1000) {
    problems.push(`the connection opened before the fuzz did not close 1000: ${JSON.stringify(end)}`);
  }
  return problems;
}

export interface Runner<C> {
  property: FuzzReport["property"];
  arbitrary: fc.Arbitrary<C>;
  /** Runs one case; returns the outcome's label, throws on a property violation. */
  run(mock: SpawnedMock, c: C, ctx: Context): Promise<string>;
  describe(c: C): string;
}

export interface Context {
  key: string;
  token: TokenSource;
  jwks: Record<string, unknown>;
  host: string;
  port: number;
}

/** The mock's valid token, fetched again before it gets old (`npm run fuzz` runs for minutes). */
export class TokenSource {
  #token = "";
  #at = 0;
  constructor(
    private readonly mock: SpawnedMock,
    private readonly key: string,
  ) {}
  async get(): Promise<string> {
    if (this.#token && Date.now() - this.#at < 4 * 60_000) return this.#token;
    const res = await fetch(this.mock.ready.sts, {
      method: "POST",
      headers: { "Ocp-Apim-Subscription-Key": this.key },
      signal: AbortSignal.timeout(answerDeadlineMs),
    });
    if (res.status !== 200) throw new Error(`The token service answered ${res.status}`);
    this.#token = await res.text();
    this.#at = Date.now();
    return this.#token;
  }
}

export async function fuzz<C>(mock: SpawnedMock, runner: Runner<C>, opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const stderrFrom = mock.stderr().length;
  const key = mock.ready.resources.find((r) => r.state === "enabled" && r.region === mock.ready.region)?.keys[0] ?? "";
  const { hostname, port } = new URL(mock.ready.url);
  const ctx: Context = {
    key,
    token: new TokenSource(mock, key),
    jwks: mock.ready.jwks.keys[0] ?? {},
    host: hostname,
    port: Number(port),
  };
  await ctx.token.get();
  const bystander = await RawWebSocket.open(mock);
  const outcomes: Record<string, number> = {};
  let cases = 0;
  const concurrency = opts.concurrency ?? 6;
  // fast-check stops waiting for a run at its time limit; the checks after it wait for that run.
  let inflight: Promise<unknown> = Promise.resolve();
  const property = fc.asyncProperty(fc.array(runner.arbitrary, { minLength: 1, maxLength: concurrency }), async (batch) => {
    const running = Promise.all(batch.map((c) => runner.run(mock, c, ctx)));
    inflight = running.catch(() => {});
    const labels = await running;
    for (const l of labels) outcomes[l] = (outcomes[l] ?? 0) + 1;
    cases += batch.length;
    const h = await health(mock);
    if (h) throw new Error(`After the batch, ${h}`);
    const crashed = crashes(mock, stderrFrom);
    if (crashed.length > 0) throw new Error(crashed.join("\n"));
  });
  const details = await fc.check(property, {
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.path === undefined ? {} : { path: opts.path, endOnFailure: true }),
    numRuns: opts.numRuns ?? (opts.timeLimitMs === undefined ? 100 : Number.MAX_SAFE_INTEGER),
    ...(opts.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: opts.timeLimitMs }),
  });
  await inflight;
  const problems: string[] = [];
  let counterexample: FuzzReport["counterexample"];
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    const value = details.counterexample === null ? "" : details.counterexample[0].map((c) => runner.describe(c)).join("\n");
    counterexample = { error, path: details.counterexamplePath ?? "", value };
    problems.push(`${runner.property} on ${mock.runtime}: ${error}`);
  }
  problems.push(...(await afterwards(mock, bystander, stderrFrom)));
  return {
    property: runner.property,
    runtime: mock.runtime,
    seed: details.seed,
    runs: details.numRuns,
    cases,
    interrupted: details.interrupted,
    outcomes,
    problems,
    ...(counterexample ? { counterexample } : {}),
    ms: Date.now() - started,
  };
}

/** A report as lines: the counts, and each problem with the command that replays it. */
export function formatReport(r: FuzzReport): string {
  const head = `${r.property} on ${r.runtime}: ${r.cases} cases in ${r.runs} batches, ${(r.ms / 1000).toFixed(1)} s, seed ${r.seed}${r.interrupted ? " (stopped at the time limit)" : ""}`;
  const counts = Object.entries(r.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  const lines = [head, `  outcomes: ${counts}`];
  for (const p of r.problems) lines.push(`  PROBLEM: ${p}`);
  if (r.counterexample) {
    lines.push(`  counterexample (shrunk):\n${r.counterexample.value.replace(/^/gm, "    ")}`);
    lines.push(
      `  replay: FUZZ_SEED=${r.seed} FUZZ_PATH=${r.counterexample.path} (or npm run fuzz -- --runtime ${r.runtime} --only ${r.property} --seed ${r.seed} --path ${r.counterexample.path})`,
    );
  }
  return lines.join("\n");
}

/** The seed tests use unless FUZZ_SEED says otherwise; printed with every report. */
export const defaultSeed = 20_261_129;

/** Options for a bounded run in the tests: FUZZ_SEED and FUZZ_PATH replay a failure. */
export function testOptions(timeLimitMs: number, numRuns: number): FuzzOptions {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : defaultSeed;
  return { seed, timeLimitMs, numRuns, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) };
}

/** Characters for random strings: printable ASCII, with some that matter to HTTP. */
const asciiChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
export const asciiString = (maxLength: number) => fc.string({ unit: asciiChar, maxLength });
