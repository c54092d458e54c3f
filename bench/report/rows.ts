/** The figures of one runtime (speechmock and its bare baseline) as table rows, with their targets. */
import type { HandshakeRate } from "../measure/handshake-rate.ts";
import type { HttpLoad } from "../measure/http-load.ts";
import type { StartTime } from "../measure/start-time.ts";
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

export interface Figures {
  start: StartTime;
  idleKiB: number;
  memory?: Memory;
  http: HttpLoad;
  handshakes: HandshakeRate;
}

export function rowsFor(runtime: string, mock: Figures, bare: Figures): Row[] {
  const httpFailed = mock.http.failures + bare.http.failures;
  const hsFailed = mock.handshakes.failures + bare.handshakes.failures;
  const rows: Row[] = [
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
    {
      metric: "start to ready line (median)",
      runtime,
      unit: "ms",
      speechmock: mock.start.medianMs,
      baseline: bare.start.medianMs,
      target: targets.startTime,
    },
    { metric: "start to ready line (best)", runtime, unit: "ms", speechmock: mock.start.bestMs, baseline: bare.start.bestMs },
    { metric: "RSS idle", runtime, unit: "MiB", digits: 1, speechmock: mock.idleKiB / 1024, baseline: bare.idleKiB / 1024 },
  ];
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
  return rows;
}
