import t from "tap";
import { cleanSampleReport, sampleReport, sampleResults, strictSampleReport } from "../../test/support/sample-report.ts";
import type { CaseResult } from "../report.ts";
import { duration, humanLine, humanReport, humanSummary } from "./human.ts";
import { stripAnsi } from "./text.ts";

const plain = { color: false };
const color = { color: true };
const byId = (id: string) => sampleResults.find((r) => r.id === id) as CaseResult;

t.test("a pass is one line: outcome padded, id, title, duration", async (t) => {
  t.equal(
    humanLine(byId("token.post"), plain),
    "PASS       token.post                     Tokens are requested with POST to /sts/v1.0/issueToken (412 ms)",
  );
});

t.test("a non-pass adds why, indented under the id", async (t) => {
  t.equal(
    humanLine(byId("token.reuse"), plain),
    [
      "FAIL       token.reuse                    One token serves every connection for 9 minutes (1.2 s)",
      "           1 of 2 checks failed",
      "           ✗ one token serves both connections",
      "             seen: 3 tokens issued",
      "           client stderr (last 8 lines):",
      ...Array.from({ length: 8 }, (_, i) => `             log line ${23 + i}`),
    ].join("\n"),
  );
  t.equal(
    humanLine(byId("token.retry-429"), plain).split("\n")[1],
    "           expected failure: retries at once instead of waiting Retry-After",
  );
  t.equal(
    humanLine(byId("token.empty-body"), plain).split("\n").slice(0, 2).join("\n"),
    "NON-STRICT token.empty-body               The token request has an empty body (380 ms)\n           acceptable: this fails the run only with --strict",
  );
  t.equal(
    humanLine(byId("token.refresh"), plain),
    "SKIPPED    token.refresh                  A token is renewed after 9 minutes (95 ms)\n           the client lacks the capability refresh",
  );
  t.equal(
    humanLine(byId("protocol.close-1000"), plain),
    [
      "TIMEOUT    protocol.close-1000            A 1000 close mid-session means reconnect and redo the turn (30.0 s)",
      "           the client did not exit within 30 s",
      "           client stderr (last 1 line):",
      "             waiting for turn.end",
    ].join("\n"),
  );
});

t.test("a crash shows the tail of the client's stderr, where its own account of it is", async (t) => {
  t.match(
    humanLine(byId("handshake.bearer"), plain),
    /client stderr \(last 3 lines\):\n {13}TypeError: cannot read properties of undefined \(reading 'headers'\)\n +at connect/,
  );
  t.notMatch(humanLine(byId("token.empty-body"), plain), /client stderr/, "not under a NON-STRICT");
});

t.test("colour is ANSI only when asked for, and only colour", async (t) => {
  for (const result of sampleResults) {
    t.notMatch(humanLine(result, plain), "\u001b", `${result.id}: no escapes without colour`);
    t.equal(stripAnsi(humanLine(result, color)), humanLine(result, plain), `${result.id}: same text with colour`);
  }
  t.ok(humanLine(byId("token.post"), color).startsWith("\u001b[32mPASS      \u001b[0m token.post  "));
  t.ok(humanLine(byId("token.reuse"), color).startsWith("\u001b[31mFAIL"));
  t.ok(humanLine(byId("token.retry-429"), color).startsWith("\u001b[33mFAIL"), "an expected failure is yellow, not red");
  t.notMatch(humanSummary(sampleReport, plain), "\u001b");
  t.match(humanSummary(sampleReport, color).split("\n").at(-1), /^.\[31m8 cases: .*.\[0m$/, "a failing run's counts are red");
  t.match(humanSummary(cleanSampleReport, color), /^.\[32m3 cases: .*.\[0m$/);
});

t.test("client text cannot move the terminal's cursor or split a line", async (t) => {
  const odd = { ...byId("token.reuse"), title: "a\rb\u001b[2Jc", message: "one\ntwo\u0007" };
  t.strictSame(humanLine(odd, plain).split("\n").slice(0, 3), [
    "FAIL       token.reuse                    a bc (1.2 s)",
    "           one",
    "           two",
  ]);
});

t.test("the summary lists what is unexpected, entries to paste, stale entries, then the counts", async (t) => {
  t.equal(
    humanSummary(sampleReport, plain),
    `Unexpected results (3):
  FAIL       token.reuse  One token serves every connection for 9 minutes
  ERROR      handshake.bearer  The handshake carries Authorization: Bearer <token>
  TIMEOUT    protocol.close-1000  A 1000 close mid-session means reconnect and redo the turn

If these are known failures, add them to the expected-failures file:
[
  { "id": "token.reuse", "reason": "TODO: why this fails", "link": "" },
  { "id": "handshake.bearer", "reason": "TODO: why this fails", "link": "" },
  { "id": "protocol.close-1000", "reason": "TODO: why this fails", "link": "" }
]

Stale expected failures (1): these cases did not fail; remove these from the expected-failures file:
  handshake.connection-id  (reused the connection id)

8 cases: 2 passed, 2 failed, 1 non-strict, 1 skipped, 1 error, 1 timeout (1 expected failure) in 35.7 s`,
  );
});

t.test("the entries to paste are valid JSON, one per unexpected failure; under --strict NON-STRICT is one", async (t) => {
  const pasted = (text: string) => JSON.parse(text.slice(text.indexOf("\n[\n") + 1, text.indexOf("\n]\n") + 2));
  const entries = pasted(humanSummary(strictSampleReport, plain));
  t.strictSame(
    entries.map((e: { id: string }) => e.id),
    ["token.reuse", "token.empty-body", "handshake.bearer", "protocol.close-1000"],
  );
  t.strictSame(entries[0], { id: "token.reuse", reason: "TODO: why this fails", link: "" });
});

t.test("a clean run's summary is just the counts", async (t) => {
  t.equal(humanSummary(cleanSampleReport, plain), "3 cases: 1 passed, 0 failed, 1 non-strict, 1 skipped, 0 errors, 0 timeouts in 1.3 s");
});

t.test("the whole report is every line, a blank line, the summary and a newline", async (t) => {
  const text = humanReport(cleanSampleReport, plain);
  t.ok(text.startsWith("PASS       token.post "));
  t.ok(text.endsWith("\n\n3 cases: 1 passed, 0 failed, 1 non-strict, 1 skipped, 0 errors, 0 timeouts in 1.3 s\n"));
});

t.test("durations read in ms under a second, in seconds from there", async (t) => {
  t.strictSame([0, 999.4, 1000, 1234, 30_000].map(duration), ["0 ms", "999 ms", "1.0 s", "1.2 s", "30.0 s"]);
});

t.test("a failed check shows the journal entries behind it, a few, then how many more", async (t) => {
  const handshake = (seq: number) => ({
    seq,
    at: Date.UTC(2026, 10, 29, 20, 31, 5, 123) + seq,
    wall: 0,
    time: "1970-01-01T00:00:00.000Z",
    type: "handshake" as const,
    decision: "reject" as const,
    status: 403,
    reason: "auth.kid_unknown" as const,
    path: "/speech/recognition/conversation/cognitiveservices/v1",
    region: "westus",
    credential: { kind: "token" as const, source: "header" as const, value: "Bearer eyJhbG…(812)" },
    headers: { authorization: "Bearer eyJhbG…(812)" },
  });
  const base = byId("token.reuse");
  const result: CaseResult = {
    ...base,
    checks: [
      { ok: false, what: "it tries the handshake at most twice", seen: "8 handshakes", journal: [1, 2, 3, 4, 5, 6, 7, 8].map(handshake) },
    ],
  };
  const lines = humanLine(result, plain).split("\n");
  const journal = lines.filter((l) => l.includes("journal: "));
  t.equal(journal.length, 7, "six entries and a line that counts the rest");
  t.match(
    journal[0],
    /^ {13}journal: 20:31:05\.124 #1 handshake decision=reject status=403 reason=auth\.kid_unknown path=\/speech\S+ region=westus credential=\{"kind":"token"/,
  );
  t.notMatch(journal[0], /authorization/, "headers stay in the JSON report");
  t.equal(journal[6]?.trim(), "journal: … 2 more in the JSON report");
  t.equal(lines.filter((l) => l.includes("it tries the handshake at most twice")).length, 1, "each failed check once");
});
