/**
 * The cap on concurrent connections (`--max-connections`), the same on both runtimes: requests in
 * progress (WebSocket handshakes included) plus open WebSockets. Counted around the app's `fetch`,
 * which both runtime adapters call, so no runtime API is needed; past the cap a request is answered
 * at once, without reading its body, and the connection is closed.
 */

import type { LimitReason } from "../reasons.ts";

/** A `fetch` handler as both runtimes call it. */
export type FetchHandler<Env> = (req: Request, env: Env) => Response | Promise<Response>;

export const connectionsLimitReason: LimitReason = "limit.connections";

export interface ConnectionLimit {
  /** The most requests in progress plus open WebSockets. */
  max: number;
  /** Open WebSockets, which outlive the request that opened them. */
  openSockets(): number;
  /** Told of each refusal: the request, and how many were in use. */
  onRefused(req: Request, inUse: number): void;
}

/** Unconfirmed: the service's gateway answers overload with a JSON error of this shape. */
export const connectionsLimitBody = (max: number): string =>
  JSON.stringify({ error: { code: "ServiceUnavailable", message: `Too many connections (at most ${max}). Retry after 1 second.` } });

/** Wraps `fetch` so that requests past the cap get `503`, `Retry-After: 1` and the reason `limit.connections`. */
export function limitConnections<Env>(
  fetch: FetchHandler<Env>,
  limit: ConnectionLimit,
): ((req: Request, env: Env) => Promise<Response>) & { inFlight(): number } {
  let inFlight = 0;
  const limited = async (req: Request, env: Env): Promise<Response> => {
    const inUse = inFlight + limit.openSockets();
    if (inUse >= limit.max) {
      limit.onRefused(req, inUse);
      // The body is not read (that is the work being refused), so the connection must not be reused.
      return new Response(connectionsLimitBody(limit.max), {
        status: 503,
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "Retry-After": "1",
          "X-Speechmock-Reason": connectionsLimitReason,
          Connection: "close",
        },
      });
    }
    inFlight++;
    try {
      return await fetch(req, env);
    } finally {
      inFlight--;
    }
  };
  return Object.assign(limited, { inFlight: () => inFlight });
}
