import { Hono } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import type { MockContext } from "../context.ts";
import { redact, redactAuthorization } from "../redact.ts";
import { jsonHeaders } from "../sts/bodies.ts";
import { speechPaths } from "./endpoints.ts";
import { decideHandshake } from "./handshake.ts";

/** Refused handshakes name their reason in this header: Node drops a refused upgrade's body. */
export const reasonHeader = "X-Speechmock-Reason";

type Env = { Variables: { connectionId: string } };

/**
 * The speech WebSocket endpoints. The decision is made before any upgrade, so a refused client
 * never gets a socket; an accepted one is kept open (the message protocol comes later).
 */
export function createSpeechApp(ctx: MockContext, upgradeWebSocket: UpgradeWebSocket): Hono<Env> {
  const app = new Hono<Env>();
  const { logger } = ctx.options;

  const upgrade = upgradeWebSocket((c) => {
    const connectionId = c.get("connectionId");
    return {
      onOpen: (_evt, ws) => ctx.sockets.add(ws),
      onClose: (evt, ws) => {
        ctx.sockets.delete(ws);
        logger({ type: "socket.close", connectionId, code: evt.code, reason: evt.reason, initiator: "client" });
      },
    };
  });

  for (const { path } of speechPaths) {
    app.get(path, async (c, next) => {
      const decision = await decideHandshake(c.req.raw, ctx);
      const { credential } = decision;
      logger({
        type: "handshake",
        path,
        region: ctx.regionOf(c.req.header("host")),
        status: decision.status,
        decision: decision.accept ? "accept" : "reject",
        reason: decision.reason,
        credential:
          credential.kind === "none"
            ? { kind: "none" }
            : {
                kind: credential.kind,
                source: credential.source,
                value: credential.kind === "token" ? redactAuthorization(credential.raw) : redact(credential.raw),
              },
        connectionId: decision.connectionId,
        resource: decision.accept ? decision.resource.name : undefined,
      });
      if (!decision.accept) {
        const body = JSON.stringify({ error: { code: String(decision.status), message: decision.detail, reason: decision.reason } });
        return c.body(body, decision.status, { ...jsonHeaders, [reasonHeader]: decision.reason });
      }
      c.set("connectionId", decision.connectionId);
      return upgrade(c, next);
    });
  }
  return app;
}
