import { gateDeps, type MockContext } from "../../context.ts";
import { type AuthNotice, authorize } from "../../gate/authorize.ts";
import { type Credential, queryParam, readCredential, websocketCredentials } from "../../gate/credentials.ts";
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
      status: 400 | 401 | 403 | 426;
      reason: HandshakeReason;
      detail: string;
      credential: Credential;
      connectionId?: string;
    };

const connectionIdPattern = /^[0-9a-fA-F]{32}$/;
/** RFC 6455: the key is 16 random bytes in base64, so always 24 characters ending in "==". */
const websocketKeyPattern = /^[A-Za-z0-9+/]{22}==$/;

/**
 * The handshake decision, as a function of the request alone: authorization first (the gateway
 * answers before the service sees anything), then the request's own parameters. Only an accepted
 * request is upgraded.
 */
export async function decideHandshake(req: Request, ctx: MockContext, mode: RecognitionMode = "interactive"): Promise<HandshakeDecision> {
  const url = new URL(req.url);
  const region = ctx.regionOf(req.headers.get("host") ?? undefined);
  const credential = readCredential(req.headers, url, websocketCredentials);
  const connectionId = req.headers.get("X-ConnectionId") ?? queryParam(url, "X-ConnectionId");

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
  // Checked here rather than left to the runtime, which would answer only after the decision
  // was logged as accepted (and differently: `ws` says 400, Deno 500).
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
