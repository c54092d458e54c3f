import { defineWebSocketHelper, type UpgradeWebSocket, WSContext } from "hono/ws";
import { bindConformance } from "../../conformance/mod.ts";
import { MockError } from "../errors.ts";
import type { FetchHandler } from "../http/limits.ts";
import type { MockOptions } from "../options.ts";
import { type ListenOptions, type MockServer, type Runtime, startOn } from "../start.ts";
import { jsSha256, nodeStyleHasher } from "../stt/pcm-hash.ts";

export * from "../../conformance/mod.ts";
export * from "../mod.ts";

/**
 * Deno's `node:crypto` hashes natively, about ten times faster than JavaScript, but loading it
 * blocks for ~20 ms, so it is loaded just after the server is listening (the ready line is out
 * by then); a turn that comes before it is ready uses the JavaScript hash.
 */
let createHash: typeof import("node:crypto").createHash | undefined;
const loadNativeHash = () =>
  setTimeout(() => {
    import("node:crypto").then(
      (m) => {
        createHash = m.createHash;
      },
      () => {},
    );
  }, 0);

/**
 * Silence from the client after which a lingering close is sent; and the longest it waits for it
 * (a client that stopped reading may take seconds to drain what was queued for it, under load).
 */
const lingerQuietMs = 50;
const lingerMaxMs = 5000;

/**
 * Closes a server socket once its client has paused and everything queued for it is written.
 * Deno (2.9) drops the TCP connection as soon as a message arrives after `close()`, often before
 * the close frame is out, and closing with unread data makes the kernel send a reset: a client
 * that is still streaming (the Speech SDK sends its audio in a burst) then sees 1006 instead of
 * the close code, and the SDK hangs rather than cancel. A write backlog must drain first too,
 * since data the client sent meanwhile is read only after it. `ws` on Node keeps reading until
 * the client's own close frame, so it needs none of this. Messages arriving meanwhile are dropped
 * by the session, which is already closed; a client that never pauses for 50 ms is closed after the
 * maximum, and may then see 1006: a limit of the workaround, not of the mock.
 */
function lingeringClose(socket: WebSocket, lastMessageAt: () => number, code?: number, reason?: string): void {
  const giveUpAt = Date.now() + lingerMaxMs;
  const attempt = () => {
    if (socket.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - lastMessageAt();
    const settled = quiet >= lingerQuietMs && socket.bufferedAmount === 0;
    if (Date.now() >= giveUpAt) socket.close(code, reason);
    else if (settled) setTimeout(closeUnlessMessaged, 0, lastMessageAt());
    else setTimeout(attempt, Math.max(5, lingerQuietMs - quiet));
  };
  // One turn of the event loop first: a timer that fired late may run before a message that has
  // already arrived is dispatched, and closing then is exactly the crossing that resets.
  const closeUnlessMessaged = (seen: number) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (lastMessageAt() === seen) socket.close(code, reason);
    else attempt();
  };
  attempt();
}

/**
 * Hono's Deno upgrade, minus two problems of `hono/deno`: it compares `Upgrade` to "websocket"
 * case-sensitively (RFC 6455 says it is not, and `Upgrade: WebSocket` got a 404), and its
 * barrel also loads the SSG and static-file helpers and `node:path`, ~12 ms of every start.
 */
const upgradeWebSocket = defineWebSocketHelper<WebSocket, Deno.UpgradeWebSocketOptions>((c, events, options) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
  const protocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
  const { response, socket } = Deno.upgradeWebSocket(c.req.raw, { ...(protocol ? { protocol } : {}), ...options });
  let lastMessageAt = 0;
  const ws = new WSContext<WebSocket>({
    close: (code, reason) => lingeringClose(socket, () => lastMessageAt, code, reason),
    get protocol() {
      return socket.protocol;
    },
    raw: socket,
    get readyState() {
      return socket.readyState as 0 | 1 | 2 | 3;
    },
    url: socket.url ? new URL(socket.url) : null,
    send: (source) => socket.send(source),
  });
  socket.onopen = (evt) => events.onOpen?.(evt, ws);
  socket.onmessage = (evt) => {
    lastMessageAt = Date.now();
    events.onMessage?.(evt, ws);
  };
  socket.onclose = (evt) => events.onClose?.(evt, ws);
  socket.onerror = (evt) => events.onError?.(evt, ws);
  return response;
});

/**
 * Deno: `Deno.serve` and its own WebSocket upgrade. What Deno 2.9 decides before the app sees a
 * request, or hides from it (found with raw bytes; see raw-handshake.e2e.test.ts): it gives no
 * request-line version, so the handshake cannot refuse an HTTP/1.0 upgrade (it answers
 * `HTTP/1.0 101`; Node refuses it); it answers a bare `400` to an upgrade request that declares a
 * body (`Content-Length`, even `0`), and to a request line of HTTP/0.9, HTTP/2.0 or no version;
 * and it hands the app unmasked client frames, which RFC 6455 says must fail the connection (`ws`
 * closes `1002`). No `httpVersion` goes into the env, so the decision leaves the version unjudged.
 * It has no header or body read timeout (`--header-timeout` and `--body-timeout` apply to Node
 * only): a client that never finishes its head keeps its connection until it leaves, and a
 * connection stays open after a request answered before its body came (README, "Limits").
 */
export const denoRuntime: Runtime = {
  name: "deno",
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  pcmHasher: () => (createHash === undefined ? jsSha256() : nodeStyleHasher(createHash("sha256"))),
  listen: (fetch, options) =>
    new Promise((resolve, reject) => {
      try {
        const listener = serveAgain(fetch, options, (port) => {
          loadNativeHash();
          resolve({ port, close: () => listener.shutdown() });
        });
      } catch (err) {
        reject(new MockError("ERR_LISTEN", `Cannot listen on ${options.hostname}:${options.port}: ${(err as Error).name}`, { cause: err }));
      }
    }),
};

/** The first wait before listening again after the accept loop failed, and the longest. */
const relistenFirstMs = 50;
const relistenMaxMs = 1_000;

/**
 * `Deno.serve`, listening again whenever its accept loop dies. Deno (2.9) ends the loop on the
 * first failed accept, out of descriptors (`EMFILE`, os error 24) above all: `server.finished`
 * rejects with `Http: Error: Too many open files`, the listening socket is closed, and, since nobody
 * awaits that promise, the process exits on the unhandled rejection. Node's server logs nothing and
 * retries accepting. Here the rejection is caught and logged, and the server listens again on the
 * same port, waiting longer after each failure (up to a second) while descriptors stay short;
 * connections already accepted are served meanwhile, new ones are refused (ECONNREFUSED) until it
 * listens again. Upstream, `Deno.serve` should retry the accept (as hyper-util and Node do).
 */
function serveAgain(
  fetch: FetchHandler<object>,
  options: ListenOptions,
  onFirstListen: (port: number) => void,
): { shutdown(): Promise<void> } {
  let current: Deno.HttpServer | undefined;
  let port = options.port;
  let listening = false;
  let stopping = false;
  let waitMs = relistenFirstMs;
  let listenedAt = 0;
  const start = () => {
    current = Deno.serve(
      {
        hostname: options.hostname,
        port,
        onListen: (addr) => {
          port = (addr as Deno.NetAddr).port;
          if (listening) options.report({ type: "error", message: `Listening again on ${options.hostname}:${port}` });
          else onFirstListen(port);
          listening = true;
          listenedAt = Date.now();
        },
      },
      fetch,
    );
    current.finished.then(undefined, (err: Error) => {
      if (stopping) return;
      // A listener that failed at once is still short of descriptors: wait longer each time.
      waitMs = Date.now() - listenedAt > 5 * relistenMaxMs ? relistenFirstMs : Math.min(relistenMaxMs, waitMs * 2);
      options.report({
        type: "error",
        message: `The listener on ${options.hostname}:${port} failed (${err.message}); listening again in ${waitMs} ms`,
      });
      later();
    });
  };
  const later = () =>
    setTimeout(() => {
      if (stopping) return;
      try {
        start();
      } catch (err) {
        // Still no descriptor for the listening socket (or the port was taken meanwhile): later.
        options.report({
          type: "error",
          message: `Cannot listen again on ${options.hostname}:${port} (${(err as Error).message}); retrying`,
        });
        waitMs = Math.min(relistenMaxMs, waitMs * 2);
        later();
      }
    }, waitMs);
  start();
  return {
    shutdown: async () => {
      stopping = true;
      await current?.shutdown().catch(() => {});
    },
  };
}

/** Starts a mock on Deno. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(denoRuntime, options);

/** The conformance suite on Deno: every selected case, or one (as a subtest of your own runner). */
export const { runConformance, runConformanceCase } = bindConformance("deno", startMock);
