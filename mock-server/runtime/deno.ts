import { defineWebSocketHelper, type UpgradeWebSocket, WSContext } from "hono/ws";
import { MockError } from "../errors.ts";
import type { MockOptions } from "../options.ts";
import { type MockServer, type Runtime, startOn } from "../start.ts";

export * from "../mod.ts";

/**
 * Hono's Deno upgrade, minus two problems of `hono/deno`: it compares `Upgrade` to "websocket"
 * case-sensitively (RFC 6455 says it is not, and `Upgrade: WebSocket` got a 404), and its
 * barrel also loads the SSG and static-file helpers and `node:path`, ~12 ms of every start.
 */
const upgradeWebSocket = defineWebSocketHelper<WebSocket, Deno.UpgradeWebSocketOptions>((c, events, options) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
  const protocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
  const { response, socket } = Deno.upgradeWebSocket(c.req.raw, { ...(protocol ? { protocol } : {}), ...options });
  // Binary messages as ArrayBuffer, as on Node, rather than the default Blob.
  socket.binaryType = "arraybuffer";
  const ws = new WSContext<WebSocket>({
    close: (code, reason) => socket.close(code, reason),
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
  socket.onmessage = (evt) => events.onMessage?.(evt, ws);
  socket.onclose = (evt) => events.onClose?.(evt, ws);
  socket.onerror = (evt) => events.onError?.(evt, ws);
  return response;
});

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
