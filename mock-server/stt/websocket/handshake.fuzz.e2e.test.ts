/**
 * Property-based fuzzing of the WebSocket handshake against the real `speechmock serve` under Node
 * and Deno: valid handshakes mutated byte by byte and header by header, with valid and forged
 * credentials (see test/support/fuzz/handshakes.ts). Every request is answered or closed within the
 * deadline, a forged or absent credential never gets a 101, health answers after each batch, the
 * server logs no uncaught error, and a connection opened before the fuzz still closes cleanly.
 * The seed is fixed and printed; FUZZ_SEED and FUZZ_PATH replay a failure. `npm run fuzz` runs the
 * same property for minutes.
 */
import t from "tap";
import { fuzzHandshakes } from "../../../test/support/fuzz/handshakes.ts";
import { formatReport, testOptions } from "../../../test/support/fuzz/run.ts";
import { runtimes, spawnMock } from "../../../test/support/spawn.ts";

/** The budget per runtime: CI runs this file beside the others on two cores. */
const timeLimitMs = 8_000;
const maxBatches = 400;

for (const runtime of runtimes) {
  t.test(`handshakes fuzzed on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => {}));
    const report = await fuzzHandshakes(mock, testOptions(timeLimitMs, maxBatches));
    t.comment(formatReport(report));
    t.ok(report.cases > 0, `${report.cases} handshakes sent (seed ${report.seed})`);
    t.same(report.problems, [], "every property held");
  });
}
