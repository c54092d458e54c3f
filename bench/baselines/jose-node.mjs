// The Node baseline for token handshakes: a minimal Hono app on @hono/node-server that verifies
// `Authorization: Bearer <jwt>` (ES256, against the JWKS speechmock printed in its ready line,
// passed as the first argument) with jose, then upgrades with @hono/node-server's WebSocket support
// over `ws`. No other check: what a token handshake costs in Hono + jose on this runtime.
import { serve, upgradeWebSocket } from "@hono/node-server";
import { Hono } from "hono";
import { createLocalJWKSet, jwtVerify } from "jose";
import { WebSocketServer } from "ws";

const jwks = createLocalJWKSet(JSON.parse(process.argv[2] ?? "null"));
const verifyOptions = { algorithms: ["ES256"], issuer: "urn:ms.cognitiveservices" };

const app = new Hono();
app.get(
  "*",
  async (c, next) => {
    const auth = c.req.header("authorization") ?? "";
    if (!auth.startsWith("Bearer ")) return c.text("missing token", 401);
    try {
      await jwtVerify(auth.slice(7), jwks, verifyOptions);
    } catch {
      return c.text("invalid token", 401);
    }
    await next();
  },
  upgradeWebSocket(() => ({})),
);

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0, websocket: { server: wss } }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
server.on("clientError", (_err, socket) => socket.destroy());
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(0));
