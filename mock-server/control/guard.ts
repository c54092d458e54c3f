import type { MiddlewareHandler } from "hono";
import type { Logger } from "../events.ts";
import { controlPrefix } from "./prefix.ts";

/**
 * The control plane answers only its own origin. A web page the tester happens to open must not
 * be able to reset the mock, add a fault or read the keys:
 * - `421` when no admin token is set and the Host is not a loopback name or an `--admin-host`
 *   (DNS rebinding: `attacker.example` resolved to 127.0.0.1 sends `Host: attacker.example`);
 * - `403` when an `Origin` header names another origin (a page elsewhere, or `null`);
 * - `415` when a POST, PUT, PATCH or DELETE is not `Content-Type: application/json`: a page may
 *   send `text/plain`, form bodies or no body at all without a CORS preflight, never JSON.
 * Health is exempt from the Host and Origin rules, as from the token: it changes nothing and
 * tells only that the mock is up, and CI probes it by whatever name reaches it.
 */
export interface GuardOptions {
  /** With a token any Host is answered: the token is the protection. */
  adminToken?: string;
  /** Names (no port) answered besides loopback ones. */
  adminHosts: readonly string[];
  logger: Logger;
}

/** What the guard reads of a request. */
export interface GuardedRequest {
  method: string;
  path: string;
  /** The URL's scheme with its colon, `http:`. */
  protocol: string;
  host: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
}

export interface Refusal {
  status: 403 | 415 | 421;
  code: "ERR_MISDIRECTED_REQUEST" | "ERR_FOREIGN_ORIGIN" | "ERR_UNSUPPORTED_MEDIA_TYPE";
  message: string;
}

const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A Host header's name, as the URL parser normalises it (lower case, `[0:0::1]` is `[::1]`,
 * `0x7f.1` is `127.0.0.1`), without its port; undefined for anything a browser would not send.
 */
export function hostNameOf(host: string): string | undefined {
  if (!/^[A-Za-z0-9._:[\]-]+$/.test(host)) return undefined;
  try {
    const { hostname, username, pathname } = new URL(`http://${host}`);
    if (username !== "" || pathname !== "/") return undefined;
    return hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  } catch {
    return undefined;
  }
}

/** Loopback names and addresses: `localhost`, `*.localhost` (RFC 6761), `127.0.0.0/8`, `[::1]`. */
export const isLoopbackName = (name: string): boolean =>
  name === "localhost" || name.endsWith(".localhost") || name === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(name);

/** The refusal a control request gets, or undefined to let it through. Pure: no server needed. */
export function refusalOf(req: GuardedRequest, options: Pick<GuardOptions, "adminToken" | "adminHosts">): Refusal | undefined {
  if (req.path === `${controlPrefix}/health`) return undefined;
  const name = req.host === undefined ? undefined : hostNameOf(req.host);
  if (options.adminToken === undefined) {
    const allowed = name !== undefined && (isLoopbackName(name) || options.adminHosts.some((h) => hostNameOf(h) === name));
    if (!allowed) {
      const message =
        `The control plane answers only loopback names without an admin token, not Host ${JSON.stringify(req.host ?? null)}. ` +
        "Expected localhost, *.localhost, 127.x.x.x or [::1], a name given with --admin-host (adminHosts from code), or an admin token";
      return { status: 421, code: "ERR_MISDIRECTED_REQUEST", message };
    }
  }
  if (req.origin !== undefined) {
    const own = req.host === undefined ? undefined : originOf(`${req.protocol}//${req.host}`);
    if (own === undefined || originOf(req.origin) !== own) {
      const message =
        `The control plane answers only its own origin (${own ?? "unknown"}), not Origin ${JSON.stringify(req.origin)}: ` +
        "a web page elsewhere must not drive the mock";
      return { status: 403, code: "ERR_FOREIGN_ORIGIN", message };
    }
  }
  if (stateChanging.has(req.method.toUpperCase())) {
    const mediaType = req.contentType?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      const given = req.contentType === undefined ? "No Content-Type" : `Unsupported Content-Type ${JSON.stringify(req.contentType)}`;
      const message = `${given} on ${req.method} ${req.path}: expected application/json, on every POST, PUT, PATCH and DELETE with a body or not`;
      return { status: 415, code: "ERR_UNSUPPORTED_MEDIA_TYPE", message };
    }
  }
  return undefined;
}

/** The answers the guard may give on a route, for the OpenAPI document (path relative to the prefix). */
export function guardResponses(method: string, path: string): Record<number, string> {
  if (path === "/health") return {};
  const responses: Record<number, string> = {
    403: "The Origin header names another origin than the mock's own",
    421: "No admin token is set and the Host is neither a loopback name nor an --admin-host",
  };
  if (stateChanging.has(method.toUpperCase())) responses[415] = "The Content-Type is not application/json (needed with a body or not)";
  return responses;
}

/** `http://Localhost:80` and `http://localhost` are one origin; undefined for `null` or nonsense. */
function originOf(text: string): string | undefined {
  try {
    const origin = new URL(text).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The guard as Hono middleware for the whole control sub-app; each refusal is logged, never a credential. */
export function controlGuard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const req: GuardedRequest = {
      method: c.req.method,
      path: c.req.path,
      protocol: url.protocol,
      host: c.req.header("host") ?? url.host,
      origin: c.req.header("origin"),
      contentType: c.req.header("content-type"),
    };
    const refusal = refusalOf(req, options);
    if (refusal === undefined) return next();
    const { status, code, message } = refusal;
    options.logger({ type: "control.refused", method: req.method, path: req.path, host: req.host, origin: req.origin, status, code });
    return c.json({ error: { code, message } }, status);
  };
}
