/**
 * Where a request carries its credential, and which places an API reads: the token service takes
 * a key (and, behind a switch, `?subscription-key=`), the speech WebSocket a token or a key in
 * headers or the query string (browsers cannot set headers on a WebSocket), the REST APIs a token
 * or a key in headers only.
 */
import { redact, redactAuthorization } from "../redact.ts";

export const authorizationName = "Authorization";
export const subscriptionKeyName = "Ocp-Apim-Subscription-Key";

/** Where a credential was found: clients in browsers can only use the query string. */
export type CredentialSource = "header" | "query";

export type CredentialKind = "token" | "key";

export type Credential =
  | {
      kind: "none";
      /** A credential was present where this API does not read one (a key in the token service's query string). */
      ignored?: CredentialSource;
    }
  | { kind: "token"; source: CredentialSource; raw: string }
  | { kind: "key"; source: CredentialSource; raw: string };

/** What an API reads, and where. */
export interface CredentialPolicy {
  /** Kinds read; a token wins over a key when both are present (the service tries the token). */
  readonly kinds: readonly CredentialKind[];
  /** Places read; a header wins over the query. */
  readonly sources: readonly CredentialSource[];
  /** The query parameter that carries a key (the WebSocket: the header's name; the token service: `subscription-key`). */
  readonly queryKeyName: string;
  /**
   * Query parameters noticed but not read, reported as `ignored` so a refusal can say why (the
   * token service's `subscription-key` when `--sts-key-in-query` is off).
   */
  readonly ignoredQueryNames?: readonly string[];
}

/** The speech WebSocket: a token or a key, in headers or in the query string. */
export const websocketCredentials: CredentialPolicy = {
  kinds: ["token", "key"],
  sources: ["header", "query"],
  queryKeyName: subscriptionKeyName,
};

/** The REST APIs (speech to text for short audio, later text to speech): a token or a key, headers only. */
export const restCredentials: CredentialPolicy = {
  kinds: ["token", "key"],
  sources: ["header"],
  queryKeyName: subscriptionKeyName,
  ignoredQueryNames: [authorizationName, subscriptionKeyName, "subscription-key"],
};

/** The token service: a key in its header, and in `?subscription-key=` only when the switch allows it. */
export const stsCredentials = (keyInQuery: boolean): CredentialPolicy =>
  keyInQuery
    ? { kinds: ["key"], sources: ["header", "query"], queryKeyName: "subscription-key" }
    : { kinds: ["key"], sources: ["header"], queryKeyName: "subscription-key", ignoredQueryNames: ["subscription-key"] };

/** A query parameter by name, ignoring case: clients spell header names in the query as they like. */
export function queryParam(url: URL, name: string): string | undefined {
  const direct = url.searchParams.get(name);
  if (direct !== null) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The credential a request presents under `policy` (the WebSocket's by default). Headers win when
 * both are present, and a token wins over a key (the service tries the token when it sees one).
 */
export function readCredential(headers: Headers, url: URL, policy: CredentialPolicy = websocketCredentials): Credential {
  const { kinds, sources } = policy;
  const tokens = kinds.includes("token");
  const keys = kinds.includes("key");
  const inQuery = sources.includes("query");
  if (tokens) {
    const authHeader = headers.get(authorizationName);
    if (authHeader !== null) return { kind: "token", source: "header", raw: authHeader };
    if (inQuery) {
      const authQuery = queryParam(url, authorizationName);
      if (authQuery !== undefined) return { kind: "token", source: "query", raw: authQuery };
    }
  }
  if (keys) {
    const keyHeader = headers.get(subscriptionKeyName);
    if (keyHeader !== null) return { kind: "key", source: "header", raw: keyHeader };
    if (inQuery) {
      const keyQuery = queryParam(url, policy.queryKeyName);
      if (keyQuery !== undefined) return { kind: "key", source: "query", raw: keyQuery };
    }
  }
  const ignored = policy.ignoredQueryNames;
  if (ignored && url.search !== "" && ignored.some((name) => queryParam(url, name) !== undefined))
    return { kind: "none", ignored: "query" };
  return { kind: "none" };
}

/**
 * The credential name that carries two or more values, if any, among those `policy` reads: such
 * a request is refused (`auth.ambiguous`) rather than read first-wins or last-wins, since runtimes
 * differ. Repeated headers reach a `Headers` object joined by ", " on both runtimes (Node's
 * adapter keeps them all), and no valid token (three base64url parts) or key (hex) contains a
 * comma, so a comma in either header means two values. Query parameters are counted, in any name case.
 */
export function ambiguousCredential(headers: Headers, url: URL, policy: CredentialPolicy = websocketCredentials): string | undefined {
  const tokens = policy.kinds.includes("token");
  const keys = policy.kinds.includes("key");
  if (policy.sources.includes("header")) {
    for (const name of [...(tokens ? [authorizationName] : []), ...(keys ? [subscriptionKeyName] : [])]) {
      if (headers.get(name)?.includes(",")) return name;
    }
  }
  if (policy.sources.includes("query") && url.search !== "") {
    for (const name of [...(tokens ? [authorizationName] : []), ...(keys ? [policy.queryKeyName] : [])]) {
      const lower = name.toLowerCase();
      let count = 0;
      for (const k of url.searchParams.keys()) if (k.toLowerCase() === lower) count++;
      if (count > 1) return name;
    }
  }
  return undefined;
}

export type BearerParse =
  | { ok: true; token: string }
  | {
      ok: false;
      reason: "auth.empty" | "auth.scheme_invalid";
    };

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

/**
 * Whether an Authorization value is a bare token, with no scheme: what SDKs up to 1.18 and
 * Microsoft's 2017 browser sample (`Authorization=<jwt>` in the query) send. Accepted, and noticed.
 */
export const isBareToken = (value: string): boolean => {
  const trimmed = value.trim();
  return trimmed !== "" && !/\s/.test(trimmed) && trimmed.toLowerCase() !== "bearer";
};

/** A presented credential as logs and the journal show it: its kind, where it was, its value as a prefix and a length. */
export type CredentialRecord = { kind: CredentialKind | "none"; source?: CredentialSource; value?: string };

/** Never the whole key or token: `Bearer eyJhbG…(762)`, `7e57c0…(32)`. */
export function credentialRecord(credential: Credential): CredentialRecord {
  if (credential.kind === "none") return { kind: "none" };
  const value = credential.kind === "token" ? redactAuthorization(credential.raw) : (redact(credential.raw) as string);
  return { kind: credential.kind, source: credential.source, value };
}
