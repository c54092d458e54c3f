/**
 * A hand-made run for the reporters' tests: every outcome, an expected failure, a stale entry,
 * and the same run under --strict, where the NON-STRICT result becomes unexpected.
 */
import type { ClientRecord, ExpectedFailure, RunReport } from "../../conformance/report.ts";
import { type CaseResult, summarize } from "../../conformance/report.ts";

const quietClient: ClientRecord = {
  exitCode: 0,
  signal: null,
  events: [{ event: "token" }, { event: "connected" }, { event: "recognized", status: "Success", text: "Remind me to buy 5 pencils." }],
  stdout: '{"event":"token"}\n{"event":"connected"}\n{"event":"recognized","status":"Success","text":"Remind me to buy 5 pencils."}\n',
  stderr: "",
};

/** 30 numbered log lines: reporters keep only the last 20. */
const longLog = `${Array.from({ length: 30 }, (_, i) => `log line ${i + 1}`).join("\n")}\n`;

const retryEntry: ExpectedFailure = {
  id: "token.retry-429",
  reason: "retries at once instead of waiting Retry-After",
  link: "https://example.com/client/issues/12",
};
const staleEntry: ExpectedFailure = { id: "handshake.connection-id", reason: "reused the connection id" };

export const sampleResults: CaseResult[] = [
  {
    id: "token.post",
    level: "MUST",
    title: "Tokens are requested with POST to /sts/v1.0/issueToken",
    spec: "spec 1: token service URL",
    outcome: "PASS",
    message: "",
    checks: [{ ok: true, what: "the client asked the token service for a token" }],
    expected: true,
    durationMs: 412,
    client: quietClient,
  },
  {
    id: "token.reuse",
    level: "MUST",
    title: "One token serves every connection for 9 minutes",
    spec: "spec 1: token lifetime",
    outcome: "FAIL",
    message: "1 of 2 checks failed",
    checks: [
      { ok: true, what: "the client got a token" },
      { ok: false, what: "one token serves both connections", seen: "3 tokens issued" },
    ],
    expected: false,
    durationMs: 1234,
    client: { ...quietClient, stderr: longLog },
  },
  {
    id: "token.retry-429",
    level: "MUST",
    title: "A 429 waits Retry-After before asking again",
    spec: "spec 1: throttling",
    outcome: "FAIL",
    message: "1 of 1 checks failed",
    checks: [{ ok: false, what: "the second request waits 2 s", seen: "it came after 0.01 s" }],
    expected: true,
    expectedFailure: retryEntry,
    durationMs: 2050,
    client: quietClient,
  },
  {
    id: "token.empty-body",
    level: "SHOULD",
    title: "The token request has an empty body",
    spec: "spec 1: body",
    outcome: "NON-STRICT",
    message: "a SHOULD check failed",
    checks: [{ ok: false, what: "every token request has Content-Length 0", seen: '{"length":"2"}' }],
    expected: true,
    durationMs: 380,
    client: quietClient,
  },
  {
    id: "token.refresh",
    level: "MUST",
    title: "A token is renewed after 9 minutes",
    spec: "spec 1: token lifetime",
    outcome: "SKIPPED",
    message: "the client lacks the capability refresh",
    checks: [],
    expected: true,
    durationMs: 95,
    client: {
      ...quietClient,
      events: [{ event: "unsupported", capability: "refresh" }],
      stdout: '{"event":"unsupported","capability":"refresh"}\n',
    },
  },
  {
    id: "handshake.bearer",
    level: "MUST",
    title: "The handshake carries Authorization: Bearer <token>",
    spec: "spec 2: handshake",
    outcome: "ERROR",
    message: "the client exited with status 1",
    checks: [],
    expected: false,
    durationMs: 640,
    client: {
      exitCode: 1,
      signal: null,
      events: [{ event: "token" }],
      stdout: '{"event":"token"}\n',
      stderr:
        "TypeError: cannot read properties of undefined (reading 'headers')\n    at connect (client.js:41:7)\n    at main (client.js:88:3)\n",
    },
  },
  {
    id: "handshake.connection-id",
    level: "MUST",
    title: "Each connection has a new X-ConnectionId",
    spec: "spec 2: handshake",
    outcome: "PASS",
    message: "",
    checks: [{ ok: true, what: "every connection id is 32 hex digits and new" }],
    expected: true,
    expectedFailure: staleEntry,
    durationMs: 501,
    client: quietClient,
  },
  {
    id: "protocol.close-1000",
    level: "MUST",
    title: "A 1000 close mid-session means reconnect and redo the turn",
    spec: "spec 3: closes",
    outcome: "TIMEOUT",
    message: "the client did not exit within 30 s",
    checks: [],
    expected: false,
    durationMs: 30_000,
    client: {
      exitCode: null,
      signal: "SIGKILL",
      events: [{ event: "token" }, { event: "connected" }],
      stdout: "",
      stderr: "waiting for turn.end\n",
    },
  },
];

export const sampleReport: RunReport = {
  schema: "speechmock.conformance/v1",
  tool: { name: "speechmock", version: "0.1.0" },
  runtime: "node",
  client: "node examples/client.js",
  startedAt: "2025-04-21T12:09:40.250Z",
  durationMs: 35_712,
  strict: false,
  timeScale: 0.01,
  results: sampleResults,
  stale: [staleEntry],
  summary: summarize(sampleResults, [staleEntry]),
  exitCode: 1,
};

/** The same run under --strict: the uncovered NON-STRICT result is no longer acceptable. */
const strictResults = sampleResults.map((r) => (r.outcome === "NON-STRICT" ? { ...r, expected: false } : r));
export const strictSampleReport: RunReport = {
  ...sampleReport,
  strict: true,
  results: strictResults,
  summary: summarize(strictResults, [staleEntry]),
};

/** A run where everything went as expected: nothing to paste, nothing stale. */
const cleanResults = sampleResults.filter((r) => r.expected && r.expectedFailure === undefined);
export const cleanSampleReport: RunReport = {
  ...sampleReport,
  results: cleanResults,
  stale: [],
  summary: summarize(cleanResults, []),
  exitCode: 0,
  durationMs: 1_288,
};
