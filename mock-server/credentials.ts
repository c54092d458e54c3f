import type { CredentialSource } from "./events.ts";

export const authorizationName = "Authorization";
export const subscriptionKeyName = "Ocp-Apim-Subscription-Key";

export type Credential =
  | { kind: "none" }
  | { kind: "token"; source: CredentialSource; raw: string }
  | { kind: "key"; source: CredentialSource; raw: string };

/** A query parameter by name, ignoring case: clients spell header names in the query as they like. */
export function queryParam(url: URL, name: string): string | undefined {
  const direct = url.searchParams.get(name);
  if (direct !== null) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The credential a WebSocket request presents. Browsers cannot set headers on a WebSocket, so
 * every client may put them in the query string instead; headers win when both are present,
 * and a token wins over a key (the service tries the token when it sees one).
 */
export function readCredential(headers: Headers, url: URL): Credential {
  const authHeader = headers.get(authorizationName);
  if (authHeader !== null) return { kind: "token", source: "header", raw: authHeader };
  const authQuery = queryParam(url, authorizationName);
  if (authQuery !== undefined) return { kind: "token", source: "query", raw: authQuery };
  const keyHeader = headers.get(subscriptionKeyName);
  if (keyHeader !== null) return { kind: "key", source: "header", raw: keyHeader };
  const keyQuery = queryParam(url, subscriptionKeyName);
  if (keyQuery !== undefined) return { kind: "key", source: "query", raw: keyQuery };
  return { kind: "none" };
}

export type BearerParse = { ok: true; token: string } | { ok: false; reason: "auth.empty" | "auth.scheme_invalid" };

/**
 * `Bearer <jwt>` with the scheme in any case (SDKs have sent `bearer` and `Bearer`), or a bare
 * JWT, as SDKs up to 1.18 sent it.
 */
export function parseAuthorization(value: string): BearerParse {
  const trimmed = value.trim();
  if (trimmed === "") return { ok: false, reason: "auth.empty" };
  const space = trimmed.search(/\s/);
  // `Bearer ` trims to a lone scheme: an empty token, not a bare token spelled "Bearer".
  if (space === -1) return trimmed.toLowerCase() === "bearer" ? { ok: false, reason: "auth.empty" } : { ok: true, token: trimmed };
  const scheme = trimmed.slice(0, space);
  const rest = trimmed.slice(space).trim();
  if (scheme.toLowerCase() !== "bearer") return { ok: false, reason: "auth.scheme_invalid" };
  if (rest === "") return { ok: false, reason: "auth.empty" };
  return { ok: true, token: rest };
}
