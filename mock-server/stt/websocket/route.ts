import { Hono } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import type { MockContext } from "../../context.ts";
import { answerHandshake } from "../../gate/handshake-answer.ts";
import { reasonHeader } from "../../gate/middleware.ts";
import { defaultLimits } from "../../protocol/limits.ts";
import { bufferedAmount, messageFaults, sessionEvents } from "../../ws/session-events.ts";
import { speechPaths } from "../endpoints.ts";
import { decideHandshake, type HandshakeDecision, type HandshakeTransport } from "./handshake.ts";
import { type SessionLimits, SpeechSession } from "./session.ts";

/** Refused handshakes name their reason in this header, beside the JSON body. */
export { reasonHeader };

type Accepted = Extract<HandshakeDecision, { accept: true }>;
/** `Bindings`: what a runtime adapter adds to Hono's env (see `HandshakeTransport`); absent in `app.request` tests. */
type Env = { Variables: { decision: Accepted }; Bindings: HandshakeTransport | undefined };

/**
 * Unread answers one client may leave queued before it is cut off. One turn's answers are a few
 * KiB, so only a client that stopped reading for many turns gets near it.
 */
export const sendBufferBytes = 1 << 20;

/** The most audio an interactive turn takes before it is answered ("up to 15 seconds"). */
export const interactiveMaxAudioMs = 15_000;

/** How long an utterance that matches nothing waits for the end of the audio (see SessionLimits). */
export const unmatchedHoldMs = 300;

/**
 * The speech WebSocket endpoints. The decision is made before any upgrade, so a refused client
 * never gets a socket; an accepted one gets a `SpeechSession` that speaks the protocol.
 */
export function createSpeechApp(ctx: MockContext, upgradeWebSocket: UpgradeWebSocket): Hono<Env> {
  const app = new Hono<Env>();
  const { logger, clock, idleTimeoutSeconds, connectionLifetimeSeconds, responseLatencyMs } = ctx.options;
  const limits: SessionLimits = {
    idleMs: idleTimeoutSeconds * 1000,
    lifetimeMs: connectionLifetimeSeconds * 1000,
    interactiveMaxAudioMs,
    unmatchedHoldMs,
    responseLatencyMs,
    sendBufferBytes,
    protocol: defaultLimits,
  };

  const upgrade = upgradeWebSocket((c) => {
    const accepted = c.get("decision");
    return sessionEvents(
      ctx,
      (ws) =>
        new SpeechSession(
          {
            connectionId: accepted.connectionId,
            settings: accepted.settings,
            transcripts: ctx.transcripts.current,
            nextScripted: () => ctx.transcripts.takeNext(),
            clock,
            journal: ctx.journal,
            logger,
            limits,
            overQuota: () => ctx.resources.byName(accepted.resource.name)?.state === "quotaExceeded",
            pcmHasher: ctx.pcmHasher,
            fault: messageFaults(ctx, accepted),
          },
          { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason), bufferedAmount: () => bufferedAmount(ws) },
        ),
    );
  });

  for (const { path, mode } of speechPaths) {
    app.get(path, async (c, next) => {
      const transport: HandshakeTransport = { httpVersion: (c.env as HandshakeTransport | undefined)?.httpVersion };
      const decision = await decideHandshake(c.req.raw, ctx, mode, transport);
      const answered = await answerHandshake(c, ctx, path, decision);
      // A refusal is always answered; the second test narrows the decision to an acceptance.
      if (answered !== undefined || !decision.accept) return answered;
      c.set("decision", decision);
      return upgrade(c, next);
    });
  }
  return app;
}
