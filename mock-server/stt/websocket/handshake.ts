import type { MockContext } from "../../context.ts";
import { authorizeHandshake, gateRefusal } from "../../gate/handshake.ts";
import type { SocketHandshake } from "../../gate/handshake-answer.ts";
import { upgradeProblem } from "../../ws/upgrade.ts";
import type { RecognitionMode } from "../endpoints.ts";
import { sttLocales } from "../languages.ts";
import { parseRecognitionSettings, type RecognitionSettings } from "../recognition-settings.ts";

/** Recognition adds its settings (language, format, profanity...) to an acceptance. */
export type HandshakeDecision = SocketHandshake<{ settings: RecognitionSettings }>;

/**
 * What the runtime saw of a request that a `Request` does not carry. The adapters put it in Hono's
 * env (`c.env.httpVersion`); without an adapter (`app.request` in tests) it is unknown.
 */
export interface HandshakeTransport {
  /** The request line's version, `1.1` for an HTTP/1.1 request, as Node's `IncomingMessage.httpVersion` says it. */
  readonly httpVersion?: string;
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
  const gate = await authorizeHandshake(req, ctx);
  if (!gate.ok) return gateRefusal(gate);
  const { credential, connectionId } = gate;
  const url = new URL(req.url);
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
  const refusal = upgradeProblem(req, transport.httpVersion);
  if (refusal) return { accept: false, ...refusal, credential, connectionId };
  return {
    accept: true,
    status: 101,
    reason: gate.accepted,
    credential,
    connectionId,
    resource: gate.resource,
    settings: parsed.settings,
    notices: gate.notices,
  };
}
