/** The figures of one runtime (speechmock and its bare baseline) as table rows, with their targets. */
import type { ConformanceTiming } from "../measure/conformance.ts";
import type { HandshakeRate } from "../measure/handshake-rate.ts";
import type { HttpLoad } from "../measure/http-load.ts";
import type { Soak } from "../measure/soak.ts";
import type { SpeechLoad } from "../measure/speech-turns.ts";
import type { StartTime } from "../measure/start-time.ts";
import type { SpeakLoad } from "../measure/tts-speaks.ts";
import type { Row } from "./table.ts";
import { targets } from "./targets.ts";

export interface Memory {
  idleKiB: number;
  heldKiB: number;
  /** Connections still open when the memory was read. */
  held: number;
  failures: number;
  firstFailure?: string;
}

/** What one server's run measured; each part is absent when its section was not run (`BENCH_SECTIONS`). */
export interface Figures {
  start?: StartTime;
  idleKiB?: number;
  memory?: Memory;
  http?: HttpLoad;
  /** issueToken over HTTPS: speechmock with --tls, or the bare node:https server (on both runtimes' rows). */
  https?: HttpLoad;
  handshakes?: HandshakeRate;
  /** Handshakes with a Bearer token; on the baseline's side, the minimal Hono + jose app's figure (not the bare server's). */
  tokenHandshakes?: HandshakeRate;
  rest?: HttpLoad;
  /** Text to speech: REST syntheses, and speaks on the WebSocket. */
  ttsRest?: HttpLoad;
  ttsSpeaks?: SpeakLoad;
  speech?: SpeechLoad;
  /** speechmock only: connect, turn, close cycles on a fresh server. */
  soak?: Soak;
  conformance?: ConformanceTiming;
}

export function rowsFor(runtime: string, mock: Figures, bare: Figures): Row[] {
  const rows: Row[] = [];
  if (mock.http && bare.http) {
    const httpFailed = mock.http.failures + bare.http.failures;
    rows.push(
      {
        metric: "issueToken throughput",
        runtime,
        unit: "req/s",
        speechmock: mock.http.requestsPerSecond,
        baseline: bare.http.requestsPerSecond,
        target: targets.issueTokenRate,
        invalid: httpFailed ? `${httpFailed} failed requests` : undefined,
      },
      { metric: "issueToken p99 latency", runtime, unit: "ms", speechmock: mock.http.p99Ms, baseline: bare.http.p99Ms },
      { metric: "issueToken server CPU", runtime, unit: "us/req", speechmock: mock.http.serverCpuUs, baseline: bare.http.serverCpuUs },
    );
  }
  if (mock.https && bare.https) rows.push(...httpsRows(runtime, mock.https, bare.https));
  if (mock.handshakes && bare.handshakes) {
    const hsFailed = mock.handshakes.failures + bare.handshakes.failures;
    rows.push(
      {
        metric: "handshakes (key auth)",
        runtime,
        unit: "/s",
        speechmock: mock.handshakes.perSecond,
        baseline: bare.handshakes.perSecond,
        target: targets.handshakeRate,
        invalid: hsFailed ? `${hsFailed} failed: ${mock.handshakes.firstFailure ?? bare.handshakes.firstFailure}` : undefined,
      },
      {
        metric: "handshake server CPU",
        runtime,
        unit: "us/hs",
        speechmock: mock.handshakes.serverCpuUs,
        baseline: bare.handshakes.serverCpuUs,
      },
      {
        metric: "handshake client CPU",
        runtime,
        unit: "us/hs",
        speechmock: mock.handshakes.clientCpuUs,
        baseline: bare.handshakes.clientCpuUs,
      },
    );
  }
  if (mock.tokenHandshakes && bare.tokenHandshakes) rows.push(...tokenHandshakeRows(runtime, mock.tokenHandshakes, bare.tokenHandshakes));
  if (mock.rest && bare.rest) rows.push(...restRows(runtime, mock.rest, bare.rest));
  if (mock.ttsRest && bare.ttsRest) rows.push(...ttsRestRows(runtime, mock.ttsRest, bare.ttsRest));
  if (mock.ttsSpeaks && bare.ttsSpeaks) rows.push(...ttsSpeakRows(runtime, mock.ttsSpeaks, bare.ttsSpeaks));
  if (mock.start && bare.start) {
    rows.push(
      {
        metric: "start to ready line (median)",
        runtime,
        unit: "ms",
        speechmock: mock.start.medianMs,
        baseline: bare.start.medianMs,
        target: targets.startTime,
      },
      { metric: "start to ready line (best)", runtime, unit: "ms", speechmock: mock.start.bestMs, baseline: bare.start.bestMs },
    );
  }
  if (mock.idleKiB !== undefined && bare.idleKiB !== undefined) {
    rows.push({ metric: "RSS idle", runtime, unit: "MiB", digits: 1, speechmock: mock.idleKiB / 1024, baseline: bare.idleKiB / 1024 });
  }
  const m = mock.memory;
  const b = bare.memory;
  if (m && b) {
    const failed = m.failures + b.failures;
    const invalid = failed ? `${failed} connections failed: ${m.firstFailure ?? b.firstFailure}` : undefined;
    rows.push(
      {
        metric: `RSS with ${m.held}/${b.held} open conns`,
        runtime,
        unit: "MiB",
        digits: 1,
        speechmock: m.heldKiB / 1024,
        baseline: b.heldKiB / 1024,
        invalid,
      },
      {
        metric: "RSS per open connection",
        runtime,
        unit: "KiB",
        digits: 1,
        speechmock: (m.heldKiB - m.idleKiB) / m.held,
        baseline: (b.heldKiB - b.idleKiB) / b.held,
        target: runtime === "node" ? targets.perConnectionKiB : undefined,
        invalid,
      },
    );
  }
  if (mock.speech && bare.speech) rows.push(...speechRows(runtime, mock.speech, bare.speech));
  if (mock.soak) rows.push(...soakRows(runtime, mock.soak));
  const c = mock.conformance;
  if (c) {
    rows.push({
      metric: `conformance suite, ${c.cases} cases, reference client`,
      runtime,
      unit: "s",
      digits: 1,
      speechmock: c.suiteSeconds,
      baseline: c.launchSeconds,
      target: targets.conformanceSeconds,
      invalid: c.exitCode !== 0 || c.passed !== c.cases ? `${c.cases - c.passed} cases did not pass (exit ${c.exitCode})` : undefined,
    });
  }
  return rows;
}

/** Issue 12: issueToken over HTTPS, speechmock --tls against a bare node:https server with the same certificate. */
function httpsRows(runtime: string, m: HttpLoad, b: HttpLoad): Row[] {
  const failed = m.failures + b.failures;
  const invalid = failed ? `${failed} failed requests` : undefined;
  return [
    {
      metric: "issueToken over HTTPS throughput, vs node:https",
      runtime,
      unit: "req/s",
      speechmock: m.requestsPerSecond,
      baseline: b.requestsPerSecond,
      invalid,
    },
    { metric: "issueToken over HTTPS p99 latency", runtime, unit: "ms", speechmock: m.p99Ms, baseline: b.p99Ms, invalid },
    { metric: "issueToken over HTTPS server CPU", runtime, unit: "us/req", speechmock: m.serverCpuUs, baseline: b.serverCpuUs, invalid },
  ];
}

/** Issue 10: handshakes with `Authorization: Bearer <jwt>`, against a minimal Hono + jose app verifying the same tokens. */
function tokenHandshakeRows(runtime: string, m: HandshakeRate, j: HandshakeRate): Row[] {
  const failed = m.failures + j.failures;
  const invalid = failed ? `${failed} failed: ${m.firstFailure ?? j.firstFailure}` : undefined;
  return [
    {
      metric: "handshakes (token auth), vs Hono+jose",
      runtime,
      unit: "/s",
      speechmock: m.perSecond,
      baseline: j.perSecond,
      target: targets.tokenHandshakeRatio,
      invalid,
    },
    {
      metric: "token handshake server CPU, vs Hono+jose",
      runtime,
      unit: "us/hs",
      speechmock: m.serverCpuUs,
      baseline: j.serverCpuUs,
      invalid,
    },
  ];
}

/** Issue 10: Deno's token handshake rate against Node's, both speechmock, when both runtimes ran. */
export function tokenHandshakesAcrossRuntimes(node: Figures | undefined, deno: Figures | undefined): Row[] {
  const n = node?.tokenHandshakes;
  const d = deno?.tokenHandshakes;
  if (!n || !d) return [];
  const failed = n.failures + d.failures;
  return [
    {
      metric: "handshakes (token auth), Deno vs Node",
      runtime: "deno/node",
      unit: "/s",
      speechmock: d.perSecond,
      baseline: n.perSecond,
      target: targets.tokenHandshakesDenoVsNode,
      invalid: failed ? `${failed} failed handshakes` : undefined,
    },
  ];
}

/** Issue 10: connect, turn, close cycles; the baseline column is speechmock's own RSS at the start (idle). */
function soakRows(runtime: string, s: Soak): Row[] {
  const invalid = s.failures ? `${s.failures} failed cycles: ${s.firstFailure}` : undefined;
  const settle = `${(s.settleMs / 1000).toLocaleString("en-US")} s`;
  return [
    {
      metric: `soak: ${s.cycles} connect-turn-close cycles failed`,
      runtime,
      unit: "",
      speechmock: s.failures,
      baseline: 0,
      target: targets.turnsFailed,
    },
    {
      metric: "soak: cycles per second",
      runtime,
      unit: "/s",
      speechmock: s.completed / s.seconds,
      baseline: Number.NaN,
      invalid,
    },
    { metric: "soak: server CPU", runtime, unit: "us/cycle", speechmock: s.serverCpuUs, baseline: Number.NaN, invalid },
    {
      metric: "soak: RSS right after the last close, vs start",
      runtime,
      unit: "MiB",
      digits: 1,
      speechmock: s.afterKiB / 1024,
      baseline: s.startKiB / 1024,
      invalid,
    },
    {
      metric: `soak: RSS ${settle} after, vs start`,
      runtime,
      unit: "MiB",
      digits: 1,
      speechmock: s.settledKiB / 1024,
      baseline: s.startKiB / 1024,
      target: targets.soakSettledRss,
      invalid,
    },
    {
      metric: `soak: RSS kept per cycle ((${settle} after - start) / cycles)`,
      runtime,
      unit: "KiB",
      digits: 2,
      speechmock: (s.settledKiB - s.startKiB) / s.cycles,
      baseline: Number.NaN,
      invalid,
    },
  ];
}

/** The REST API for short audio: remind-me.wav posted with a key, against a server that reads the same body and answers a fixed JSON. */
function restRows(runtime: string, m: HttpLoad, b: HttpLoad): Row[] {
  const failed = m.failures + b.failures;
  const invalid = failed ? `${failed} failed requests` : undefined;
  return [
    {
      metric: "REST recognitions per second",
      runtime,
      unit: "req/s",
      speechmock: m.requestsPerSecond,
      baseline: b.requestsPerSecond,
      invalid,
    },
    { metric: "REST recognition p99 latency", runtime, unit: "ms", speechmock: m.p99Ms, baseline: b.p99Ms, invalid },
    { metric: "REST recognition server CPU", runtime, unit: "us/req", speechmock: m.serverCpuUs, baseline: b.serverCpuUs, invalid },
  ];
}

/** Issue 14: REST syntheses, against a server that reads the same body and streams as many bytes in the same chunks. */
function ttsRestRows(runtime: string, m: HttpLoad, b: HttpLoad): Row[] {
  const failed = m.failures + b.failures;
  const invalid = failed ? `${failed} failed requests` : undefined;
  return [
    {
      metric: "TTS REST syntheses per second",
      runtime,
      unit: "req/s",
      speechmock: m.requestsPerSecond,
      baseline: b.requestsPerSecond,
      target: targets.ttsRestRate,
      invalid,
    },
    { metric: "TTS REST synthesis p99 latency", runtime, unit: "ms", speechmock: m.p99Ms, baseline: b.p99Ms, invalid },
    { metric: "TTS REST synthesis server CPU", runtime, unit: "us/req", speechmock: m.serverCpuUs, baseline: b.serverCpuUs, invalid },
  ];
}

/** Issue 14: speaks on the TTS WebSocket, against a server answering one message with as many binary frames and bytes. */
function ttsSpeakRows(runtime: string, m: SpeakLoad, b: SpeakLoad): Row[] {
  const failed = m.failures + b.failures;
  const invalid = failed ? `${failed} failed speaks: ${m.firstFailure ?? b.firstFailure}` : undefined;
  return [
    {
      metric: "TTS WebSocket speaks per second",
      runtime,
      unit: "/s",
      speechmock: m.perSecond,
      baseline: b.perSecond,
      target: targets.ttsSpeakRate,
      invalid,
    },
    { metric: "TTS speaks failed", runtime, unit: "", speechmock: m.failures, baseline: b.failures, target: targets.turnsFailed },
    { metric: "TTS speak p99 latency (send to turn.end)", runtime, unit: "ms", digits: 1, speechmock: m.p99Ms, baseline: b.p99Ms, invalid },
    { metric: "TTS speak server CPU", runtime, unit: "us/speak", speechmock: m.serverCpuUs, baseline: b.serverCpuUs, invalid },
    { metric: "TTS speak client CPU", runtime, unit: "us/speak", speechmock: m.clientCpuUs, baseline: b.clientCpuUs, invalid },
  ];
}

/** Issue 3: recognition turns on many concurrent sessions, against a server that reads the same frames and answers once. */
function speechRows(runtime: string, m: SpeechLoad, b: SpeechLoad): Row[] {
  const failed = m.failures + b.failures;
  const invalid = failed ? `${failed} failed turns: ${m.firstFailure ?? b.firstFailure}` : undefined;
  return [
    {
      metric: `speech turns, ${m.sessions} sessions, burst`,
      runtime,
      unit: "turns/s",
      speechmock: m.turnsPerSecond,
      baseline: b.turnsPerSecond,
      invalid,
    },
    { metric: "speech turns failed", runtime, unit: "", speechmock: m.failures, baseline: b.failures, target: targets.turnsFailed },
    {
      metric: `end of audio to turn.end p50, ${m.ratePerSecond}/s`,
      runtime,
      unit: "ms",
      digits: 1,
      speechmock: m.p50Ms,
      baseline: b.p50Ms,
      invalid,
    },
    {
      metric: `end of audio to turn.end p99, ${m.ratePerSecond}/s`,
      runtime,
      unit: "ms",
      digits: 1,
      speechmock: m.p99Ms,
      baseline: b.p99Ms,
      target: targets.turnEndP99,
      invalid,
    },
    { metric: "speech server CPU", runtime, unit: "us/turn", speechmock: m.serverCpuUs, baseline: b.serverCpuUs, invalid },
    { metric: "speech client CPU", runtime, unit: "us/turn", speechmock: m.clientCpuUs, baseline: b.clientCpuUs, invalid },
    {
      metric: `RSS with ${m.held}/${b.held} sessions after a turn`,
      runtime,
      unit: "MiB",
      digits: 1,
      speechmock: m.heldKiB / 1024,
      baseline: b.heldKiB / 1024,
      invalid,
    },
    {
      metric: "RSS per idle session after a turn",
      runtime,
      unit: "KiB",
      digits: 1,
      speechmock: m.perSessionKiB,
      baseline: b.perSessionKiB,
      target: targets.perIdleSessionKiB,
      invalid,
    },
    {
      metric: "RSS growth / sessions, heap growth included",
      runtime,
      unit: "KiB",
      digits: 1,
      speechmock: (m.heldKiB - m.idleKiB) / m.held,
      baseline: (b.heldKiB - b.idleKiB) / b.held,
      invalid,
    },
  ];
}
