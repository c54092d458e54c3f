import t from "tap";
import { sampleReport } from "../../test/support/sample-report.ts";
import { humanReport } from "./human.ts";
import { reporters } from "./index.ts";
import { jsonReport } from "./json.ts";
import { junitReport } from "./junit.ts";
import { tapReport } from "./tap.ts";

t.test("every reporter is there by name, and renders a whole report", async (t) => {
  t.strictSame(Object.keys(reporters), ["human", "tap", "junit", "json"]);
  t.equal(reporters.tap(sampleReport), tapReport(sampleReport));
  t.equal(reporters.junit(sampleReport), junitReport(sampleReport));
  t.equal(reporters.json(sampleReport), jsonReport(sampleReport));
  t.equal(reporters.human(sampleReport), humanReport(sampleReport, { color: false }), "no colour unless asked");
  t.equal(reporters.human(sampleReport, { color: true }), humanReport(sampleReport, { color: true }));
});
