// Runs the tap suite, then prints the one closing line CI reads: "N passed, N failed".
// The counts are the top-level tests of every test file, read back from tap's saved results.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Parser } from "tap-parser";

const resultsDir = ".tap/test-results";
rmSync(resultsDir, { recursive: true, force: true });
const run = spawnSync("npx", ["tap", ...process.argv.slice(2)], { stdio: "inherit" });

let passed = 0;
let failed = 0;
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
let files = [];
try {
  files = walk(resultsDir).filter((f) => f.endsWith(".tap"));
} catch {
  // No results at all: tap failed before running a file; its exit status says so.
}
for (const file of files) {
  const parser = new Parser();
  parser.on("complete", (r) => {
    passed += r.pass - (r.skip ?? 0) - (r.todo ?? 0);
    failed += r.fail;
    // A file that crashed before its plan ended has failed even if no assertion did.
    if (!r.ok && r.fail === 0) failed += 1;
  });
  parser.end(readFileSync(file, "utf8"));
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(run.status ?? 1);
