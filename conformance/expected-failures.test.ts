import t from "tap";
import { MockError } from "../mock-server/errors.ts";
import { allCases } from "./cases/index.ts";
import { entryFor, parseExpectedFailures, staleEntries } from "./expected-failures.ts";
import type { CaseResult, Outcome } from "./report.ts";

const parse = (text: string) => parseExpectedFailures(text, "x.json", allCases);

t.test("a valid file parses to its entries", async (t) => {
  t.same(parse('[{"id":"token.reuse","reason":"fetches per connection","link":"https://example.com/1"}]'), [
    { id: "token.reuse", reason: "fetches per connection", link: "https://example.com/1" },
  ]);
  t.same(parse("[]"), []);
});

t.test("each problem names the file, the JSON path and what was expected", async (t) => {
  const bad: [string, RegExp][] = [
    ["{", /^x\.json: not valid JSON/],
    ['{"id":"token.reuse"}', /^x\.json: at \$: .*Expected an array of/],
    ['[{"id":"token.reuse"}]', /^x\.json: at \$\[0\]\.reason: /],
    ['[{"id":"token.reuse","reason":""}]', /at \$\[0\]\.reason: Expected a reason/],
    ['[{"id":"Token Reuse","reason":"r"}]', /at \$\[0\]\.id: Expected a case id such as token\.reuse/],
    ['[{"id":"token.reuse","reason":"r","why":1}]', /at \$\[0\]: .*why/],
    ['[{"id":"token.nope","reason":"r"}]', /at \$\[0\]\.id: no case has the id "token\.nope"/],
    ['[{"id":"token.reuse","reason":"a"},{"id":"token.reuse","reason":"b"}]', /at \$\[1\]\.id: "token\.reuse" is listed twice/],
  ];
  for (const [text, message] of bad) {
    try {
      parse(text);
      t.fail(`accepted: ${text}`);
    } catch (err) {
      t.ok(err instanceof MockError && err.code === "ERR_EXPECTATIONS_INVALID", text);
      t.match((err as Error).message, message, text);
    }
  }
});

const result = (id: string, outcome: Outcome) => ({ id, outcome, message: "why" }) as CaseResult;

t.test("an entry is stale when its case ran and passed or was skipped, not when it failed or did not run", async (t) => {
  const entries = ["token.post", "token.reuse", "token.refresh", "token.quota", "token.hung"].map((id) => ({ id, reason: "r" }));
  const results = [
    result("token.post", "PASS"),
    result("token.reuse", "NON-STRICT"),
    result("token.refresh", "FAIL"),
    result("token.quota", "SKIPPED"),
  ];
  t.same(
    staleEntries(entries, results).map((e) => e.id),
    ["token.post", "token.quota"],
  );
});

t.test("a ready-to-paste entry carries the id and the failure", async (t) => {
  t.same(entryFor(result("token.refresh", "FAIL")), { id: "token.refresh", reason: "TODO: why it fails (why)", link: "" });
});
