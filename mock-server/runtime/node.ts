import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";
import { nodeHttpRuntime } from "./node-http.ts";

/** Node: `node:http` through `@hono/node-server`, `ws` for WebSockets (see node-http.ts). */
export const nodeRuntime: Runtime = nodeHttpRuntime("node");

/** Starts a mock on Node. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(nodeRuntime, options);
