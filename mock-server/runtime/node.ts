import { type ServerType, serve, upgradeWebSocket } from "@hono/node-server";
import type { UpgradeWebSocket } from "hono/ws";
import { WebSocketServer } from "ws";
import { MockError } from "../errors.ts";
import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";

export * from "../mod.ts";

/** Node: `@hono/node-server` for HTTP, `ws` for WebSockets. */
export const nodeRuntime: Runtime = {
  name: "node",
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  listen: (app, { hostname, port }) =>
    new Promise((resolve, reject) => {
      // Message limits are enforced by the codecs, the same on both runtimes; this is a backstop.
      const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
      let server: ServerType;
      const onError = (err: NodeJS.ErrnoException) =>
        reject(new MockError("ERR_LISTEN", `Cannot listen on ${hostname}:${port}: ${err.code ?? err.message}`, { cause: err }));
      server = serve({ fetch: app.fetch, hostname, port, websocket: { server: wss } }, (info) => {
        server.off("error", onError);
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              for (const client of wss.clients) client.terminate();
              server.close(() => done());
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      });
      server.once("error", onError);
    }),
};

/** Starts a mock on Node. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(nodeRuntime, options);
