/**
 * The text-to-speech WebSocket's handshake decision: the same auth gate as speech to text
 * (`gate/authorize.ts`: a token or a key, in headers or the query string; tts-and-timing.md 2.1),
 * the same `X-ConnectionId` rule, then RFC 6455's own checks. It reads no `language`: a voice is
 * named in each speak's SSML.
 */
import type { MockContext } from "../../context.ts";
import { authorizeHandshake, gateRefusal } from "../../gate/handshake.ts";
import type { SocketHandshake } from "../../gate/handshake-answer.ts";
import { upgradeProblem } from "../../ws/upgrade.ts";

export type SynthesisHandshake = SocketHandshake;

/** The decision for one handshake: authorization first (the gateway answers before the service), then the request's own rules. */
export async function decideSynthesisHandshake(req: Request, ctx: MockContext, httpVersion?: string): Promise<SynthesisHandshake> {
  const gate = await authorizeHandshake(req, ctx);
  if (!gate.ok) return gateRefusal(gate);
  const { credential, connectionId } = gate;
  const refusal = upgradeProblem(req, httpVersion);
  if (refusal) return { accept: false, ...refusal, credential, connectionId };
  return { accept: true, status: 101, reason: gate.accepted, credential, connectionId, resource: gate.resource, notices: gate.notices };
}
