/** The WebSocket upgrade's own rules (RFC 6455), the same for every socket the mock serves. */
import type { HandshakeReason } from "../reasons.ts";

/** RFC 6455: the key is 16 random bytes in base64, so always 24 characters ending in "==". */
const websocketKeyPattern = /^[A-Za-z0-9+/]{22}==$/;
/** RFC 9110's `token`: what each comma-separated subprotocol name must be (RFC 6455 section 4.1). */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether a comma-separated header value lists `token`, ignoring case (`Connection: keep-alive, Upgrade`). */
const listsToken = (value: string | null, token: string): boolean => (value ?? "").split(",").some((t) => t.trim().toLowerCase() === token);

/**
 * Why a `Sec-WebSocket-Protocol` value is not a list of distinct tokens, or undefined when it is:
 * the rule `ws` applies (it answers 400), so it is decided before the upgrade on both runtimes.
 */
export function subprotocolProblem(value: string): string | undefined {
  const names = value.split(",").map((name) => name.replace(/^[ \t]+|[ \t]+$/g, ""));
  const bad = names.find((name) => !tokenPattern.test(name));
  if (bad !== undefined) return bad === "" ? "an empty name" : `${JSON.stringify(bad.slice(0, 64))}, not a token`;
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return `${JSON.stringify(name.slice(0, 64))} twice`;
    seen.add(name);
  }
  return undefined;
}

export type UpgradeRefusal = { status: 400 | 405 | 426; reason: HandshakeReason; detail: string };

/**
 * What makes a request no valid WebSocket upgrade (RFC 6455 section 4.2.1), or undefined. Checked
 * by each socket's handshake decision rather than left to the WebSocket layer, which would refuse
 * only after the decision was logged as accepted (`ws` answers 400 or 405, or upgrades any HTTP
 * version), and the older Deno.serve transport differently again. `httpVersion` is the request
 * line's (`1.1`), as the runtime adapter saw it; undefined (no adapter) is let through.
 */
export function upgradeProblem(req: Request, httpVersion: string | undefined): UpgradeRefusal | undefined {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return { status: 426, reason: "request.not_websocket", detail: "Expected a WebSocket upgrade request" };
  }
  if (req.method !== "GET") {
    return { status: 405, reason: "request.method_invalid", detail: `Expected GET for a WebSocket upgrade, got ${req.method}` };
  }
  if (httpVersion !== undefined && httpVersion !== "1.1") {
    return {
      status: 400,
      reason: "request.http_version_invalid",
      detail: `Expected an HTTP/1.1 request for a WebSocket upgrade, got HTTP/${httpVersion.slice(0, 16)}`,
    };
  }
  if (!listsToken(req.headers.get("connection"), "upgrade")) {
    return {
      status: 400,
      reason: "request.connection_not_upgrade",
      detail: `Expected a Connection header listing "Upgrade", got ${JSON.stringify((req.headers.get("connection") ?? "").slice(0, 64))}`,
    };
  }
  const wsKey = req.headers.get("sec-websocket-key");
  if (wsKey === null || !websocketKeyPattern.test(wsKey) || req.headers.get("sec-websocket-version") !== "13") {
    return {
      status: 400,
      reason: "request.websocket_invalid",
      detail: "Expected Sec-WebSocket-Key (16 bytes in base64) and Sec-WebSocket-Version: 13, as RFC 6455 requires",
    };
  }
  const protocols = req.headers.get("sec-websocket-protocol");
  const problem = protocols === null ? undefined : subprotocolProblem(protocols);
  if (problem !== undefined) {
    return {
      status: 400,
      reason: "request.subprotocol_invalid",
      detail: `Expected Sec-WebSocket-Protocol as distinct comma-separated tokens, got ${problem}`,
    };
  }
  return undefined;
}
