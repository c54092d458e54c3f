import { upgradeWebSocket } from "hono/deno";
import type { UpgradeWebSocket } from "hono/ws";
import { MockError } from "../errors.ts";
import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";

export * from "../mod.ts";

/** Deno: `Deno.serve` and its own WebSocket upgrade. */
export const denoRuntime: Runtime = {
  name: "deno",
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  listen: (app, { hostname, port }) =>
    new Promise((resolve, reject) => {
      try {
        const server = Deno.serve(
          {
            hostname,
            port,
            onListen: (addr) => {
              resolve({
                port: (addr as Deno.NetAddr).port,
                close: async () => {
                  await server.shutdown();
                },
              });
            },
          },
          app.fetch,
        );
      } catch (err) {
        reject(new MockError("ERR_LISTEN", `Cannot listen on ${hostname}:${port}: ${(err as Error).name}`, { cause: err }));
      }
    }),
};

/** Starts a mock on Deno. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(denoRuntime, options);
