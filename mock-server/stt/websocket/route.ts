import { Hono } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { MockContext } from "../../context.ts";
import { answerHandshake } from "../../gate/handshake-answer.ts";
import { reasonHeader } from "../../gate/middleware.ts";
import { defaultLimits } from "../../protocol/limits.ts";
import { frameFailure } from "../../ws/frame-errors.ts";
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

/** Bytes queued for the client, as `ws` (and any web-style WebSocket) counts them. */
const bufferedAmount = (ws: WSContext): number => (ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;

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
    const { connectionId, settings, resource, credential } = c.get("decision");
    const key = credential.kind === "key" ? credential.raw.trim() : undefined;
    let session: SpeechSession | undefined;
    return {
      onOpen: (_evt, ws) => {
        ctx.sockets.add(ws);
        session = new SpeechSession(
          {
            connectionId,
            settings,
            transcripts: ctx.transcripts.current,
            nextScripted: () => ctx.transcripts.takeNext(),
            clock,
            journal: ctx.journal,
            logger,
            limits,
            overQuota: () => ctx.resources.byName(resource.name)?.state === "quotaExceeded",
            pcmHasher: ctx.pcmHasher,
            fault: (path, turnStart) => {
              if (ctx.faults.isEmpty) return undefined;
              const fired = ctx.faults.take("message", { resource: resource.name, connectionId, path, key, turnStart });
              if (!fired) return undefined;
              const { rule, action } = fired;
              ctx.report({
                type: "fault",
                target: "message",
                rule: rule.id,
                action: action.kind,
                path,
                ...(action.kind === "close" ? { code: action.code } : {}),
                connectionId,
                resource: resource.name,
              });
              return action;
            },
          },
          { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason), bufferedAmount: () => bufferedAmount(ws) },
        );
      },
      onMessage: (evt) => session?.receive(evt.data as string | ArrayBuffer),
      onError: (evt) => {
        const failure = frameFailure((evt as Event & { error?: unknown }).error);
        if (failure) session?.frameFailed(failure);
      },
      onClose: (evt, ws) => {
        ctx.sockets.delete(ws);
        session?.clientClosed(evt.code, evt.reason);
      },
    };
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
