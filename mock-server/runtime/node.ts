import { bindConformance } from "../../conformance/mod.ts";
import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";
import { nodeHttpRuntime } from "./node-http.ts";

export * from "../../conformance/mod.ts";
export * from "../mod.ts";

/** Node: `node:http` through `@hono/node-server`, `ws` for WebSockets (see node-http.ts). */
export const nodeRuntime: Runtime = nodeHttpRuntime("node");

/** Starts a mock on Node. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(nodeRuntime, options);

/** The conformance suite on Node: every selected case, or one (as a subtest of your own runner). */
export const { runConformance, runConformanceCase } = bindConformance("node", startMock);
