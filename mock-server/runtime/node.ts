import { networkInterfaces } from "node:os";
import type { MockOptions } from "../options.ts";
import { type MockServer, type NetworkAddress, type Runtime, startOn } from "../start.ts";
import { nodeHttpRuntime } from "./node-http.ts";

/** Node: `node:http` through `@hono/node-server`, `ws` for WebSockets (see node-http.ts). */
export const nodeRuntime: Runtime = {
  ...nodeHttpRuntime("node"),
  networkAddresses: () =>
    Object.values(networkInterfaces())
      .flat()
      .flatMap((i): NetworkAddress[] =>
        i && (i.family === "IPv4" || i.family === "IPv6") ? [{ address: i.address, family: i.family }] : [],
      ),
};

/** Starts a mock on Node. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(nodeRuntime, options);
