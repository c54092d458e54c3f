import { Hono } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import type { MockContext } from "../../context.ts";
import { answerHandshake } from "../../gate/handshake-answer.ts";
import { defaultLimits } from "../../protocol/limits.ts";
import { bufferedAmount, messageFaults, sessionEvents } from "../../ws/session-events.ts";
import { decideSynthesisHandshake, type SynthesisHandshake } from "./handshake.ts";
import { type SynthesisLimits, SynthesisSession } from "./session.ts";
import { coreSynthesizer } from "./synthesize-core.ts";

/** The SDK's path since 1.x, and the older one it used and 3P clients still use (tts-and-timing.md 2.1). */
export const synthesisSocketPaths = ["/tts/cognitiveservices/websocket/v1", "/cognitiveservices/websocket/v1"] as const;

/** The most SSML one speak takes (UNCONFIRMED; the spec's default, 2.6). */
export const ssmlLimitBytes = 64 * 1024;

type Accepted = Extract<SynthesisHandshake, { accept: true }>;
type Env = { Variables: { synthesis: Accepted }; Bindings: { httpVersion?: string } | undefined };

/**
 * The text-to-speech WebSocket endpoints: the decision before any upgrade (a refused client never
 * gets a socket), then a `SynthesisSession` per accepted socket.
 */
export function createSynthesisSocketApp(ctx: MockContext, upgradeWebSocket: UpgradeWebSocket): Hono<Env> {
  const app = new Hono<Env>();
  const { logger, clock, idleTimeoutSeconds, connectionLifetimeSeconds } = ctx.options;
  const limits: SynthesisLimits = {
    idleMs: idleTimeoutSeconds * 1000,
    lifetimeMs: connectionLifetimeSeconds * 1000,
    sendBufferBytes: 1 << 20,
    // An SSML message may pass 64 KiB (then it is refused with the service's reason, not as a frame):
    // the text limit is the WebSocket layer's own 1 MiB.
    protocol: { ...defaultLimits, textMessageBytes: 1 << 20 },
    ssmlBytes: ssmlLimitBytes,
  };
  const synthesize = coreSynthesizer(ctx);

  const upgrade = upgradeWebSocket((c) => {
    const accepted = c.get("synthesis");
    return sessionEvents(
      ctx,
      (ws) =>
        new SynthesisSession(
          {
            connectionId: accepted.connectionId,
            clock,
            journal: ctx.journal,
            logger,
            limits,
            synthesize,
            overQuota: () => ctx.resources.byName(accepted.resource.name)?.state === "quotaExceeded",
            fault: messageFaults(ctx, accepted),
          },
          {
            send: (text) => ws.send(text),
            sendBinary: (bytes) => ws.send(bytes as Uint8Array<ArrayBuffer>),
            close: (code, reason) => ws.close(code, reason),
            bufferedAmount: () => bufferedAmount(ws),
          },
        ),
    );
  });

  for (const path of synthesisSocketPaths) {
    app.get(path, async (c, next) => {
      const decision = await decideSynthesisHandshake(c.req.raw, ctx, c.env?.httpVersion);
      const answered = await answerHandshake(c, ctx, path, decision);
      // A refusal is always answered; the second test narrows the decision to an acceptance.
      if (answered !== undefined || !decision.accept) return answered;
      c.set("synthesis", decision);
      return upgrade(c, next);
    });
  }
  return app;
}
