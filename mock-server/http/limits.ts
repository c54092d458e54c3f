/**
 * The caps on concurrent work, the same on both runtimes: connections (`--max-connections`:
 * requests in progress, WebSocket handshakes included, plus open WebSockets) and handshakes in
 * progress (`--max-handshakes`: each one costs a signature check). Counted around the app's
 * `fetch`, which both runtime adapters call, so no runtime API is needed; past a cap a request is
 * answered at once, without reading its body, and the connection is closed.
 */

import type { LimitReason } from "../reasons.ts";

/** A `fetch` handler as both runtimes call it. */
export type FetchHandler<Env> = (req: Request, env: Env) => Response | Promise<Response>;

export interface ConnectionLimit {
  /** The most requests in progress plus open WebSockets. */
  max: number;
  /** The most WebSocket handshakes in progress. */
  maxHandshakes: number;
  /** Open WebSockets, which outlive the request that opened them. */
  openSockets(): number;
  /** Told of each refusal: the request, which cap, how many were in use and the cap. */
  onRefused(req: Request, refusal: Refusal): void;
}

export interface Refusal {
  reason: LimitReason;
  inUse: number;
  max: number;
  /** The flag that sets the cap, for the log. */
  flag: "--max-connections" | "--max-handshakes";
}

/** Unconfirmed: the service's gateway answers overload with a JSON error of this shape. */
export const limitBody = (what: string, max: number): string =>
  JSON.stringify({ error: { code: "ServiceUnavailable", message: `Too many ${what} (at most ${max}). Retry after 1 second.` } });

const refused = (refusal: Refusal, what: string) =>
  // The body is not read (that is the work being refused), so the connection must not be reused.
  new Response(limitBody(what, refusal.max), {
    status: 503,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Retry-After": "1",
      "X-Speechmock-Reason": refusal.reason,
      Connection: "close",
    },
  });

/** Wraps `fetch` so that requests past a cap get `503`, `Retry-After: 1` and the cap's reason. */
export function limitConnections<Env>(
  fetch: FetchHandler<Env>,
  limit: ConnectionLimit,
): ((req: Request, env: Env) => Promise<Response>) & { inFlight(): number } {
  let inFlight = 0;
  let handshakes = 0;
  const limited = async (req: Request, env: Env): Promise<Response> => {
    const inUse = inFlight + limit.openSockets();
    if (inUse >= limit.max) {
      const refusal: Refusal = { reason: "limit.connections", inUse, max: limit.max, flag: "--max-connections" };
      limit.onRefused(req, refusal);
      return refused(refusal, "connections");
    }
    const handshake = req.headers.has("upgrade");
    if (handshake && handshakes >= limit.maxHandshakes) {
      const refusal: Refusal = { reason: "limit.handshakes", inUse: handshakes, max: limit.maxHandshakes, flag: "--max-handshakes" };
      limit.onRefused(req, refusal);
      return refused(refusal, "handshakes in progress");
    }
    inFlight++;
    if (handshake) handshakes++;
    try {
      return await fetch(req, env);
    } finally {
      inFlight--;
      if (handshake) handshakes--;
    }
  };
  return Object.assign(limited, { inFlight: () => inFlight });
}
