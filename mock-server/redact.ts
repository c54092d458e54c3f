/**
 * Keys and tokens never appear whole in a log line or an error message: a short prefix and the
 * length are enough to tell which one it was.
 */
export function redact(secret: string | undefined | null): string | undefined {
  if (secret === undefined || secret === null) return undefined;
  const prefix = secret.length <= 8 ? secret.slice(0, 2) : secret.slice(0, 6);
  return `${prefix}…(${secret.length})`;
}

/** An Authorization value with its scheme kept readable: `Bearer eyJhbG…(812)`. */
export function redactAuthorization(value: string): string {
  const match = /^(\S+)\s+(\S.*)$/.exec(value.trim());
  return match ? `${match[1]} ${redact(match[2])}` : (redact(value) as string);
}

/** Headers whose values are secrets: kept as a prefix and a length. */
const secretHeaders = new Set(["ocp-apim-subscription-key", "authorization", "cookie", "x-speechmock-admin-token"]);

/** A request's headers for the journal, lower-case names, secrets reduced to a prefix and a length. */
export function redactedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = !secretHeaders.has(name) ? value : name === "authorization" ? redactAuthorization(value) : (redact(value) as string);
  });
  return out;
}

/**
 * The end of a JWT's signature: enough to tell which issued token a handshake presented (the
 * conformance suite checks it), and useless for forging or replaying one.
 */
export function tokenTag(token: string): string {
  return token.trim().slice(-12);
}

const secretParams = new Set(["subscription-key", "ocp-apim-subscription-key", "authorization"]);

/** A URL's query parameters for the journal, secret values reduced like headers. */
export function redactedQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    const lower = name.toLowerCase();
    out[name] = !secretParams.has(lower) ? value : lower === "authorization" ? redactAuthorization(value) : (redact(value) as string);
  });
  return out;
}
