/**
 * Text to speech over REST (tts-and-timing.md 1.1-1.9): `POST /cognitiveservices/v1` (and
 * `/tts/cognitiveservices/v1`), `GET .../cognitiveservices/voices/list`, and the 2017 API's
 * `POST /synthesize` (`legacy.ts`). The auth gate first, then a fault rule (target `tts`) may
 * fire, then the headers, the body (SSML, at most 64 KB), the SSML, the voices; the audio is then
 * streamed as it is coded. Refusals are one line of plain text (the service documents no bodies).
 */
import { type Context, Hono } from "hono";
import type { MockContext } from "../../context.ts";
import type { MockEvent } from "../../events.ts";
import { applyFault } from "../../faults/apply.ts";
import { credentialRecord, subscriptionKeyName } from "../../gate/credentials.ts";
import { azureRefusal, type GateEnv, missingCredentialBody, type Refusal, reasonHeader } from "../../gate/middleware.ts";
import { requestDetails } from "../../gate/request-details.ts";
import { discardBody } from "../../http/discard-body.ts";
import { apiCors, restAuthGate } from "../../http/rest-api.ts";
import type { TtsReason } from "../../reasons.ts";
import { jsonHeaders } from "../../sts/bodies.ts";
import { isSampleCodec, type OutputFormat, outputFormatNamed, unsupportedFormatReason } from "../formats.ts";
import { type ParsedSsml, parseSsml, SsmlError } from "../ssml.ts";
import { type Synthesis, SynthesisError, synthesize } from "../synthesize.ts";
import { audioStream, readSsmlBody, textHeaders } from "./body.ts";
import { addLegacyRoutes } from "./legacy.ts";

/** The synthesis paths: the documented one, and the `/tts/` form of custom domains (1.1, UNCONFIRMED: both accepted). */
export const synthesisPaths = ["/cognitiveservices/v1", "/tts/cognitiveservices/v1"] as const;

/** The voices list; served at any path that ends with it (the SDK appends it to an endpoint's path, 1.8). */
export const voicesListSuffix = "/cognitiveservices/voices/list";

/** The REST body limit: UNCONFIRMED, the spec's default 64 KB (1.7). */
export const maxSsmlBytes = 64 * 1024;

/** The most of a refused request's body read before the connection is closed instead. */
const maxRefusedBodyBytes = 1 << 20;

type TtsEvent = Extract<MockEvent, { type: "tts.request" }>;
export type TtsFields = Omit<TtsEvent, "type" | "method" | "path" | "region" | "credential">;

/** A request answered without audio: its status, reason code, the one-line text, and headers of its own. */
export interface Problem {
  status: 400 | 401 | 403 | 413 | 415;
  reason: TtsReason;
  detail: string;
  /** The body when not `detail` as plain text (the 2017 API's answers). */
  body?: string;
  headers?: Record<string, string>;
}

/**
 * The gate's answer on the text-to-speech API: as recognition's (`azureRefusal`), but `401` also
 * for a missing credential, as the TTS docs list only `401` for credentials (1.6; `403` stays for
 * a disabled resource and one out of quota).
 */
export function ttsRefusal(refusal: Refusal): { status: 401 | 403; body: string } {
  if (refusal.reason === "auth.missing" || refusal.reason === "auth.empty") {
    return { status: 401, body: missingCredentialBody.replace('"code":"403"', '"code":"401"') };
  }
  return azureRefusal(refusal);
}

/** What the routes share: the context, how to journal a request, how to refuse one, a fault check. */
export interface TtsRouteKit {
  ctx: MockContext;
  report(c: Context<GateEnv>, fields: TtsFields): void;
  refuse(c: Context<GateEnv>, p: Problem, seen: TtsFields, bodyRead?: { bytes: number; complete: boolean }): Promise<Response>;
  fault(c: Context<GateEnv>): Promise<Response | undefined>;
  /** Journals a synthesis and answers it: the audio streamed as it is coded, in the format's Content-Type. */
  answer(c: Context<GateEnv>, seen: TtsFields, bodyBytes: number, synthesis: Synthesis): Response;
  /** Parses and synthesizes; a refusal's problem instead when the SSML or a voice or the format is refused. */
  synthesize(
    text: string,
    format: OutputFormat,
  ): { ok: true; synthesis: Synthesis; ssml: ParsedSsml } | { ok: false; error: SsmlError | SynthesisError };
}

export function createTtsApp(ctx: MockContext): Hono<GateEnv> {
  const app = new Hono<GateEnv>();

  const report = (c: Context<GateEnv>, fields: TtsFields) => {
    const { region, credential } = c.get("gate");
    const url = new URL(c.req.url);
    ctx.report(
      { type: "tts.request", method: c.req.method, path: url.pathname, region, credential: credentialRecord(credential), ...fields },
      requestDetails(c.req.raw, credential),
    );
  };

  const kit: TtsRouteKit = {
    ctx,
    report,
    answer: (c, seen, bodyBytes, synthesis) => {
      report(c, {
        ...seen,
        status: 200,
        reason: "tts.synthesized",
        bodyBytes,
        voice: synthesis.voice.shortName,
        format: synthesis.format.name,
        textLength: synthesis.textLength,
        audioMs: Math.round(synthesis.durationMs),
        // The body as audioStream sends it: the coded samples, and the RIFF header if any. A compressed
        // stream's length is known only once it is coded, after this entry: left out.
        ...(isSampleCodec(synthesis.format)
          ? { audioBytes: (synthesis.pcm.length * synthesis.format.bitsPerSample) / 8 + (synthesis.format.container === "riff" ? 44 : 0) }
          : {}),
      });
      return c.body(audioStream(synthesis), 200, { "Content-Type": synthesis.format.contentType });
    },
    refuse: async (c, p, seen, bodyRead) => {
      // Read the rest first, so a client still sending hears the answer; past the limit, close.
      const discarded = bodyRead ?? (await discardBody(c.req.raw.body, maxRefusedBodyBytes));
      report(c, { ...seen, status: p.status, reason: p.reason, detail: p.detail, bodyBytes: discarded.bytes });
      const close: Record<string, string> = discarded.complete ? {} : { Connection: "close" };
      return c.body(p.body ?? p.detail, p.status, { ...textHeaders, ...p.headers, [reasonHeader]: p.reason, ...close });
    },
    fault: async (c) => {
      if (ctx.faults.isEmpty) return undefined;
      const { decision, credential } = c.get("gate");
      const resource = decision.ok ? decision.resource.name : undefined;
      const key = credential.kind === "key" ? credential.raw.trim() : undefined;
      const faulted = await applyFault(ctx, c, "tts", { resource, key });
      if (faulted) await discardBody(c.req.raw.body, maxRefusedBodyBytes);
      return faulted;
    },
    synthesize: (text, format) => {
      try {
        const ssml = parseSsml(text);
        return { ok: true, ssml, synthesis: synthesize({ ssml, format, voices: ctx.voices }) };
      } catch (err) {
        if (err instanceof SsmlError || err instanceof SynthesisError) return { ok: false, error: err };
        throw err;
      }
    },
  };

  // Browser pages call these directly (a Web Speech polyfill lists voices at start-up).
  const { preflight, headers: corsHeaders } = apiCors(
    ["GET", "POST", "OPTIONS"],
    ["Authorization", subscriptionKeyName, "Content-Type", "X-Microsoft-OutputFormat", "X-ConnectionId"],
  );

  const gate = restAuthGate(ctx, ttsRefusal, report, maxRefusedBodyBytes);

  const resourceOf = (c: Context<GateEnv>): TtsFields => {
    const { decision } = c.get("gate");
    if (!decision.ok) return {} as TtsFields;
    return { resource: decision.resource.name, ...(decision.notices.length > 0 ? { notices: [...decision.notices] } : {}) } as TtsFields;
  };

  const synthesizeHandler = async (c: Context<GateEnv>): Promise<Response> => {
    const faulted = await kit.fault(c);
    if (faulted) return faulted;
    const formatName = c.req.header("x-microsoft-outputformat");
    const seen = { ...resourceOf(c), ...(formatName ? { format: formatName.slice(0, 100) } : {}) } as TtsFields;

    const contentType = c.req.header("content-type");
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/ssml+xml") {
      const detail = `Unsupported Content-Type ${JSON.stringify(contentType ?? null)}: expected application/ssml+xml`;
      return kit.refuse(c, { status: 415, reason: "request.content_type_unsupported", detail }, seen);
    }
    const format = outputFormatNamed(formatName);
    if (formatName === undefined || formatName.trim() === "") {
      const detail = "Missing X-Microsoft-OutputFormat header: expected an output format such as riff-24khz-16bit-mono-pcm";
      return kit.refuse(c, { status: 400, reason: "request.output_format_missing", detail }, seen);
    }
    if (format === undefined) {
      const detail = `Unknown X-Microsoft-OutputFormat ${JSON.stringify(formatName.slice(0, 100))}: expected an output format such as riff-24khz-16bit-mono-pcm`;
      return kit.refuse(c, { status: 400, reason: "request.output_format_unknown", detail }, seen);
    }
    if (!format.generated) {
      return kit.refuse(c, { status: 400, reason: "request.output_format_unsupported", detail: unsupportedFormatReason(format) }, seen);
    }

    const body = await readSsmlBody(c.req.raw.body, maxSsmlBytes);
    if (!body.ok) {
      const detail = `SSML is larger than ${maxSsmlBytes} bytes, the limit of a request`;
      return kit.refuse(c, { status: 400, reason: "request.ssml_too_large", detail }, seen, body);
    }
    const done = { bytes: body.bytes, complete: true };
    const made = kit.synthesize(body.text, format);
    if (!made.ok) {
      const reason = made.error.code === "voice.unknown" ? "request.voice_unknown" : "request.ssml_invalid";
      return kit.refuse(c, { status: 400, reason, detail: made.error.message }, seen, done);
    }
    const { synthesis } = made;
    return kit.answer(c, seen, body.bytes, synthesis);
  };

  const voicesHandler = async (c: Context<GateEnv>): Promise<Response> => {
    const faulted = await kit.fault(c);
    if (faulted) return faulted;
    report(c, { ...resourceOf(c), status: 200, reason: "tts.voices_listed" });
    return c.body(JSON.stringify(ctx.voices.toJSON()), 200, jsonHeaders);
  };

  for (const path of synthesisPaths) {
    app.options(path, preflight);
    app.post(path, corsHeaders, gate, synthesizeHandler);
  }
  for (const path of [voicesListSuffix, `/:prefix{.+}${voicesListSuffix}`]) {
    app.options(path, preflight);
    app.get(path, corsHeaders, gate, voicesHandler);
  }
  addLegacyRoutes(app, kit);
  return app;
}
