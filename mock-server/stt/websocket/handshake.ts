import { gateDeps, type MockContext } from "../../context.ts";
import { type AuthNotice, authorize } from "../../gate/authorize.ts";
import { ambiguousCredential, type Credential, queryParam, readCredential, websocketCredentials } from "../../gate/credentials.ts";
import type { HandshakeReason } from "../../reasons.ts";
import type { Resource } from "../../subscriptions/resource.ts";
import type { RecognitionMode } from "../endpoints.ts";
import { sttLocales } from "../languages.ts";
import { parseRecognitionSettings, type RecognitionSettings } from "../recognition-settings.ts";

export type HandshakeDecision =
  | {
      accept: true;
      status: 101;
      reason: HandshakeReason;
      credential: Credential;
      connectionId: string;
      resource: Resource;
      settings: RecognitionSettings;
      /** `auth.bare_token`: accepted, and worth a notice in the journal. */
      notices: readonly AuthNotice[];
    }
  | {
      accept: false;
      status: 400 | 401 | 403 | 405 | 426;
      reason: HandshakeReason;
      detail: string;
      credential: Credential;
      connectionId?: string;
    };

const connectionIdPattern = /^[0-9a-fA-F]{32}$/;
/** RFC 6455: the key is 16 random bytes in base64, so always 24 characters ending in "==". */
const websocketKeyPattern = /^[A-Za-z0-9+/]{22}==$/;
/** RFC 9110's `token`: what each comma-separated subprotocol name must be (RFC 6455 section 4.1). */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What the runtime saw of a request that a `Request` does not carry. The adapters put it in Hono's
 * env (`c.env.httpVersion`); without an adapter (`app.request` in tests) it is unknown.
 */
export interface HandshakeTransport {
  /** The request line's version, `1.1` for an HTTP/1.1 request, as Node's `IncomingMessage.httpVersion` says it. */
  readonly httpVersion?: string;
}

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

/**
 * The handshake decision, as a function of the request alone: authorization first (the gateway
 * answers before the service sees anything), then the request's own parameters. Only an accepted
 * request is upgraded.
 */
export async function decideHandshake(
  req: Request,
  ctx: MockContext,
  mode: RecognitionMode = "interactive",
  transport: HandshakeTransport = {},
): Promise<HandshakeDecision> {
  const url = new URL(req.url);
  const region = ctx.regionOf(req.headers.get("host") ?? undefined);
  const credential = readCredential(req.headers, url, websocketCredentials);
  const connectionId = req.headers.get("X-ConnectionId") ?? queryParam(url, "X-ConnectionId");

  // Two credentials where one is read: refused rather than picked (runtimes and proxies differ on
  // first-wins or joined), and a client sending two has a bug worth seeing.
  const ambiguous = ambiguousCredential(req.headers, url, websocketCredentials);
  if (ambiguous !== undefined) {
    return {
      accept: false,
      status: 403,
      reason: "auth.ambiguous",
      detail: `Expected one ${ambiguous}, got two or more (repeated headers arrive joined by ", ")`,
      credential,
      connectionId,
    };
  }

  // The auth gate, as for every API; only this endpoint lets a key out of quota in (by default).
  const overQuota = ctx.options.quotaExceeded === "refuse" ? "refuse" : "accept";
  const auth = await authorize(credential, region, gateDeps(ctx), { overQuota, sources: websocketCredentials.sources });
  if (!auth.ok) {
    const status = ctx.options.authFailureStyle === "modern" && auth.reason === "auth.missing" ? 401 : 403;
    return { accept: false, status, reason: auth.reason, detail: auth.detail, credential, connectionId };
  }
  if (connectionId === undefined || connectionId === null || connectionId === "") {
    return {
      accept: false,
      status: 400,
      reason: "request.connection_id_missing",
      detail: "Expected an X-ConnectionId header or query parameter",
      credential,
    };
  }
  if (!connectionIdPattern.test(connectionId)) {
    return {
      accept: false,
      status: 400,
      reason: "request.connection_id_invalid",
      detail: `Expected X-ConnectionId as 32 hex digits (a UUID without dashes), got ${JSON.stringify(connectionId.slice(0, 64))}`,
      credential,
      connectionId,
    };
  }
  const language = url.searchParams.get("language");
  if (language === null || language === "") {
    return {
      accept: false,
      status: 400,
      reason: "request.language_missing",
      detail: "Expected a language query parameter such as en-US",
      credential,
      connectionId,
    };
  }
  if (!sttLocales.has(language)) {
    return {
      accept: false,
      status: 400,
      reason: "request.language_unknown",
      detail: `Unsupported language ${JSON.stringify(language.slice(0, 64))}`,
      credential,
      connectionId,
    };
  }
  const parsed = parseRecognitionSettings(url, mode);
  if (!parsed.ok) {
    return { accept: false, status: 400, reason: "request.parameter_invalid", detail: parsed.detail, credential, connectionId };
  }
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return {
      accept: false,
      status: 426,
      reason: "request.not_websocket",
      detail: "Expected a WebSocket upgrade request",
      credential,
      connectionId,
    };
  }
  // RFC 6455 section 4.2.1, checked here rather than left to the WebSocket layer, which would
  // refuse only after the decision was logged as accepted (`ws` 400 or 405, or upgrade any HTTP
  // version), and the older Deno.serve transport differently again.
  if (req.method !== "GET") {
    return {
      accept: false,
      status: 405,
      reason: "request.method_invalid",
      detail: `Expected GET for a WebSocket upgrade, got ${req.method}`,
      credential,
      connectionId,
    };
  }
  if (transport.httpVersion !== undefined && transport.httpVersion !== "1.1") {
    return {
      accept: false,
      status: 400,
      reason: "request.http_version_invalid",
      detail: `Expected an HTTP/1.1 request for a WebSocket upgrade, got HTTP/${transport.httpVersion.slice(0, 16)}`,
      credential,
      connectionId,
    };
  }
  if (!listsToken(req.headers.get("connection"), "upgrade")) {
    return {
      accept: false,
      status: 400,
      reason: "request.connection_not_upgrade",
      detail: `Expected a Connection header listing "Upgrade", got ${JSON.stringify((req.headers.get("connection") ?? "").slice(0, 64))}`,
      credential,
      connectionId,
    };
  }
  const wsKey = req.headers.get("sec-websocket-key");
  if (wsKey === null || !websocketKeyPattern.test(wsKey) || req.headers.get("sec-websocket-version") !== "13") {
    return {
      accept: false,
      status: 400,
      reason: "request.websocket_invalid",
      detail: "Expected Sec-WebSocket-Key (16 bytes in base64) and Sec-WebSocket-Version: 13, as RFC 6455 requires",
      credential,
      connectionId,
    };
  }
  const protocols = req.headers.get("sec-websocket-protocol");
  const protocolProblem = protocols === null ? undefined : subprotocolProblem(protocols);
  if (protocolProblem !== undefined) {
    return {
      accept: false,
      status: 400,
      reason: "request.subprotocol_invalid",
      detail: `Expected Sec-WebSocket-Protocol as distinct comma-separated tokens, got ${protocolProblem}`,
      credential,
      connectionId,
    };
  }
  const reason = auth.kind === "key" ? "handshake.accepted_key" : "handshake.accepted_token";
  return {
    accept: true,
    status: 101,
    reason,
    credential,
    connectionId,
    resource: auth.resource,
    settings: parsed.settings,
    notices: auth.notices,
  };
}
