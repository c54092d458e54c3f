/**
 * The text-to-speech WebSocket's handshake decision: the same auth gate as speech to text
 * (`gate/authorize.ts`: a token or a key, in headers or the query string; tts-and-timing.md 2.1),
 * the same `X-ConnectionId` rule, then RFC 6455's own checks. It reads no `language`: a voice is
 * named in each speak's SSML.
 */
import { gateDeps, type MockContext } from "../../context.ts";
import { type AuthNotice, authorize } from "../../gate/authorize.ts";
import { ambiguousCredential, type Credential, queryParam, readCredential, websocketCredentials } from "../../gate/credentials.ts";
import type { HandshakeReason } from "../../reasons.ts";
import { subprotocolProblem } from "../../stt/websocket/handshake.ts";
import type { Resource } from "../../subscriptions/resource.ts";

export type SynthesisHandshake =
  | {
      accept: true;
      status: 101;
      reason: HandshakeReason;
      credential: Credential;
      connectionId: string;
      resource: Resource;
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
const websocketKeyPattern = /^[A-Za-z0-9+/]{22}==$/;

const listsToken = (value: string | null, token: string): boolean => (value ?? "").split(",").some((t) => t.trim().toLowerCase() === token);

type Refusal = { status: 400 | 405 | 426; reason: HandshakeReason; detail: string };

/**
 * What makes a request no WebSocket upgrade, checked before the upgrade (as the speech-to-text
 * handshake does) so a refusal is decided and journaled by the mock, not by the WebSocket layer.
 */
export function upgradeProblem(req: Request, httpVersion: string | undefined): Refusal | undefined {
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

/** The decision for one handshake: authorization first (the gateway answers before the service), then the request's own rules. */
export async function decideSynthesisHandshake(req: Request, ctx: MockContext, httpVersion?: string): Promise<SynthesisHandshake> {
  const url = new URL(req.url);
  const region = ctx.regionOf(req.headers.get("host") ?? undefined);
  const credential = readCredential(req.headers, url, websocketCredentials);
  const connectionId = req.headers.get("X-ConnectionId") ?? queryParam(url, "X-ConnectionId");
  const ambiguous = ambiguousCredential(req.headers, url, websocketCredentials);
  if (ambiguous !== undefined) {
    const detail = `Expected one ${ambiguous}, got two or more (repeated headers arrive joined by ", ")`;
    return { accept: false, status: 403, reason: "auth.ambiguous", detail, credential, connectionId };
  }
  const overQuota = ctx.options.quotaExceeded === "refuse" ? "refuse" : "accept";
  const auth = await authorize(credential, region, gateDeps(ctx), { overQuota, sources: websocketCredentials.sources });
  if (!auth.ok) {
    const status = ctx.options.authFailureStyle === "modern" && auth.reason === "auth.missing" ? 401 : 403;
    return { accept: false, status, reason: auth.reason, detail: auth.detail, credential, connectionId };
  }
  if (connectionId === undefined || connectionId === null || connectionId === "") {
    const detail = "Expected an X-ConnectionId header or query parameter";
    return { accept: false, status: 400, reason: "request.connection_id_missing", detail, credential };
  }
  if (!connectionIdPattern.test(connectionId)) {
    const detail = `Expected X-ConnectionId as 32 hex digits (a UUID without dashes), got ${JSON.stringify(connectionId.slice(0, 64))}`;
    return { accept: false, status: 400, reason: "request.connection_id_invalid", detail, credential, connectionId };
  }
  const refusal = upgradeProblem(req, httpVersion);
  if (refusal) return { accept: false, ...refusal, credential, connectionId };
  const reason = auth.kind === "key" ? "handshake.accepted_key" : "handshake.accepted_token";
  return { accept: true, status: 101, reason, credential, connectionId, resource: auth.resource, notices: auth.notices };
}
