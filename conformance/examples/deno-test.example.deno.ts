// The conformance cases as `deno test` steps, with the client as an in-process adapter.
// conformance/in-process.test.ts runs this file with `deno test`.
import { conformanceCases, runConformanceCase } from "speechmock";
import { referenceClient } from "../../fixtures/clients/reference/in-process.ts";

const wanted = new Set((Deno.env.get("CASES") ?? "").split(",").filter(Boolean));

Deno.test("speechmock conformance", async (t) => {
  for (const c of conformanceCases.filter((c) => wanted.size === 0 || wanted.has(c.id))) {
    await t.step(`${c.id}: ${c.title}`, async () => {
      const result = await runConformanceCase(c, { client: { adapter: referenceClient } });
      if (result.outcome !== "PASS") throw new Error(`${result.outcome}: ${result.message}`);
    });
  }
});
