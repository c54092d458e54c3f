/**
 * What both speech sockets (recognition and synthesis) do with their handshake decision, the same
 * way: journal it, answer a refusal with the service's JSON and the reason header, and let a fault
 * rule on `handshake` answer instead of the upgrade. Each socket only decides, and upgrades.
 */
import type { Context } from "hono";
import type { MockContext } from "../context.ts";
import { applyFault } from "../faults/apply.ts";
import type { HandshakeReason } from "../reasons.ts";
import { jsonHeaders } from "../sts/bodies.ts";
import type { Resource } from "../subscriptions/resource.ts";
import type { AuthNotice } from "./authorize.ts";
import { type Credential, credentialRecord } from "./credentials.ts";
import { reasonHeader } from "./middleware.ts";
import { requestDetails } from "./request-details.ts";

/** A speech socket's handshake decision; `Accepted` is what the socket adds to an acceptance (recognition: its settings). */
export type SocketHandshake<Accepted extends object = object> =
  | ({
      accept: true;
      status: 101;
      reason: HandshakeReason;
      credential: Credential;
      connectionId: string;
      resource: Resource;
      /** `auth.bare_token`: accepted, and worth a notice in the journal. */
      notices: readonly AuthNotice[];
    } & Accepted)
  | {
      accept: false;
      status: 400 | 401 | 403 | 405 | 426;
      reason: HandshakeReason;
      detail: string;
      credential: Credential;
      connectionId?: string;
    };

/**
 * Journals the decision on `path` and answers it when the socket is not to open: the refusal, or a
 * fault rule's answer. `undefined`: upgrade.
 */
export async function answerHandshake(
  c: Context,
  ctx: MockContext,
  path: string,
  decision: SocketHandshake,
): Promise<Response | undefined> {
  const { credential } = decision;
  ctx.report(
    {
      type: "handshake",
      path,
      region: ctx.regionOf(c.req.header("host")),
      status: decision.status,
      decision: decision.accept ? "accept" : "reject",
      reason: decision.reason,
      credential: credentialRecord(credential),
      connectionId: decision.connectionId,
      resource: decision.accept ? decision.resource.name : undefined,
      // Only when there is something to say: most handshakes have no notice.
      ...(decision.accept && decision.notices.length > 0 ? { notices: [...decision.notices] } : {}),
    },
    requestDetails(c.req.raw, credential, true),
  );
  if (!decision.accept) {
    const body = JSON.stringify({ error: { code: String(decision.status), message: decision.detail, reason: decision.reason } });
    const allow: Record<string, string> = decision.status === 405 ? { Allow: "GET" } : {};
    return c.body(body, decision.status, { ...jsonHeaders, ...allow, [reasonHeader]: decision.reason });
  }
  if (ctx.faults.isEmpty) return undefined;
  const key = credential.kind === "key" ? credential.raw.trim() : undefined;
  const subject = { resource: decision.resource.name, connectionId: decision.connectionId, key };
  return applyFault(ctx, c, "handshake", subject, { [reasonHeader]: "fault.injected" });
}
