/**
 * What the two REST APIs behind the token (recognition for short audio, and synthesis) share: CORS
 * for browser pages, and the auth gate whose refusals are journaled with the body bytes read.
 */
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { gateDeps, type MockContext } from "../context.ts";
import { restCredentials } from "../gate/credentials.ts";
import { authGate, type GateEnv, type Refusal, reasonHeader } from "../gate/middleware.ts";
import { jsonHeaders } from "../sts/bodies.ts";
import { discardBody } from "./discard-body.ts";

/** CORS for an API pages on any origin call directly: the preflight, and the headers every answer carries. */
export function apiCors(allowMethods: string[], allowHeaders: string[]): { preflight: MiddlewareHandler; headers: MiddlewareHandler } {
  return {
    preflight: cors({ origin: "*", allowMethods, allowHeaders, exposeHeaders: [reasonHeader], maxAge: 86_400 }),
    // Through `c.header`, before the handler, as the token service does (see sts/issue-token.ts).
    headers: (c, next) => {
      c.header("Access-Control-Allow-Origin", "*");
      c.header("Access-Control-Expose-Headers", reasonHeader);
      return next();
    },
  };
}

/** The fields a refused request is journaled with. */
export interface RefusedRequest {
  status: 401 | 403;
  reason: Refusal["reason"];
  detail: string;
  bodyBytes: number;
  resource?: string;
}

/**
 * The auth gate of a REST API: a refusal reads the rest of the body (so a client still sending
 * hears it; past `maxBodyBytes` the connection closes), is journaled through `report`, and is answered
 * with the API's status and JSON body and the reason header.
 */
export function restAuthGate(
  ctx: MockContext,
  answer: (refusal: Refusal) => { status: 401 | 403; body: string },
  report: (c: Context<GateEnv>, refused: RefusedRequest) => void,
  maxBodyBytes: number,
): MiddlewareHandler<GateEnv> {
  return authGate({
    deps: gateDeps(ctx),
    credentials: restCredentials,
    regionOf: ctx.regionOf,
    onRefused: async (c, refusal) => {
      const { status, body } = answer(refusal);
      const discarded = await discardBody(c.req.raw.body, maxBodyBytes);
      report(c, {
        status,
        reason: refusal.reason,
        detail: refusal.detail,
        bodyBytes: discarded.bytes,
        ...(refusal.resource ? { resource: refusal.resource.name } : {}),
      });
      const close: Record<string, string> = discarded.complete ? {} : { Connection: "close" };
      return c.body(body, status, { ...jsonHeaders, [reasonHeader]: refusal.reason, ...close });
    },
  });
}
