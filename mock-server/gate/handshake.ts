/**
 * What every speech WebSocket's handshake decides first, in the same order: one credential (two
 * are refused rather than picked), the auth gate (the gateway answers before the service sees
 * anything), then the `X-ConnectionId` the service requires. The socket's own rules (a language,
 * RFC 6455's upgrade rules) come after, in its decision.
 */
import { gateDeps, type MockContext } from "../context.ts";
import type { HandshakeReason } from "../reasons.ts";
import type { Resource } from "../subscriptions/resource.ts";
import { type AuthNotice, authorize } from "./authorize.ts";
import { ambiguousCredential, type Credential, queryParam, readCredential, websocketCredentials } from "./credentials.ts";

const connectionIdPattern = /^[0-9a-fA-F]{32}$/;

export type HandshakeAuth =
  | {
      ok: true;
      credential: Credential;
      connectionId: string;
      resource: Resource;
      /** `handshake.accepted_key` or `handshake.accepted_token`, for when the socket's own rules pass too. */
      accepted: HandshakeReason;
      /** `auth.bare_token`: accepted, and worth a notice in the journal. */
      notices: readonly AuthNotice[];
    }
  | { ok: false; status: 400 | 401 | 403; reason: HandshakeReason; detail: string; credential: Credential; connectionId?: string };

/** A refusal of the gate as a socket's handshake decision. */
export const gateRefusal = ({ status, reason, detail, credential, connectionId }: Extract<HandshakeAuth, { ok: false }>) => ({
  accept: false as const,
  status,
  reason,
  detail,
  credential,
  connectionId,
});

export async function authorizeHandshake(req: Request, ctx: MockContext): Promise<HandshakeAuth> {
  const url = new URL(req.url);
  const region = ctx.regionOf(req.headers.get("host") ?? undefined);
  const credential = readCredential(req.headers, url, websocketCredentials);
  const connectionId = req.headers.get("X-ConnectionId") ?? queryParam(url, "X-ConnectionId");

  // Two credentials where one is read: refused rather than picked (runtimes and proxies differ on
  // first-wins or joined), and a client sending two has a bug worth seeing.
  const ambiguous = ambiguousCredential(req.headers, url, websocketCredentials);
  if (ambiguous !== undefined) {
    const detail = `Expected one ${ambiguous}, got two or more (repeated headers arrive joined by ", ")`;
    return { ok: false, status: 403, reason: "auth.ambiguous", detail, credential, connectionId };
  }

  // The auth gate, as for every API; only the WebSockets let a key out of quota in (by default).
  const overQuota = ctx.options.quotaExceeded === "refuse" ? "refuse" : "accept";
  const auth = await authorize(credential, region, gateDeps(ctx), { overQuota, sources: websocketCredentials.sources });
  if (!auth.ok) {
    const status = ctx.options.authFailureStyle === "modern" && auth.reason === "auth.missing" ? 401 : 403;
    return { ok: false, status, reason: auth.reason, detail: auth.detail, credential, connectionId };
  }
  if (connectionId === undefined || connectionId === null || connectionId === "") {
    const detail = "Expected an X-ConnectionId header or query parameter";
    return { ok: false, status: 400, reason: "request.connection_id_missing", detail, credential };
  }
  if (!connectionIdPattern.test(connectionId)) {
    const detail = `Expected X-ConnectionId as 32 hex digits (a UUID without dashes), got ${JSON.stringify(connectionId.slice(0, 64))}`;
    return { ok: false, status: 400, reason: "request.connection_id_invalid", detail, credential, connectionId };
  }
  const accepted = auth.kind === "key" ? "handshake.accepted_key" : "handshake.accepted_token";
  return { ok: true, credential, connectionId, resource: auth.resource, accepted, notices: auth.notices };
}
