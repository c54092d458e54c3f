/**
 * The auth gate as Hono middleware, in the manner of `hono/bearer-auth`: one options object,
 * defaulted at the top; the decision goes into the context for the handler (and the journal), and
 * a refused request is answered before the handler runs. The REST APIs use it; the token service
 * and the WebSocket handshake call `authorize` themselves, inside decisions their tests call
 * directly.
 */
import type { Context, MiddlewareHandler } from "hono";
import { invalidKeyBody, jsonHeaders, quotaExceededBody, resourceDisabledBody } from "../sts/bodies.ts";
import { type AuthDecision, authorize, type GateDeps, type GatePolicy } from "./authorize.ts";
import { ambiguousCredential, type Credential, type CredentialPolicy, readCredential } from "./credentials.ts";

/**
 * Refusals name their reason code in this header: the WebSocket's (clients' WebSocket libraries
 * rarely show a refused upgrade's body) and the REST APIs' (whose bodies are Azure's, with no room for it).
 */
export const reasonHeader = "X-Speechmock-Reason";

/** What the gate puts in the context, refused or not, under `gate`. */
export interface GateResult {
  readonly region: string;
  readonly credential: Credential;
  readonly decision: AuthDecision;
}

export type GateEnv = { Variables: { gate: GateResult } };

export type Refusal = Extract<AuthDecision, { ok: false }>;

export interface AuthGateOptions {
  /** The registry, the signing keys and the clock the decision reads. */
  deps: GateDeps;
  /** Which credential kinds are read, and where (`restCredentials`, `websocketCredentials`). */
  credentials: CredentialPolicy;
  /** A resource out of quota is refused unless this says `accept` (default `refuse`). */
  overQuota?: GatePolicy["overQuota"];
  /** The region the request addresses, from its Host header. */
  regionOf: (host: string | undefined) => string;
  /** Answers a refused request (the decision is in `c.get("gate")`); default: Azure's status and body, `azureRefusal`. */
  onRefused?: (c: Context<GateEnv>, refusal: Refusal) => Response | Promise<Response>;
}

/**
 * Unconfirmed: the gateway's shape for a request with no credential at all. The REST API for short
 * audio documents `403` "A resource key or authorization token is missing".
 */
export const missingCredentialBody =
  '{"error":{"code":"403","message":"Access denied due to missing subscription key or authorization token. Make sure to include an Ocp-Apim-Subscription-Key or Authorization header when making requests to an API."}}';

/**
 * Azure's answer to a refused REST request (speech-service.md section 8, tts-and-timing.md 4.1):
 * `401` for a key or token that is invalid in this region, `403` for a missing one, and the token
 * service's bodies for a disabled resource and one out of quota.
 */
export function azureRefusal(refusal: Refusal): { status: 401 | 403; body: string } {
  switch (refusal.reason) {
    case "auth.missing":
    case "auth.empty":
      return { status: 403, body: missingCredentialBody };
    case "auth.resource_disabled":
      return { status: 403, body: resourceDisabledBody };
    case "auth.quota_exceeded":
      return { status: 403, body: quotaExceededBody(refusal.resource?.quotaRenewsIn ?? "0.01:00:00") };
    default:
      return { status: 401, body: invalidKeyBody };
  }
}

const defaultRefusal = (c: Context<GateEnv>, refusal: Refusal): Response => {
  const { status, body } = azureRefusal(refusal);
  return c.body(body, status, jsonHeaders);
};

/** The gate for one API: reads the credential, decides, and either answers or lets the handler run. */
export function authGate(options: AuthGateOptions): MiddlewareHandler<GateEnv> {
  const { deps, credentials, regionOf, overQuota = "refuse", onRefused = defaultRefusal } = options;
  const policy: GatePolicy = { overQuota, sources: credentials.sources };
  return async function gate(c, next) {
    const region = regionOf(c.req.header("host"));
    const url = new URL(c.req.url);
    const credential = readCredential(c.req.raw.headers, url, credentials);
    const ambiguous = ambiguousCredential(c.req.raw.headers, url, credentials);
    const decision: AuthDecision =
      ambiguous === undefined
        ? await authorize(credential, region, deps, policy)
        : {
            ok: false,
            reason: "auth.ambiguous",
            detail: `Expected one ${ambiguous}, got two or more (repeated headers arrive joined by ", ")`,
          };
    c.set("gate", { region, credential, decision });
    if (!decision.ok) return onRefused(c, decision);
    await next();
  };
}
