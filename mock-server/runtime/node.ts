import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener, type ServerOptions } from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener, type Http2Bindings, type HttpBindings, type ServerType, serve, upgradeWebSocket } from "@hono/node-server";
import type { UpgradeWebSocket } from "hono/ws";
import { WebSocketServer } from "ws";
import { bindConformance } from "../../conformance/mod.ts";
import { MockError } from "../errors.ts";
import type { MockOptions } from "../options.ts";
import { type ListenOptions, type MockServer, type Runtime, startOn } from "../start.ts";
import { nodeStyleHasher } from "../stt/pcm-hash.ts";

export * from "../../conformance/mod.ts";
export * from "../mod.ts";

/**
 * `@hono/node-server` builds an upgrade's `Request` from `IncomingMessage.headers`, which drops
 * headers with an empty value and keeps only the first of repeated `Authorization` headers, so an
 * upgrade would read differently on Node and on Deno (and than the same request without
 * `Upgrade`). The headers are rebuilt from the raw ones, as the plain request path does: repeated
 * headers joined by ", ", empty ones kept. The request line's version goes into the env, where the
 * handshake decision reads it (`HandshakeTransport`).
 */
function asReceived(req: Request, env: HttpBindings | Http2Bindings): Request {
  const incoming = env.incoming;
  // Only upgrades are touched; other requests (the token service's hot path) pass untouched.
  if (incoming?.headers.upgrade === undefined) return req;
  (env as { httpVersion?: string }).httpVersion = incoming.httpVersion;
  // The plain request path (it has a response) already reads the raw headers.
  if (env.outgoing !== undefined) return req;
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!name.startsWith(":")) headers.append(name, raw[i + 1] as string);
  }
  return new Request(req, { headers });
}

/** The upgrades `ws` takes: a GET asking for `websocket`. Anything else is answered as plain HTTP. */
const isWebSocketUpgrade = (req: IncomingMessage): boolean => req.method === "GET" && req.headers.upgrade?.toLowerCase() === "websocket";

/**
 * The request's head as it came, minus the `upgrade` token of `Connection` (the `Upgrade` header
 * stays): the parser would otherwise still take the request for an upgrade and stop reading after
 * it, losing a request pipelined behind it.
 */
function withoutUpgradeToken(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    let value = raw[i + 1] as string;
    if (name.toLowerCase() === "connection") {
      value = value
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token.toLowerCase() !== "upgrade")
        .join(", ");
      if (value === "") continue;
    }
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * Node's server hands every request with `Connection: Upgrade` and an `Upgrade` header to its
 * 'upgrade' listeners, and `@hono/node-server`'s ignores any protocol but `websocket`, so an h2c
 * upgrade (`curl --http2`) was never answered and its socket never closed. A server may ignore an
 * upgrade (RFC 9110 section 7.8, RFC 9113 section 3.1 says h2c is optional): such a request, and
 * a non-GET one, is given back to a twin server without 'upgrade' listeners, which parses it again
 * as the plain request it is, body, keep-alive and pipelining included (see `withoutUpgradeToken`).
 * (Node 24.9 has `shouldUpgradeCallback` for this.)
 */
function answerOtherUpgradesAsPlain(server: ServerType, listener: RequestListener, options: ServerOptions): { close(): void } {
  const twin = createServer(options, listener);
  // Starts its header and request timeouts, which a server only runs once listening; it never listens.
  twin.emit("listening");
  const [websocketUpgrade] = server.listeners("upgrade") as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
  // One listener only: `@hono/node-server` answers refused upgrades only when it is alone.
  server.removeAllListeners("upgrade");
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (websocketUpgrade && isWebSocketUpgrade(req)) {
      websocketUpgrade.call(server, req, socket, head);
      return;
    }
    socket.unshift(Buffer.concat([Buffer.from(withoutUpgradeToken(req), "latin1"), head]));
    twin.emit("connection", socket);
  });
  return {
    close: () => {
      twin.closeAllConnections();
      twin.close();
    },
  };
}

/**
 * Node's own read timeouts, set from the options rather than left to Node's defaults (60 s for a
 * head, 300 s for a whole request): a client that never finishes its head is
 * answered `408` and dropped after `headersTimeout`, one whose body trickles after `requestTimeout`
 * (head and body together, so it is the sum). Node checks them every `connectionsCheckingInterval`
 * (30 s by default), so the check runs at a fraction of the shorter timeout. An upgraded socket
 * leaves Node's HTTP parser and these timeouts; the speech session's idle timeout takes over.
 */
function readTimeouts({ headerTimeoutSeconds, bodyTimeoutSeconds }: ListenOptions): ServerOptions {
  const headersTimeout = Math.ceil(headerTimeoutSeconds * 1000);
  return {
    headersTimeout,
    requestTimeout: headersTimeout + Math.ceil(bodyTimeoutSeconds * 1000),
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

/** Node: `@hono/node-server` for HTTP, `ws` for WebSockets. */
export const nodeRuntime: Runtime = {
  name: "node",
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  pcmHasher: () => nodeStyleHasher(createHash("sha256")),
  listen: (fetchApp, options) =>
    new Promise((resolve, reject) => {
      const { hostname, port } = options;
      const serverOptions = readTimeouts(options);
      // Message limits are enforced by the codecs, the same on both runtimes; this is a backstop.
      const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
      let server: ServerType;
      const onError = (err: NodeJS.ErrnoException) =>
        reject(new MockError("ERR_LISTEN", `Cannot listen on ${hostname}:${port}: ${err.code ?? err.message}`, { cause: err }));
      const fetch = (req: Request, env: HttpBindings | Http2Bindings) => fetchApp(asReceived(req, env), env);
      let plain: { close(): void } | undefined;
      server = serve({ fetch, hostname, port, serverOptions, websocket: { server: wss } }, (info) => {
        server.off("error", onError);
        resolve({
          port: info.port,
          close: async () => {
            // The sockets were just sent 1001; give peers a moment to finish the closing
            // handshake, then cut whoever has not, so shutdown stays well under a second.
            const deadline = Date.now() + 500;
            while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
            for (const client of wss.clients) client.terminate();
            plain?.close();
            await new Promise<void>((done) => {
              server.close(() => done());
              if ("closeAllConnections" in server) server.closeAllConnections();
            });
          },
        });
      });
      server.once("error", onError);
      plain = answerOtherUpgradesAsPlain(server, getRequestListener(fetch, { hostname }) as RequestListener, serverOptions);
    }),
};

/** Starts a mock on Node. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(nodeRuntime, options);

/** The conformance suite on Node: every selected case, or one (as a subtest of your own runner). */
export const { runConformance, runConformanceCase } = bindConformance("node", startMock);
