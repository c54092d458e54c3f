/**
 * The package on Deno (`import … from "speechmock"`): the mock and the conformance suite, as
 * entry/node.ts has them.
 */
import { bindConformance } from "../conformance/mod.ts";
import { startMock } from "../mock-server/runtime/deno.ts";

export * from "../conformance/mod.ts";
export * from "../mock-server/mod.ts";
export { denoRuntime, startMock } from "../mock-server/runtime/deno.ts";

/** The conformance suite on Deno: every selected case, or one (as a subtest of your own runner). */
export const { runConformance, runConformanceCase } = bindConformance("deno", startMock);
