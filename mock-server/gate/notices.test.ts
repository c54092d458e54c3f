/**
 * A bare token (no `Bearer `) is accepted by every API behind the gate, and noticed: the journal
 * entry of the handshake or REST request that carried it says `auth.bare_token`. In process, with
 * an upgrade that only answers 200 (the decision and the journal entry come before it).
 */
import { readFileSync } from "node:fs";
import type { UpgradeWebSocket } from "hono/ws";
import t from "tap";
import { createMockApp } from "../app.ts";
import { epochSeconds, ManualClock } from "../clock.ts";
import { createContext } from "../context.ts";
import { speechClaims } from "../jwt/claims.ts";
import { resolveOptions } from "../options.ts";

const interactive = "/speech/recognition/interactive/cognitiveservices/v1";
const connectionId = "0123456789ABCDEF0123456789ABCDEF";
const upgradeHeaders = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "X-ConnectionId": connectionId,
};

/** Stands for the runtime's upgrade: the route has decided and journaled by the time it runs. */
const upgradeWebSocket = (() => async () => new Response(null, { status: 200 })) as unknown as UpgradeWebSocket;

t.test("a bare token is accepted with an auth.bare_token notice; Bearer without one", async (t) => {
  const clock = new ManualClock(1_745_237_380_250);
  const ctx = await createContext(resolveOptions({ clock }));
  const app = createMockApp(ctx, upgradeWebSocket);
  const resource = ctx.resources.byName("speechmock-westus");
  if (!resource) throw new Error("No built-in westus resource");
  const token = await ctx.signer.signFresh(speechClaims(resource, "westus", epochSeconds(clock) + 600));
  const handshakes = () => ctx.journal.entries((e) => e.type === "handshake");

  t.test("WebSocket, header: Authorization: <jwt>, as SDKs up to 1.18 sent it", async (t) => {
    t.equal((await app.request(`${interactive}?language=en-US`, { headers: { ...upgradeHeaders, Authorization: token } })).status, 200);
    t.match(handshakes().at(-1), { decision: "accept", reason: "handshake.accepted_token", notices: ["auth.bare_token"] });
  });

  t.test("WebSocket, query: Authorization=<jwt>, as Microsoft's 2017 browser sample sent it", async (t) => {
    const res = await app.request(`${interactive}?language=en-US&Authorization=${token}`, { headers: upgradeHeaders });
    t.equal(res.status, 200);
    t.match(handshakes().at(-1), { credential: { kind: "token", source: "query" }, notices: ["auth.bare_token"] });
  });

  t.test("WebSocket, Bearer: no notice", async (t) => {
    await app.request(`${interactive}?language=en-US`, { headers: { ...upgradeHeaders, Authorization: `Bearer ${token}` } });
    t.notOk("notices" in (handshakes().at(-1) ?? {}));
  });

  t.test("REST: a bare token is noticed on the request's entry", async (t) => {
    const res = await app.request("/speech/recognition/conversation/cognitiveservices/v1?language=en-US", {
      method: "POST",
      headers: { Authorization: token, "Content-Type": "audio/wav" },
      body: readFileSync(new URL("../../fixtures/audio/hello.wav", import.meta.url)),
    });
    t.equal(res.status, 200);
    t.match(ctx.journal.entries((e) => e.type === "rest.request").at(-1), { status: 200, notices: ["auth.bare_token"] });
  });

  t.test("a refused bare token has no notice: nothing was accepted", async (t) => {
    await app.request(`${interactive}?language=en-US`, { headers: { ...upgradeHeaders, Authorization: "a.b.c" } });
    t.match(handshakes().at(-1), { decision: "reject", reason: "auth.token_malformed" });
    t.notOk("notices" in (handshakes().at(-1) ?? {}));
  });
});
