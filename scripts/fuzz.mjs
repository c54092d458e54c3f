// `npm run fuzz -- --minutes 5 [--runtime node|deno] [--only handshakes|frames] [--seed N --path P]`:
// builds dist/, then runs the fuzz properties (test/support/fuzz/cli.ts, through tsx)
// against the real server for the given minutes. Exits 1 when a property failed.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ["--import=tsx", "test/support/fuzz/cli.ts", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(run.status ?? 1);
