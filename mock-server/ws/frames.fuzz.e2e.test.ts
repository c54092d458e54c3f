/**
 * Property-based fuzzing of WebSocket frames against the real `speechmock serve` under Node and
 * Deno: after a valid handshake, sequences of arbitrary frames (any opcode, RSV bits, unmasked,
 * lying lengths, invalid UTF-8, fragments, control frames, corrupted speech protocol messages; see
 * test/support/fuzz/frames.ts). Each connection ends with a close frame of an expected code, never
 * 1011, or stays open; health answers after each batch, the server logs no uncaught error, and a
 * connection opened before the fuzz still closes cleanly. The seed is fixed and printed; FUZZ_SEED
 * and FUZZ_PATH replay a failure. `npm run fuzz` runs the same property for minutes.
 */
import t from "tap";
import { fuzzFrames } from "../../test/support/fuzz/frames.ts";
import { formatReport, testOptions } from "../../test/support/fuzz/run.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";

/** The budget per runtime: CI runs this file beside the others on two cores. */
const timeLimitMs = 8_000;
const maxBatches = 400;

for (const runtime of runtimes) {
  t.test(`frames fuzzed on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => {}));
    const report = await fuzzFrames(mock, testOptions(timeLimitMs, maxBatches));
    t.comment(formatReport(report));
    t.ok(report.cases > 0, `${report.cases} frame sequences sent (seed ${report.seed})`);
    t.same(report.problems, [], "every property held");
  });
}
