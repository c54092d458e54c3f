/**
 * Runs cases against a client: per case a fresh mock in-process (port 0, its clock scaled), the
 * client launched once, the journal and the client's events judged. Cases share nothing, so
 * they run a few at a time.
 */
import { scaledClock } from "../mock-server/clock.ts";
import type { MockOptions } from "../mock-server/options.ts";
import type { MockServer } from "../mock-server/start.ts";
import type { ClientRun } from "./agent/client-run.ts";
import { runCommand } from "./agent/command.ts";
import { type InProcessClient, runInProcess } from "./agent/in-process.ts";
import { type Case, defaultPlan, type Plan } from "./case.ts";
import { allCases } from "./cases/index.ts";
import { clipDurationMs, clipPath, expectedPhrases, expectedText } from "./clips.ts";
import { type ContractEnv, env } from "./contract.ts";
import { staleEntries } from "./expected-failures.ts";
import { judge } from "./judge.ts";
import type { CaseResult, ExpectedFailure, RunReport } from "./report.ts";
import { isFailure, summarize } from "./report.ts";
import { selectCases } from "./select.ts";

export type ClientSpec = { command: string } | { adapter: InProcessClient };

export interface ConformanceOptions {
  client: ClientSpec;
  /** Starts a mock: the runtime entry point's `startMock`. */
  startMock: (options: MockOptions) => Promise<MockServer>;
  runtime: "node" | "deno";
  version?: string;
  cases?: readonly Case[];
  include?: readonly string[];
  exclude?: readonly string[];
  /** NON-STRICT results (a failed SHOULD) fail the run. */
  strict?: boolean;
  expectedFailures?: readonly ExpectedFailure[];
  /** Wall time per unit of the mock's time (default 0.01: the mock runs 100 times as fast). */
  timeScale?: number;
  /** Wall-clock limit per case, on top of the plan's pauses (default 15 s). */
  caseTimeoutMs?: number;
  /** Cases run at once (default 4). */
  concurrency?: number;
  /** Called as each case finishes, for progress output. */
  onResult?: (result: CaseResult) => void;
}

export const conformanceDefaults = { timeScale: 0.01, caseTimeoutMs: 15_000, concurrency: 4 } as const;

/** A key no resource has: for the cases where the token service must refuse. */
const unknownKey = "0badc0de0badc0de0badc0de0badc0de";

const clientName = (client: ClientSpec) => ("command" in client ? client.command : client.adapter.name);

/**
 * Waits until the mock has seen every connection close, at most a second: a client's last
 * messages (telemetry, then its close) may still be on their way when its process ends.
 */
async function connectionsSettled(mock: MockServer): Promise<void> {
  const giveUpAt = Date.now() + 1000;
  for (;;) {
    const entries = mock.journal.entries((j) => (j.type === "handshake" && j.decision === "accept") || j.type === "close");
    const opened = entries.filter((j) => j.type === "handshake").length;
    if (opened <= entries.length - opened || Date.now() >= giveUpAt) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function runCase(c: Case, options: ConformanceOptions): Promise<CaseResult> {
  const timeScale = (options.timeScale ?? conformanceDefaults.timeScale) * (c.slowdown ?? 1);
  const plan: Plan = { ...defaultPlan, ...c.plan };
  const started = Date.now();
  // The service's processing time, 250 ms of wall time whatever the scale: long enough that a
  // client that does not wait for turn.end is seen sending telemetry or its next turn early, even
  // when a loaded machine delays it (at 100 ms, CI runs saw such a client close in time only sometimes).
  const mock = await options.startMock({ port: 0, clock: scaledClock(1 / timeScale), responseLatencyMs: Math.round(250 / timeScale) });
  let run: ClientRun;
  let stopDuring: (() => void) | undefined;
  try {
    for (const rule of c.setup?.faults ?? []) mock.faults.add(rule);
    stopDuring = c.setup?.during?.(mock);
    const resource = mock.resources.find((r) => r.name === "speechmock-westus") ?? mock.resources[0];
    const startsMs = plan.startsAtMinutes.map((minutes) => Math.round(minutes * 60_000 * timeScale));
    const caseEnv: ContractEnv = {
      [env.caseId]: c.id,
      [env.stsUrl]: mock.sts,
      [env.wsUrl]: `${mock.ws}/speech/recognition/${plan.endpoint}/cognitiveservices/v1?language=en-US`,
      [env.restUrl]: `${mock.url}/speech/recognition/conversation/cognitiveservices/v1?language=en-US`,
      [env.api]: plan.api,
      [env.mode]: plan.mode,
      [env.format]: plan.format,
      [env.pace]: plan.pace,
      [env.task]: plan.task,
      [env.ttsRestUrl]: `${mock.url}/cognitiveservices/v1`,
      [env.ttsWsUrl]: `${mock.ws}/tts/cognitiveservices/websocket/v1`,
      [env.voicesUrl]: `${mock.url}/cognitiveservices/voices/list`,
      [env.text]: plan.text,
      [env.voice]: plan.voice,
      [env.outputFormat]: plan.outputFormat,
      [env.region]: resource?.region ?? mock.region,
      [env.key]: c.setup?.key === "unknown" ? unknownKey : (resource?.keys[0] ?? ""),
      [env.audio]: clipPath(plan.clip),
      [env.sessions]: String(plan.sessions),
      [env.turns]: String(plan.turns),
      [env.startsMs]: startsMs.join(","),
      [env.timeScale]: String(timeScale),
    };
    const timeoutMs = (options.caseTimeoutMs ?? conformanceDefaults.caseTimeoutMs) + Math.max(0, ...startsMs);
    run =
      "command" in options.client
        ? await runCommand(options.client.command, caseEnv, timeoutMs)
        : await runInProcess(options.client.adapter, caseEnv, timeoutMs);
  } finally {
    stopDuring?.();
  }
  await connectionsSettled(mock);
  const journal = mock.journal.entries();
  await mock.close();
  const verdict = judge(c, run, {
    journal,
    events: run.events,
    expectedText: expectedText(plan.clip),
    expectedPhrases: expectedPhrases(plan.clip),
    clipMs: clipDurationMs(plan.clip),
    speed: 1 / timeScale,
  });
  const entry = options.expectedFailures?.find((e) => e.id === c.id);
  const failing = isFailure(verdict.outcome, options.strict ?? false);
  return {
    id: c.id,
    level: c.level,
    title: c.title,
    spec: c.spec,
    ...verdict,
    expected: !failing || entry !== undefined,
    ...(entry && verdict.outcome !== "PASS" && verdict.outcome !== "SKIPPED" ? { expectedFailure: entry } : {}),
    durationMs: Date.now() - started,
    client: { exitCode: run.exitCode, signal: run.signal, events: run.events, stdout: run.stdout, stderr: run.stderr },
  };
}

/** Runs the selected cases and returns the report; it never throws for what a client does. */
export async function runConformance(options: ConformanceOptions): Promise<RunReport> {
  const startedAt = new Date();
  const { cases } = selectCases(options.cases ?? allCases, { include: options.include, exclude: options.exclude });
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const result = await runCase(cases[i] as Case, options);
      results[i] = result;
      options.onResult?.(result);
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? conformanceDefaults.concurrency);
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  const stale = staleEntries(options.expectedFailures ?? [], results);
  const summary = summarize(results, stale);
  return {
    schema: "speechmock.conformance/v1",
    tool: { name: "speechmock", version: options.version ?? "0.0.0" },
    runtime: options.runtime,
    client: clientName(options.client),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    strict: options.strict ?? false,
    timeScale: options.timeScale ?? conformanceDefaults.timeScale,
    results,
    stale,
    summary,
    exitCode: summary.unexpected === 0 ? 0 : 1,
  };
}
