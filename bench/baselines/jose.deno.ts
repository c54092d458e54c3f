// The Deno baseline for token handshakes: a minimal Hono app on Deno.serve that verifies
// `Authorization: Bearer <jwt>` (ES256, against the JWKS speechmock printed in its ready line,
// passed as the first argument) with jose, then upgrades with hono/deno's `upgradeWebSocket`.
// No other check: what a token handshake costs in Hono + jose on this runtime.
// Named `*.deno.ts` so `tsc` (Node types) skips it; packages resolve from node_modules (deno.json).
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";

const jwks = createLocalJWKSet(JSON.parse(Deno.args[0] ?? "null") as JSONWebKeySet);
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

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` })),
  },
  app.fetch,
);
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => Deno.exit(0));
