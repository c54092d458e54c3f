/**
 * The package on Node (`import … from "speechmock"`): the mock and the conformance suite. The
 * mock itself never imports the suite that grades clients; they meet here.
 */
import { bindConformance } from "../conformance/mod.ts";
import { startMock } from "../mock-server/runtime/node.ts";

export * from "../conformance/mod.ts";
export * from "../mock-server/mod.ts";
export { nodeRuntime, startMock } from "../mock-server/runtime/node.ts";

/** The conformance suite on Node: every selected case, or one (as a subtest of your own runner). */
export const { runConformance, runConformanceCase } = bindConformance("node", startMock);
