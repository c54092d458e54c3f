// The conformance cases as subtests of node:test, with the client as an in-process adapter.
// conformance/in-process.test.ts runs this file with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { conformanceCases, runConformanceCase } from "speechmock";
import { referenceClient } from "../../fixtures/clients/reference/in-process.ts";

const wanted = new Set((process.env.CASES ?? "").split(",").filter(Boolean));

for (const c of conformanceCases.filter((c) => wanted.size === 0 || wanted.has(c.id))) {
  test(`${c.id}: ${c.title}`, async () => {
    const result = await runConformanceCase(c, { client: { adapter: referenceClient } });
    assert.equal(result.outcome, "PASS", result.message);
  });
}
