/**
 * Nothing unseen: a request no route takes is read to its end, answered `404` (or `405` with
 * `Allow` when its path takes other methods), journaled and logged with its method, host, path
 * and headers (secrets reduced), so a client calling the wrong URL finds out from the mock's log
 * rather than from a bare 404. The control plane has its own 404 and 405 under its prefix.
 */
import type { Context } from "hono";
import type { MockContext } from "../context.ts";
import { redactedHeaders, redactedQuery } from "../redact.ts";
import { jsonHeaders, notFoundBody } from "../sts/bodies.ts";
import { discardBody } from "./discard-body.ts";

/** The service's paths, each with the methods it takes. */
export type KnownPaths = ReadonlyMap<string, readonly string[]>;

/** Unconfirmed: an Azure-shaped error for a method a path does not take, naming the ones it does. */
export const methodNotAllowedBody = (method: string, allowed: readonly string[]): string =>
  JSON.stringify({
    error: {
      code: "405",
      message: `The HTTP method '${method}' is not supported by this resource. Use ${allowed.join(" or ")}.`,
    },
  });

/** The root app's `notFound` handler. */
export function unroutedHandler(ctx: MockContext, known: KnownPaths): (c: Context) => Promise<Response> {
  return async (c) => {
    const url = new URL(c.req.url);
    const method = c.req.method;
    const discarded = await discardBody(c.req.raw.body);
    const allowed = known.get(url.pathname);
    const notAllowed = allowed !== undefined && !allowed.includes(method);
    const status = notAllowed ? 405 : 404;
    ctx.report({
      type: "request.unrouted",
      method,
      host: c.req.header("host"),
      path: url.pathname,
      status,
      reason: notAllowed ? "request.method_not_allowed" : "request.not_found",
      ...(notAllowed ? { allow: allowed.join(", ") } : {}),
      bodyBytes: discarded.bytes,
      headers: redactedHeaders(c.req.raw.headers),
      ...(url.search === "" ? {} : { query: redactedQuery(url) }),
    });
    const close: Record<string, string> = discarded.complete ? {} : { Connection: "close" };
    if (notAllowed) {
      return c.body(methodNotAllowedBody(method, allowed), 405, { ...jsonHeaders, Allow: allowed.join(", "), ...close });
    }
    return c.body(notFoundBody, 404, { ...jsonHeaders, ...close });
  };
}
