/**
 * Applying a fired fault to an HTTP request, the same for the token service, the handshake and REST.
 * Only web-standard APIs: a delay is a timer, a hang waits for the client to give up.
 */
import type { Context } from "hono";
import type { MockContext } from "../context.ts";
import type { FaultSubject } from "./registry.ts";

/** Resolves when the client has gone (its request's signal aborts). */
const untilAbandoned = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/**
 * Takes the fault that fires for this request, if any, journals it, and either answers (a
 * response to send instead) or waits and lets the request go on (undefined).
 */
export async function applyFault(
  ctx: MockContext,
  c: Context,
  target: "sts" | "handshake" | "rest" | "tts",
  subject: FaultSubject,
  headers: Record<string, string> = {},
): Promise<Response | undefined> {
  const fired = ctx.faults.take(target, subject);
  if (!fired) return undefined;
  const { rule, action } = fired;
  ctx.report({
    type: "fault",
    target,
    rule: rule.id,
    action: action.kind,
    ...("status" in action ? { status: action.status } : {}),
    ...(subject.connectionId ? { connectionId: subject.connectionId } : {}),
    ...(subject.resource ? { resource: subject.resource } : {}),
  });
  switch (action.kind) {
    case "delay":
      await new Promise((resolve) => setTimeout(resolve, action.ms));
      return undefined;
    case "hang":
      await untilAbandoned(c.req.raw.signal);
      return new Response(null, { status: 499 }); // nobody is listening any more
    case "respond": {
      const body =
        action.body ?? JSON.stringify({ error: { code: String(action.status), message: "Injected by a speechmock fault rule" } });
      return c.body(body, action.status as 200, { "Content-Type": "application/json; charset=utf-8", ...headers, ...action.headers });
    }
    case "reset":
      // A body that fails before its first byte: both runtimes then abort the connection
      // instead of finishing the response, which is as close to a reset as web APIs allow.
      return new Response(
        new ReadableStream({
          start: (controller) => controller.error(new Error("Connection reset by a speechmock fault rule")),
        }),
        { status: 200 },
      );
    case "refuse":
      return c.body(
        JSON.stringify({ error: { code: String(action.status), message: "Injected by a speechmock fault rule" } }),
        action.status as 400,
        {
          "Content-Type": "application/json; charset=utf-8",
          ...headers,
        },
      );
  }
}
