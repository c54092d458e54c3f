import { Hono } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { MockContext } from "../../context.ts";
import { answerHandshake } from "../../gate/handshake-answer.ts";
import { defaultLimits } from "../../protocol/limits.ts";
import { frameFailure } from "../../ws/frame-errors.ts";
import { decideSynthesisHandshake, type SynthesisHandshake } from "./handshake.ts";
import { type SynthesisLimits, SynthesisSession } from "./session.ts";
import { coreSynthesizer } from "./synthesize-core.ts";

/** The SDK's path since 1.x, and the older one it used and 3P clients still use (tts-and-timing.md 2.1). */
export const synthesisSocketPaths = ["/tts/cognitiveservices/websocket/v1", "/cognitiveservices/websocket/v1"] as const;

/** The most SSML one speak takes (UNCONFIRMED; the spec's default, 2.6). */
export const ssmlLimitBytes = 64 * 1024;

type Accepted = Extract<SynthesisHandshake, { accept: true }>;
type Env = { Variables: { synthesis: Accepted }; Bindings: { httpVersion?: string } | undefined };

const bufferedAmount = (ws: WSContext): number => (ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;

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
    const { connectionId, resource, credential } = c.get("synthesis");
    const key = credential.kind === "key" ? credential.raw.trim() : undefined;
    let session: SynthesisSession | undefined;
    return {
      onOpen: (_evt, ws) => {
        ctx.sockets.add(ws);
        session = new SynthesisSession(
          {
            connectionId,
            clock,
            journal: ctx.journal,
            logger,
            limits,
            synthesize,
            overQuota: () => ctx.resources.byName(resource.name)?.state === "quotaExceeded",
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
          {
            send: (text) => ws.send(text),
            sendBinary: (bytes) => ws.send(bytes as Uint8Array<ArrayBuffer>),
            close: (code, reason) => ws.close(code, reason),
            bufferedAmount: () => bufferedAmount(ws),
          },
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
