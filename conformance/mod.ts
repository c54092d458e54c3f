/**
 * The conformance suite from code: run every case, or each case as a subtest of your own test
 * runner, with your client as a command or as an in-process adapter. The runtime entry points
 * (`speechmock` on Node and Deno) bind these to their own `startMock`.
 */
import type { Case } from "./case.ts";
import { type ConformanceOptions, runCase, runConformance } from "./run.ts";

export type { InProcessClient } from "./agent/in-process.ts";
export type { Case, Check, Level } from "./case.ts";
export { allCases as conformanceCases } from "./cases/index.ts";
export { type Capability, type ClientEvent, type ContractEnv, clientEvent, type ErrorKind, env as contractEnv } from "./contract.ts";
export { parseExpectedFailures } from "./expected-failures.ts";
export type { CaseResult, ExpectedFailure, Outcome, RunReport } from "./report.ts";
export { jsonReport } from "./reporters/json.ts";
export { junitReport } from "./reporters/junit.ts";
export { tapReport } from "./reporters/tap.ts";
export type { ClientSpec, ConformanceOptions } from "./run.ts";

/** Options of the bound functions: everything but the runtime, which the entry point supplies. */
export type ConformOptions = Omit<ConformanceOptions, "startMock" | "runtime">;

/** `runConformance` and `runConformanceCase` bound to one runtime's `startMock`. */
export function bindConformance(runtime: ConformanceOptions["runtime"], startMock: ConformanceOptions["startMock"]) {
  return {
    runConformance: (options: ConformOptions) => runConformance({ ...options, runtime, startMock }),
    runConformanceCase: (c: Case, options: ConformOptions) => runCase(c, { ...options, runtime, startMock }),
  };
}
