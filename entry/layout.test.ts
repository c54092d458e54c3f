/**
 * The layout's promises, checked: the mock never imports the suite that grades clients (they meet
 * in entry/), and shipped code never imports test support.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import t from "tap";
import { root } from "../test/support/spawn.ts";

const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)));

/** The repository paths a file imports, relative ones resolved. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) =>
    relative(root, join(root, file, "..", m[1] as string)),
  );
}

t.test("no module of the mock imports the conformance suite", async (t) => {
  const offending = sources("mock-server").flatMap((f) =>
    importsOf(f)
      .filter((i) => i.startsWith("conformance/"))
      .map((i) => `${f} -> ${i}`),
  );
  t.strictSame(offending, []);
});

t.test("no shipped module imports test support", async (t) => {
  const shipped = [...sources("mock-server"), ...sources("conformance"), ...sources("entry")];
  t.ok(shipped.length > 50, `${shipped.length} modules checked`);
  const offending = shipped.flatMap((f) =>
    importsOf(f)
      .filter((i) => i.startsWith("test/"))
      .map((i) => `${f} -> ${i}`),
  );
  t.strictSame(offending, []);
});
