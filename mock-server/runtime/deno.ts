import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";
import { nodeHttpRuntime } from "./node-http.ts";

/**
 * Deno: the same transport as Node, through Deno's `node:http` (see node-http.ts for why not
 * `Deno.serve`). Only the name differs, so a ready line and a report say which runtime ran.
 */
export const denoRuntime: Runtime = nodeHttpRuntime("deno");

/** Starts a mock on Deno. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(denoRuntime, options);
