import t from "tap";
import { Parser, type Result } from "tap-parser";
import { cleanSampleReport, sampleReport, sampleResults, strictSampleReport } from "../../test/support/sample-report.ts";
import type { CaseResult, RunReport } from "../report.ts";
import { summarize } from "../report.ts";
import { tapReport } from "./tap.ts";

interface Parsed {
  final: { ok: boolean; count: number; pass: number; fail: number; todo: number; skip: number; failures: unknown[] };
  points: Result[];
  /** Lines the parser could not read as TAP: a YAML block it failed to parse ends up here. */
  extra: string[];
}

function parse(tap: string): Parsed {
  const parser = new Parser();
  const points: Result[] = [];
  const extra: string[] = [];
  let final: Parsed["final"] | undefined;
  parser.on("assert", (r: Result) => points.push(r));
  parser.on("extra", (line: string) => extra.push(line));
  parser.on("complete", (r: Parsed["final"]) => {
    final = r;
  });
  parser.end(tap);
  if (final === undefined) throw new Error("tap-parser never completed");
  return { final, points, extra };
}

const testPoints = (tap: string) => tap.split("\n").filter((line) => /^(not )?ok /.test(line));

t.test("starts with the version and the plan, then one test point per case and per stale entry", async (t) => {
  const tap = tapReport(sampleReport);
  t.strictSame(tap.split("\n").slice(0, 3), ["TAP version 14", "1..9", "# speechmock 0.1.0 conformance on node: node examples/client.js"]);
  t.strictSame(testPoints(tap), [
    "ok 1 - token.post Tokens are requested with POST to /sts/v1.0/issueToken",
    "not ok 2 - token.reuse One token serves every connection for 9 minutes",
    "not ok 3 - token.retry-429 A 429 waits Retry-After before asking again # TODO expected failure: retries at once instead of waiting Retry-After",
    "ok 4 - token.empty-body The token request has an empty body",
    "ok 5 - token.refresh A token is renewed after 9 minutes # SKIP the client lacks the capability refresh",
    "not ok 6 - handshake.bearer The handshake carries Authorization: Bearer <token>",
    "ok 7 - handshake.connection-id Each connection has a new X-ConnectionId",
    "not ok 8 - protocol.close-1000 A 1000 close mid-session means reconnect and redo the turn",
    "not ok 9 - stale expected failure: handshake.connection-id",
  ]);
  t.ok(tap.endsWith("  ...\n"), "ends with a newline after the last block");
});

t.test("parses cleanly with tap-parser, with the counts the run has", async (t) => {
  const { final, points, extra } = parse(tapReport(sampleReport));
  t.strictSame(extra, [], "no line was garbage to the parser");
  t.equal(final.count, 9);
  t.equal(final.pass, 4, "PASS twice, the tolerated NON-STRICT and the SKIPPED");
  t.equal(final.fail, 5, "tap-parser counts the TODO failure here too");
  t.equal(final.todo, 1);
  t.equal(final.skip, 1);
  t.equal(final.failures.length, 4, "a TODO failure does not fail the run");
  t.equal(final.ok, false);
  t.strictSame(
    points.map((p) => p.id),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
});

t.test("a TAP consumer passes the run exactly when speechmock does", async (t) => {
  const coveredOnly = sampleResults.filter((r) => r.outcome === "PASS" || r.expectedFailure?.id === "token.retry-429");
  const reports: [string, RunReport][] = [
    ["sample", sampleReport],
    ["strict", strictSampleReport],
    ["clean", cleanSampleReport],
    ["expected failure only", { ...sampleReport, results: coveredOnly, stale: [], summary: summarize(coveredOnly, []), exitCode: 0 }],
  ];
  for (const [name, report] of reports) {
    const { final, extra } = parse(tapReport(report));
    t.strictSame(extra, [], `${name}: no garbage`);
    t.equal(final.ok, report.exitCode === 0, `${name}: ok is ${report.exitCode === 0}`);
  }
});

t.test("under --strict the NON-STRICT result is a failure, with no TODO", async (t) => {
  const { points } = parse(tapReport(strictSampleReport));
  const point = points.find((p) => p.name.startsWith("token.empty-body"));
  t.equal(point?.ok, false);
  t.equal(point?.todo, false);
  t.equal((point?.diag as { outcome?: string } | null)?.outcome, "NON-STRICT");
});

t.test("diagnostics carry the outcome, the failed checks, how the client ended and the tail of stderr", async (t) => {
  const { points } = parse(tapReport(sampleReport));
  const diag = (n: number) => points[n - 1]?.diag as Record<string, unknown>;
  t.strictSame(diag(2), {
    outcome: "FAIL",
    level: "MUST",
    spec: "spec 1: token lifetime",
    message: "1 of 2 checks failed",
    checks: [{ what: "one token serves both connections", seen: "3 tokens issued" }],
    client: { exitCode: 0, signal: null, stderr: Array.from({ length: 20 }, (_, i) => `log line ${i + 11}`).join("\n") },
  });
  t.equal(points[1]?.time, 1234, "duration_ms becomes the point's time");
  t.match(diag(3), {
    expectedFailure: { reason: "retries at once instead of waiting Retry-After", link: "https://example.com/client/issues/12" },
  });
  t.match(diag(4), { outcome: "NON-STRICT", level: "SHOULD", note: "a SHOULD check failed: this fails the run only with --strict" });
  t.match(diag(5), { outcome: "SKIPPED", message: "the client lacks the capability refresh" });
  t.match(diag(6), { outcome: "ERROR", client: { exitCode: 1, stderr: /^TypeError: .*\n {4}at connect .*\n {4}at main/ } });
  t.match(diag(8), { outcome: "TIMEOUT", client: { exitCode: null, signal: "SIGKILL", stderr: "waiting for turn.end" } });
  t.strictSame(diag(9), {
    message: "the case ran and did not fail: remove this entry from the expected-failures file",
    outcome: "PASS",
    expectedFailure: { reason: "reused the connection id" },
  });
  t.equal(points[0]?.diag, null, "a pass has no block");
  t.equal(points[6]?.diag, null);
});

t.test("names, reasons and diagnostics survive characters TAP and YAML give meaning to", async (t) => {
  const base = sampleResults[1] as CaseResult;
  const tricky: CaseResult[] = [
    { ...base, id: "odd.hash", title: "a # b \\ c {", message: "two\nlines \u001b[31mred\u001b[0m" },
    {
      ...base,
      id: "odd.skip",
      title: "skip # me",
      outcome: "SKIPPED",
      expected: true,
      message: "no # way {",
      client: { ...base.client, stderr: "\u0000nul\n  \u0085next line\n...\n  ...\n---\n\n\ttabbed\r\nend\n" },
    },
    { ...base, id: "odd.stack", client: { ...base.client, stderr: "    at first\n  ...\n      at deeper\n\n" } },
  ];
  const report: RunReport = { ...sampleReport, client: "run\nme", results: tricky, stale: [], summary: summarize(tricky, []) };
  const tap = tapReport(report);
  const control = (c: string) => {
    const n = c.codePointAt(0) ?? 0;
    return (n < 0x20 && c !== "\t" && c !== "\n") || (n >= 0x7f && n <= 0x9f);
  };
  t.strictSame([...tap].filter(control), [], "no raw control characters, even where YAML would read them");
  const { points, extra, final } = parse(tap);
  t.strictSame(extra, []);
  t.equal(final.count, 3);
  t.equal(points[0]?.name, "odd.hash a # b \\ c", "escapes read back; a trailing brace would open a subtest");
  t.equal(points[0]?.buffered, false, "not read as a subtest");
  t.equal(points[0]?.todo, false);
  t.equal(points[1]?.name, "odd.skip skip # me");
  t.equal(points[1]?.skip, "no # way");
  const diags = points.map((p) => p.diag as { message?: string; client: { stderr: string } });
  t.equal(diags[0]?.message, "two\nlines \u001b[31mred\u001b[0m", "YAML keeps the message exactly");
  t.equal(diags[1]?.client.stderr, "\u0000nul\n  \u0085next line\n...\n  ...\n---\n\n\ttabbed\nend");
  t.equal(diags[2]?.client.stderr, "    at first\n  ...\n      at deeper", "leading spaces of the first line are kept");
});
