/**
 * The auth gate's one decision, the same for the token service, the speech WebSocket and the REST
 * APIs: may this credential use this region's endpoint, and as which resource? Pure apart from
 * the token's signature check: it reads only the registry, the signing keys and the clock it is
 * given, so a test of it needs no server.
 */
import type { Clock } from "../clock.ts";
import { regionOfAudience } from "../jwt/claims.ts";
import type { SigningKeys } from "../jwt/keys.ts";
import { verifyToken } from "../jwt/verify.ts";
import { type AuthRefusal, authRefusals } from "../reasons.ts";
import type { ResourceRegistry } from "../subscriptions/registry.ts";
import type { Resource } from "../subscriptions/resource.ts";
import { type Credential, type CredentialKind, type CredentialSource, isBareToken, parseAuthorization } from "./credentials.ts";

/** What the decision reads, and nothing more. */
export interface GateDeps {
  readonly resources: Pick<ResourceRegistry, "byKey" | "bySubscriptionId">;
  readonly keys: SigningKeys;
  /** Verifies token expiry: the mock's clock, which the control plane may move. */
  readonly clock: Clock;
}

/** What differs between the APIs behind the gate. */
export interface GatePolicy {
  /**
   * A resource out of quota: `refuse` it (the token service, the REST APIs, the WebSocket with
   * `--quota-exceeded refuse`), or `accept` it and let the API deal with it (the WebSocket
   * closes its socket `1007` at the first message).
   */
  readonly overQuota: "refuse" | "accept";
  /** Where credentials are read, for the message of `auth.missing`. */
  readonly sources: readonly CredentialSource[];
}

/** Something a client did that the service accepts but a client should not rely on. */
export type AuthNotice = "auth.bare_token";

export type AuthDecision =
  | {
      readonly ok: true;
      readonly kind: CredentialKind;
      readonly resource: Resource;
      /** `auth.bare_token`: a token without `Bearer ` (SDKs up to 1.18, the 2017 browser sample). */
      readonly notices: readonly AuthNotice[];
    }
  | {
      readonly ok: false;
      readonly reason: AuthRefusal;
      /** What was wrong, where, and what was expected: for logs and the mock's own error bodies. */
      readonly detail: string;
      /** The resource the credential named, when it named one (a key of another region, a disabled resource). */
      readonly resource?: Resource;
      /** A credential was present where this API does not read it (see `Credential`). */
      readonly ignored?: CredentialSource;
    };

export type KeyDecision = Extract<AuthDecision, { ok: true }> | (Extract<AuthDecision, { ok: false }> & { reason: KeyRefusal });
export type KeyRefusal = "auth.empty" | "auth.key_unknown" | "auth.wrong_region" | "auth.resource_disabled" | "auth.quota_exceeded";

const refuse = <R extends AuthRefusal>(reason: R, detail: string, resource?: Resource) =>
  resource ? ({ ok: false, reason, detail, resource } as const) : ({ ok: false, reason, detail } as const);

/** Whether the resource may be used now: not disabled, and in quota unless the policy accepts that. */
function checkState(resource: Resource, kind: CredentialKind, policy: Pick<GatePolicy, "overQuota">, notices: readonly AuthNotice[]) {
  if (resource.state === "disabled") return refuse("auth.resource_disabled", `Resource "${resource.name}" is disabled`, resource);
  if (resource.state === "quotaExceeded" && policy.overQuota === "refuse") {
    return refuse("auth.quota_exceeded", `Resource "${resource.name}" is out of call volume quota`, resource);
  }
  return { ok: true, kind, resource, notices } as const;
}

/**
 * A subscription key, exactly as given (the token service does not trim it; `authorize` does).
 * Synchronous: the token service's hot path has no token to verify.
 */
export function authorizeKey(key: string, region: string, deps: GateDeps, policy: Pick<GatePolicy, "overQuota">): KeyDecision {
  if (key === "") return refuse("auth.empty", "The subscription key is empty");
  const resource = deps.resources.byKey(key);
  if (!resource) return refuse("auth.key_unknown", "The subscription key belongs to no resource");
  if (resource.region !== region) {
    return refuse("auth.wrong_region", `The key's resource is in "${resource.region}", the endpoint is in "${region}"`, resource);
  }
  return checkState(resource, "key", policy, []);
}

const noNotices: readonly AuthNotice[] = [];
const bareNotice: readonly AuthNotice[] = ["auth.bare_token"];

/** The token's checks: scheme, shape, signature, expiry, issuer, region, and that its resource still exists. */
async function authorizeToken(raw: string, region: string, deps: GateDeps, policy: GatePolicy): Promise<AuthDecision> {
  const bearer = parseAuthorization(raw);
  if (!bearer.ok) {
    return refuse(
      bearer.reason,
      bearer.reason === "auth.empty" ? "The Authorization value is empty" : 'Expected "Bearer <token>" or a bare token',
    );
  }
  const verified = await verifyToken(bearer.token, deps.keys, deps.clock);
  if (!verified.ok) {
    const reason = (authRefusals as readonly string[]).includes(verified.reason)
      ? (verified.reason as AuthRefusal)
      : "auth.token_malformed";
    return refuse(reason, verified.detail);
  }
  const tokenRegion = regionOfAudience(String(verified.payload.aud));
  if (tokenRegion !== region) {
    return refuse("auth.wrong_region", `The token is for "${tokenRegion ?? String(verified.payload.aud)}", the endpoint is in "${region}"`);
  }
  const resource = deps.resources.bySubscriptionId(String(verified.payload["subscription-id"]));
  if (!resource) return refuse("auth.token_revoked", "The token's resource no longer exists");
  return checkState(resource, "token", policy, isBareToken(raw) ? bareNotice : noNotices);
}

/** `auth.missing`'s message: what the API would have read, and where. */
const missingDetail = (sources: readonly CredentialSource[], ignored: CredentialSource | undefined): string => {
  const where = sources.includes("query") ? "header or query parameter" : "header";
  const expected = `Expected an Authorization or Ocp-Apim-Subscription-Key ${where}`;
  return ignored === "query" ? `${expected}; credentials in the query string are not accepted here` : expected;
};

/**
 * The decision for the credential a request presents (see `readCredential`) at `region`'s
 * endpoint. A token wins over a key; a key is trimmed. Refusals carry the gate's reason codes.
 */
export async function authorize(credential: Credential, region: string, deps: GateDeps, policy: GatePolicy): Promise<AuthDecision> {
  if (credential.kind === "none") {
    const decision = refuse("auth.missing", missingDetail(policy.sources, credential.ignored));
    return credential.ignored ? { ...decision, ignored: credential.ignored } : decision;
  }
  if (credential.kind === "key") return authorizeKey(credential.raw.trim(), region, deps, policy);
  return authorizeToken(credential.raw, region, deps, policy);
}
