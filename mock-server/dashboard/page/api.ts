/**
 * The control plane's HTTP API, from the page: same origin, so the guard's Host and Origin rules
 * pass; `Content-Type: application/json` on every request that changes something, as the guard
 * asks; the admin token, when the mock needs one, from sessionStorage.
 */

const tokenKey = "speechmock.adminToken";

/** The control plane's base path: the page is served at `<admin>/`. */
export const adminBase = (): string => location.pathname.replace(/\/$/, "");

export const storedToken = (): string | undefined => sessionStorage.getItem(tokenKey) ?? undefined;
export const storeToken = (token: string): void => sessionStorage.setItem(tokenKey, token);

export const authHeaders = (): Record<string, string> => {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
};

/** The mock refused the admin token (or needs one): the page asks for it. */
export class NeedsToken extends Error {
  override readonly name = "NeedsToken";
}

/** A control request; its JSON answer, or undefined for 204. Throws `NeedsToken` on 401, an Error with the mock's message otherwise. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders() };
  if (method !== "GET") headers["Content-Type"] = "application/json";
  const res = await fetch(`${adminBase()}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    cache: "no-store",
  });
  if (res.status === 401) throw new NeedsToken("The control plane needs the admin token");
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `${method} ${path}: ${res.status}`);
  return json as T;
}
