/**
 * `npm run fuzz` (through scripts/fuzz.mjs): the handshake and frame properties (handshakes.ts, frames.ts) against
 * the real `speechmock serve`, for a number of minutes split over the runtimes and properties.
 *
 *   --minutes N          total budget (default 2)
 *   --runtime node|deno  one runtime (default both)
 *   --only handshakes|frames
 *   --seed N, --path P   replay a counterexample a previous run printed
 *
 * Prints a summary per runtime and property and each counterexample with its seed and path;
 * exits 1 when a property failed.
 */
import { parseArgs } from "node:util";
import { type RuntimeName, runtimes, spawnMock } from "../spawn.ts";
import { fuzzFrames } from "./frames.ts";
import { fuzzHandshakes } from "./handshakes.ts";
import { type FuzzReport, formatReport } from "./run.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "2" },
    runtime: { type: "string" },
    only: { type: "string" },
    seed: { type: "string" },
    path: { type: "string" },
  },
});

const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got ${values.minutes}`);
if (values.runtime !== undefined && !runtimes.includes(values.runtime as RuntimeName)) {
  throw new Error(`--runtime must be one of ${runtimes.join(", ")}, got ${values.runtime}`);
}
const properties = { handshakes: fuzzHandshakes, frames: fuzzFrames } as const;
type PropertyName = keyof typeof properties;
if (values.only !== undefined && !(values.only in properties)) {
  throw new Error(`--only must be one of ${Object.keys(properties).join(", ")}, got ${values.only}`);
}
const chosenRuntimes = values.runtime === undefined ? runtimes : [values.runtime as RuntimeName];
const chosenProperties = values.only === undefined ? (Object.keys(properties) as PropertyName[]) : [values.only as PropertyName];
const seed = values.seed === undefined ? (Date.now() ^ (Math.random() * 0x100000000)) >>> 0 : Number(values.seed);

// Each property gets its share of the budget, less a little for starting, checking and stopping.
const overheadMs = 4_000;
const shareMs = Math.max(5_000, (minutes * 60_000) / (chosenRuntimes.length * chosenProperties.length) - overheadMs);

console.log(
  `Fuzzing ${chosenProperties.join(" and ")} on ${chosenRuntimes.join(" and ")} for ${minutes} min (${(shareMs / 1000).toFixed(0)} s each), seed ${seed}`,
);
const reports: FuzzReport[] = [];
for (const runtime of chosenRuntimes) {
  for (const name of chosenProperties) {
    // A fresh server per property, so one property's failure does not blame the next.
    const mock = await spawnMock(runtime);
    try {
      const report = await properties[name](mock, {
        seed,
        timeLimitMs: shareMs,
        numRuns: Number.MAX_SAFE_INTEGER,
        ...(values.path === undefined ? {} : { path: values.path }),
      });
      reports.push(report);
      console.log(formatReport(report));
    } finally {
      const stopped = await mock.stop();
      if (stopped.signal === "SIGKILL") console.log(`  ${runtime} needed SIGKILL to stop`);
    }
  }
}
const failed = reports.filter((r) => r.problems.length > 0);
const cases = reports.reduce((n, r) => n + r.cases, 0);
console.log(`\n${cases} cases, ${failed.length === 0 ? "no problems" : `${failed.length} of ${reports.length} runs had problems`}`);
process.exit(failed.length === 0 ? 0 : 1);
