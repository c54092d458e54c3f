/**
 * The 2017 Bing text-to-speech API (tts-and-timing.md 1.9): `POST /synthesize` on
 * `speech.platform.bing.com` (the mock serves the path on any host). A Bearer token from the token
 * service is required (no key); `X-Search-AppId` and `X-Search-ClientID` are journaled with the
 * headers, not checked (the docs give their form, not what the service did with a bad one).
 */
import type { Context, Hono } from "hono";
import { gateDeps } from "../../context.ts";
import { subscriptionKeyName } from "../../gate/credentials.ts";
import { authGate, type GateEnv, reasonHeader } from "../../gate/middleware.ts";
import { discardBody } from "../../http/discard-body.ts";
import { outputFormatNamed, unsupportedFormatReason } from "../formats.ts";
import { readSsmlBody, textHeaders } from "./body.ts";
import type { TtsFields, TtsRouteKit } from "./route.ts";

export const legacySynthesisPath = "/synthesize";

/** "The SSML input is longer than 1024 characters", tags included [BING-TTS, D-TTS-2019]: `413`. */
export const legacyMaxSsmlChars = 1024;

/**
 * "Returned audio must not exceed 15 seconds" [BING-TTS], with no status given. The mock answers
 * `413`, the status the same docs give for input "larger than what is supported": longer audio
 * comes from longer input.
 */
export const legacyMaxAudioMs = 15_000;

/** `User-Agent` must be shorter than 255 characters [BING-TTS]. */
const maxUserAgentChars = 254;

export function addLegacyRoutes(app: Hono<GateEnv>, kit: TtsRouteKit): void {
  const { ctx } = kit;
  // A token only, in `Authorization`; without a valid one the 2017 API answered `403 Forbidden`
  // [BING-TTS] (the mock gives every credential failure that answer).
  const gate = authGate({
    deps: gateDeps(ctx),
    credentials: { kinds: ["token"], sources: ["header"], queryKeyName: subscriptionKeyName },
    regionOf: ctx.regionOf,
    onRefused: async (c, refusal) => {
      const discarded = await discardBody(c.req.raw.body, 1 << 20);
      const detail =
        refusal.reason === "auth.missing"
          ? "A Bearer token from the token service is required (Authorization: Bearer <token>)"
          : refusal.detail;
      kit.report(c, { status: 403, reason: refusal.reason, detail, bodyBytes: discarded.bytes });
      const close: Record<string, string> = discarded.complete ? {} : { Connection: "close" };
      return c.body("Forbidden", 403, { ...textHeaders, [reasonHeader]: refusal.reason, ...close });
    },
  });

  const handler = async (c: Context<GateEnv>): Promise<Response> => {
    const faulted = await kit.fault(c);
    if (faulted) return faulted;
    const { decision } = c.get("gate");
    const formatName = c.req.header("x-microsoft-outputformat");
    const seen = {
      ...(decision.ok ? { resource: decision.resource.name } : {}),
      ...(formatName ? { format: formatName.slice(0, 100) } : {}),
    } as TtsFields;

    const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/ssml+xml") {
      const detail = "Unsupported Content-Type: expected application/ssml+xml";
      return kit.refuse(c, { status: 415, reason: "request.content_type_unsupported", detail }, seen);
    }
    const userAgent = c.req.header("user-agent");
    if (userAgent !== undefined && userAgent.length > maxUserAgentChars) {
      const detail = `User-Agent is ${userAgent.length} characters: expected fewer than 255`;
      return kit.refuse(c, { status: 400, reason: "request.user_agent_invalid", detail }, seen);
    }
    const format = outputFormatNamed(formatName);
    if (format === undefined) {
      const reason = formatName ? "request.output_format_unknown" : "request.output_format_missing";
      const detail = `Unsupported X-Microsoft-OutputFormat ${JSON.stringify(formatName ?? null)}: expected riff-16khz-16bit-mono-pcm or another output format`;
      return kit.refuse(c, { status: 400, reason, detail }, seen);
    }
    if (!format.generated) {
      return kit.refuse(c, { status: 400, reason: "request.output_format_unsupported", detail: unsupportedFormatReason(format) }, seen);
    }
    const body = await readSsmlBody(c.req.raw.body, legacyMaxSsmlChars * 4); // UTF-8: at most 4 bytes a character
    const tooLong = { status: 413 as const, reason: "request.ssml_too_large" as const };
    if (!body.ok) {
      return kit.refuse(c, { ...tooLong, detail: `The SSML input is longer than ${legacyMaxSsmlChars} characters` }, seen, body);
    }
    const done = { bytes: body.bytes, complete: true };
    if (body.text.length > legacyMaxSsmlChars) {
      return kit.refuse(
        c,
        { ...tooLong, detail: `The SSML input is ${body.text.length} characters, longer than ${legacyMaxSsmlChars}` },
        seen,
        done,
      );
    }
    const made = kit.synthesize(body.text, format);
    if (!made.ok) {
      // The 2017 answers [BING-TTS]: an empty `text/xml` body for a parser error, a line of text for a voice.
      if (made.error.code === "voice.unknown") {
        const p = {
          status: 400 as const,
          reason: "request.voice_unknown" as const,
          detail: made.error.message,
          body: "Voice name not supported",
        };
        return kit.refuse(c, { ...p, headers: { "Content-Type": "text/plain; charset=UTF-8" } }, seen, done);
      }
      const p = { status: 400 as const, reason: "request.ssml_invalid" as const, detail: made.error.message, body: "" };
      return kit.refuse(c, { ...p, headers: { "Content-Type": "text/xml" } }, seen, done);
    }
    const { synthesis } = made;
    if (synthesis.durationMs > legacyMaxAudioMs) {
      const detail = `The audio would last ${Math.round(synthesis.durationMs)} ms: the 2017 API makes at most ${legacyMaxAudioMs} ms`;
      return kit.refuse(c, { status: 413, reason: "request.audio_too_long", detail }, seen, done);
    }
    return kit.answer(c, seen, body.bytes, synthesis);
  };

  app.post(legacySynthesisPath, gate, handler);
}
