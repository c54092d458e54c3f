/**
 * What both speech sockets (recognition and synthesis) do with an accepted socket, the same way:
 * keep it in the mock's registry (so stopping the mock closes it), make its session when it opens,
 * feed it each message, tell it of a frame the WebSocket layer refused and of the close; and let
 * fault rules on `message` fire on the messages a session reports.
 */
import type { WSContext, WSEvents } from "hono/ws";
import type { MockContext } from "../context.ts";
import type { MessageFaultAction } from "../faults/rules.ts";
import type { Credential } from "../gate/credentials.ts";
import type { Resource } from "../subscriptions/resource.ts";
import { type FrameFailure, frameFailure } from "./frame-errors.ts";

/** What a socket's session takes from the socket. */
export interface SocketSession {
  receive(data: string | ArrayBuffer): void;
  frameFailed(failure: FrameFailure): void;
  clientClosed(code: number, reason: string): void;
}

/** Bytes queued for the client, as `ws` (and any web-style WebSocket) counts them. */
export const bufferedAmount = (ws: WSContext): number => (ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;

/** The events of an accepted socket whose session `open` makes. */
export function sessionEvents(ctx: MockContext, open: (ws: WSContext) => SocketSession): WSEvents {
  let session: SocketSession | undefined;
  return {
    onOpen: (_evt, ws) => {
      ctx.sockets.add(ws);
      session = open(ws);
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
}

/** The fault rule on `message` that fires on a client message of this connection, journaled; `undefined` for none. */
export function messageFaults(
  ctx: MockContext,
  accepted: { resource: Resource; connectionId: string; credential: Credential },
): (path: string, turnStart: boolean) => MessageFaultAction | undefined {
  const { resource, connectionId, credential } = accepted;
  const key = credential.kind === "key" ? credential.raw.trim() : undefined;
  return (path, turnStart) => {
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
  };
}
