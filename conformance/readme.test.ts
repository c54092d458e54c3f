/** conformance/README.md shows the real adapters and every case: checked, so the page cannot drift. */
import { readFileSync } from "node:fs";
import t from "tap";
import { root } from "../test/support/spawn.ts";
import { allCases } from "./cases/index.ts";

const readme = readFileSync(`${root}conformance/README.md`, "utf8");

t.test("the README quotes both adapters exactly as they are", async (t) => {
  for (const file of ["fixtures/clients/reference/adapter.ts", "fixtures/clients/python/adapter.py"]) {
    const source = readFileSync(`${root}${file}`, "utf8");
    t.ok(readme.includes(source), `${file} is quoted verbatim`);
    t.ok(source.split("\n").length <= 60, `${file} stays about 50 lines`);
  }
});

t.test("the README's case table lists every case with its level, in order", async (t) => {
  const rows = [...readme.matchAll(/^\| `([a-z]+(?:\.[a-z0-9-]+)+)` \| (MUST|SHOULD|MAY) \|/gm)].map((m) => [m[1], m[2]]);
  t.same(
    rows,
    allCases.map((c) => [c.id, c.level]),
  );
});
