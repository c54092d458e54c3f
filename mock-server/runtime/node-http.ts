import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, STATUS_CODES } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { getRequestListener, type Http2Bindings, type HttpBindings, type ServerType, serve, upgradeWebSocket } from "@hono/node-server";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import { type WebSocket, WebSocketServer } from "ws";
import { MockError } from "../errors.ts";
import { CloseCode } from "../protocol/errors.ts";
import type { ListenOptions, Runtime, TlsListen } from "../start.ts";
import { nodeStyleHasher } from "../stt/pcm-hash.ts";
import { pingFloodBytes, pingFloodError } from "../ws/frame-errors.ts";

/**
 * The one HTTP and WebSocket transport of the mock, on Node and on Deno alike: `node:http`,
 * `@hono/node-server` and `ws`. Deno's `node:http` hands an upgrade its raw socket, so `ws` frames
 * the WebSocket on both runtimes and RFC 6455 is enforced by one implementation: masking, RSV bits,
 * opcodes, UTF-8, the message size limit (read frame by frame, never a whole oversized message),
 * ping and close handling, and the read timeouts of `node:http`. `Deno.serve` and its
 * `Deno.upgradeWebSocket` were used on Deno before; they buffered a whole 60 MiB message before any
 * limit applied, accepted unmasked client frames and HTTP/1.0 upgrades, dropped the TCP connection
 * on a protocol error without a close frame, had no read timeouts, and ended their accept loop on
 * `EMFILE` (see the notes of issue 10 for the upstream reports).
 */

/**
 * An upgrade's `Request` as it came. `@hono/node-server` builds it from `IncomingMessage.headers`,
 * which drops headers with an empty value and keeps only the first of repeated `Authorization`
 * headers, so an upgrade would read differently from the same request without `Upgrade`. The
 * headers are rebuilt from the raw ones, as the plain request path does: repeated headers joined
 * by ", ", empty ones kept. And it gets the signal `@hono/node-server` leaves out, aborted if the
 * client leaves before the decision: a handshake held by a fault rule ("hang") would otherwise wait
 * forever, holding its place under the caps. Node's HTTP parser has let go of an upgrade's socket,
 * so nobody else ends it on the client's FIN. `release` detaches the listeners once decided.
 */
function upgradeAsReceived(req: Request, incoming: IncomingMessage): { request: Request; release(): void } {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!name.startsWith(":")) headers.append(name, raw[i + 1] as string);
  }
  const gone = new AbortController();
  const leave = () => gone.abort();
  const socket = incoming.socket;
  socket.once("end", leave).once("close", leave);
  return {
    request: new Request(req, { headers, signal: gone.signal }),
    release: () => socket.off("end", leave).off("close", leave),
  };
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
  server.removeAllListeners("upgrade");
  // A second listener, which does nothing: `@hono/node-server` answers a refused upgrade itself
  // (without its body) only when its listener is alone; `answeringUpgrades` answers it instead.
  server.on("upgrade", () => {});
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (websocketUpgrade && isWebSocketUpgrade(req)) {
      // `@hono/node-server` answers nothing when it cannot build the request's URL (a Host of
      // `a b` or `host:99999`, a target of `*` or with a backslash): such a request never reaches
      // the app, and the client would wait forever (found by the handshake fuzz). Answered here.
      Promise.resolve(websocketUpgrade.call(server, req, socket, head)).then(() => {
        if (!reachedApp.has(req) && !socket.destroyed) socket.end(unusableTargetAnswer);
      });
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

/** Hop-by-hop and WebSocket headers, which a refusal written by hand must not copy from the app's response. */
const notForwarded = new Set(["connection", "content-length", "keep-alive", "transfer-encoding", "upgrade", "sec-websocket-accept"]);

/**
 * A refused upgrade, written whole: status line, the app's headers, and its JSON body.
 * `@hono/node-server` answers a refused upgrade with the status and headers only (`Content-Length:
 * 0`), so a client would see why it was refused only in `X-Speechmock-Reason`; the body says what,
 * where and what was expected, the same on both runtimes as for plain requests.
 */
async function writeRefusal(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  if (socket.destroyed) return;
  const lines = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`,
    "Connection: close",
    `Content-Length: ${body.length}`,
  ];
  response.headers.forEach((value, name) => {
    if (!notForwarded.has(name)) lines.push(`${name}: ${value}`);
  });
  socket.end(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]));
}

/**
 * The upgrades `@hono/node-server` accepted, by request: a response on the upgrade path that is
 * not one of these is a refusal, which `writeRefusal` answers.
 */
const accepted = new WeakSet<IncomingMessage>();

/** The upgrades the app decided (`answeringUpgrades`); any other was refused before it could be. */
const reachedApp = new WeakSet<IncomingMessage>();

const unusableTargetBody = JSON.stringify({
  error: {
    code: "400",
    message: "The request target and Host do not form a URL. Expected an origin-form target (/path?query) and a Host of name[:port]",
  },
});
const unusableTargetAnswer =
  "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n" +
  `Content-Length: ${Buffer.byteLength(unusableTargetBody)}\r\n\r\n${unusableTargetBody}`;

/**
 * `@hono/node-server`'s upgrade, which notes what it accepted and passes `ws`'s errors (a frame
 * that breaks RFC 6455, see ws/frame-errors.ts) to the app's `onError`. Its own error listener
 * builds an `ErrorEvent`, a global Node 20 does not have, so the error never reached the app on
 * Node; here the app's `onError` is taken from it and called from a listener on the `ws` socket.
 */
const acceptingUpgrade = ((createEvents: (c: unknown) => WSEvents | Promise<WSEvents>, options?: unknown) => {
  const middleware = (upgradeWebSocket as unknown as HonoUpgrade)(async (c) => {
    const { onError, ...events } = await createEvents(c);
    return {
      ...events,
      onOpen: (evt: Event, ws: WSContext) => {
        const raw = ws.raw as WebSocket;
        const fail = (error: unknown) => onError?.(Object.assign(new Event("error"), { error }), ws);
        raw.on("error", fail);
        raw.on("ping", (data) => {
          if (raw.bufferedAmount <= pingFloodBytes) raw.pong(data);
          else if (raw.readyState === raw.OPEN) {
            raw.close(CloseCode.policyViolation, "Ping flood.");
            fail({ code: pingFloodError });
          }
        });
        events.onOpen?.(evt, ws);
      },
    };
  }, options);
  return async (c: HonoLike, next: () => Promise<void>) => {
    const result = await middleware(c, next);
    if (result instanceof Response && c.env?.incoming) accepted.add(c.env.incoming);
    return result;
  };
}) as unknown as UpgradeWebSocket;
type HonoUpgrade = (
  createEvents: (c: unknown) => Promise<WSEvents>,
  options?: unknown,
) => (c: HonoLike, next: () => Promise<void>) => Promise<unknown>;
interface HonoLike {
  env?: { incoming?: IncomingMessage };
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

/**
 * Hands the app's answer to an upgrade back to the client: an accepted one is `ws`'s to finish,
 * any other answer (a refusal, or a crash of the app: 500) is written whole by `writeRefusal`.
 */
function answeringUpgrades(fetchApp: Parameters<Runtime["listen"]>[0]) {
  return async (req: Request, env: HttpBindings | Http2Bindings): Promise<Response> => {
    const incoming = env.incoming as IncomingMessage | undefined;
    if (incoming === undefined) return fetchApp(req, env);
    // The request line's version, where the handshake decision reads it (`HandshakeTransport`).
    if (incoming.headers.upgrade !== undefined) (env as { httpVersion?: string }).httpVersion = incoming.httpVersion;
    // A plain request (it has a response to write to), the token service's hot path, passes untouched.
    if (env.outgoing !== undefined) return fetchApp(req, env);
    reachedApp.add(incoming);
    const { request, release } = upgradeAsReceived(req, incoming);
    let response: Response;
    try {
      response = await fetchApp(request, env);
    } catch {
      response = new Response('{"error":{"code":"500","message":"Internal error while deciding the handshake"}}', {
        status: 500,
        headers: { "content-type": "application/json" },
      });
    } finally {
      release();
    }
    if (!accepted.has(incoming)) await writeRefusal(incoming.socket, response);
    return response;
  };
}

type Fetch = ReturnType<typeof answeringUpgrades>;

/**
 * One listening server, plain or TLS, on the shared `ws` server. The TLS one is the same app behind
 * `node:https`: its sockets are TLS sockets, which the twin of `answerOtherUpgradesAsPlain` (plain
 * `node:http`) parses as it does plain ones, since they carry decrypted bytes.
 */
function listenOne(
  fetch: Fetch,
  wss: WebSocketServer,
  { hostname, port, serverOptions, tls }: { hostname: string; port: number; serverOptions: ServerOptions; tls?: TlsListen },
): Promise<{ port: number; close(): void; server: ServerType }> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const what = tls ? "the TLS port " : "";
      reject(new MockError("ERR_LISTEN", `Cannot listen on ${what}${hostname}:${port}: ${err.code ?? err.message}`, { cause: err }));
    };
    const secure = tls ? { createServer: createHttpsServer, serverOptions: { ...serverOptions, cert: tls.cert, key: tls.key } } : {};
    let plain: { close(): void } | undefined;
    const server: ServerType = serve({ fetch, hostname, port, serverOptions, ...secure, websocket: { server: wss } }, (info) => {
      server.off("error", onError);
      resolve({ port: info.port, server, close: () => plain?.close() });
    });
    server.once("error", onError);
    plain = answerOtherUpgradesAsPlain(server, getRequestListener(fetch, { hostname }) as RequestListener, serverOptions);
  });
}

const closeServer = (server: ServerType) =>
  new Promise<void>((done) => {
    server.close(() => done());
    if ("closeAllConnections" in server) server.closeAllConnections();
  });

/** The runtime adapter for a runtime with `node:http`: Node, and Deno through its Node compatibility. */
export const nodeHttpRuntime = (name: Runtime["name"]): Runtime => ({
  name,
  upgradeWebSocket: acceptingUpgrade,
  pcmHasher: () => nodeStyleHasher(createHash("sha256")),
  listen: async (fetchApp, options) => {
    const { hostname, port, tls } = options;
    const serverOptions = readTimeouts(options);
    // Message limits are enforced by the codecs, the same on both runtimes; this is a backstop.
    // Pings are answered by `acceptingUpgrade`, which closes a ping flood with a close frame.
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false, autoPong: false });
    const fetch = answeringUpgrades(fetchApp);
    const plain = await listenOne(fetch, wss, { hostname, port, serverOptions });
    let secure: Awaited<ReturnType<typeof listenOne>> | undefined;
    try {
      if (tls) secure = await listenOne(fetch, wss, { hostname, port: tls.port, serverOptions, tls });
    } catch (err) {
      plain.close();
      await closeServer(plain.server);
      throw err;
    }
    return {
      port: plain.port,
      ...(secure ? { tlsPort: secure.port } : {}),
      close: async () => {
        // The sockets were just sent 1001; give peers a moment to finish the closing
        // handshake, then cut whoever has not, so shutdown stays well under a second.
        const deadline = Date.now() + 500;
        while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const client of wss.clients) client.terminate();
        for (const one of [plain, secure]) one?.close();
        await Promise.all([plain, secure].flatMap((one) => (one ? [closeServer(one.server)] : [])));
      },
    };
  },
});
