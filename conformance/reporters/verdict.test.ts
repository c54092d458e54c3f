import t from "tap";
import { sampleResults } from "../../test/support/sample-report.ts";
import type { CaseResult } from "../report.ts";
import { printable, stripAnsi, tailLines } from "./text.ts";
import { expectedReason, group, verdict } from "./verdict.ts";

const byId = (id: string) => sampleResults.find((r) => r.id === id) as CaseResult;

t.test("each result gets the verdict its outcome and expectation give", async (t) => {
  t.strictSame(Object.fromEntries(sampleResults.map((r) => [r.id, verdict(r)])), {
    "token.post": "pass",
    "token.reuse": "unexpected",
    "token.retry-429": "expected-failure",
    "token.empty-body": "tolerated",
    "token.refresh": "skip",
    "handshake.bearer": "unexpected",
    "handshake.connection-id": "pass",
    "protocol.close-1000": "unexpected",
  });
  t.equal(verdict({ ...byId("token.empty-body"), expected: false }), "unexpected", "NON-STRICT under --strict");
  const covered = { ...byId("token.empty-body"), expectedFailure: { id: "token.empty-body", reason: "sends {}" } };
  t.equal(verdict(covered), "expected-failure", "an entry counts for a NON-STRICT too");
  t.equal(expectedReason(covered), "sends {}");
});

t.test("a case's group is the first part of its id", async (t) => {
  t.strictSame(["token.reuse", "handshake.forbidden", "solo"].map(group), ["token", "handshake", "solo"]);
});

t.test("the tail of a stream keeps its last lines, without the final newline", async (t) => {
  t.equal(tailLines("", 3), "");
  t.equal(tailLines("\n\n", 3), "");
  t.equal(tailLines("a\nb\n", 3), "a\nb");
  t.equal(tailLines("a\r\nb\r\nc\r\nd\r\n", 3), "b\nc\nd");
});

t.test("terminal escapes are dropped; other control characters become spaces where text must be printable", async (t) => {
  t.equal(stripAnsi("\u001b[1;31mred\u001b[0m \u001b]0;title\u0007x \u001b=y"), "red x y");
  t.equal(printable("a\u0000b\rc\u001b[2Kd\te\nf"), "a b cd\te\nf");
});
