import { createHash } from "node:crypto";
import { type Http2Bindings, type HttpBindings, type ServerType, serve, upgradeWebSocket } from "@hono/node-server";
import type { UpgradeWebSocket } from "hono/ws";
import { WebSocketServer } from "ws";
import { bindConformance } from "../../conformance/mod.ts";
import { MockError } from "../errors.ts";
import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";
import { nodeStyleHasher } from "../stt/pcm-hash.ts";

export * from "../../conformance/mod.ts";
export * from "../mod.ts";

/**
 * `@hono/node-server` leaves headers with an empty value out of an upgrade request, so an empty
 * `Authorization:` would read as no credential on Node and as an empty one on Deno. Put them back.
 */
function withEmptyHeaders(req: Request, env: HttpBindings | Http2Bindings): Request {
  // Only upgrades are rebuilt; other requests (the token service's hot path) pass untouched.
  if (env.incoming?.headers.upgrade === undefined) return req;
  const raw = env.incoming.rawHeaders;
  let headers: Headers | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (raw[i + 1] === "" && !name.startsWith(":") && !req.headers.has(name)) {
      headers ??= new Headers(req.headers);
      headers.append(name, "");
    }
  }
  return headers ? new Request(req, { headers }) : req;
}

/** Node: `@hono/node-server` for HTTP, `ws` for WebSockets. */
export const nodeRuntime: Runtime = {
  name: "node",
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  pcmHasher: () => nodeStyleHasher(createHash("sha256")),
  listen: (app, { hostname, port }) =>
    new Promise((resolve, reject) => {
      // Message limits are enforced by the codecs, the same on both runtimes; this is a backstop.
      const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
      let server: ServerType;
      const onError = (err: NodeJS.ErrnoException) =>
        reject(new MockError("ERR_LISTEN", `Cannot listen on ${hostname}:${port}: ${err.code ?? err.message}`, { cause: err }));
      const fetch = (req: Request, env: HttpBindings | Http2Bindings) => app.fetch(withEmptyHeaders(req, env), env);
      server = serve({ fetch, hostname, port, websocket: { server: wss } }, (info) => {
        server.off("error", onError);
        resolve({
          port: info.port,
          close: async () => {
            // The sockets were just sent 1001; give peers a moment to finish the closing
            // handshake, then cut whoever has not, so shutdown stays well under a second.
            const deadline = Date.now() + 500;
            while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
            for (const client of wss.clients) client.terminate();
            await new Promise<void>((done) => {
              server.close(() => done());
              if ("closeAllConnections" in server) server.closeAllConnections();
            });
          },
        });
      });
      server.once("error", onError);
    }),
};

/** Starts a mock on Node. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(nodeRuntime, options);

/** The conformance suite on Node: every selected case, or one (as a subtest of your own runner). */
export const { runConformance, runConformanceCase } = bindConformance("node", startMock);
