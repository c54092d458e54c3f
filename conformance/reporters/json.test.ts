import t from "tap";
import { sampleReport } from "../../test/support/sample-report.ts";
import { jsonReport } from "./json.ts";

t.test("writes the report as it is, indented by 2 spaces, with a final newline", async (t) => {
  const json = jsonReport(sampleReport);
  t.strictSame(JSON.parse(json), sampleReport);
  t.ok(json.endsWith("}\n"));
  t.notOk(json.endsWith("\n\n"));
  t.strictSame(json.split("\n").slice(0, 5), [
    "{",
    '  "schema": "speechmock.conformance/v1",',
    '  "tool": {',
    '    "name": "speechmock",',
    '    "version": "0.1.0"',
  ]);
});

t.test("an absent expected-failures entry is left out, not written as null", async (t) => {
  const [first] = JSON.parse(jsonReport(sampleReport)).results;
  t.notOk("expectedFailure" in first);
});
