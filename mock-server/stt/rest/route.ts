/**
 * The speech-to-text REST API for short audio (tts-and-timing.md section 4):
 * `POST /speech/recognition/{interactive,conversation,dictation}/cognitiveservices/v1`, the same
 * paths as the WebSocket's GET. The auth gate first (a key or a token, headers only), then a fault
 * rule may fire, then the query and the Content-Type, then the body, read as it streams and
 * recognised chunk by chunk, then one JSON phrase.
 */
import { type Context, Hono } from "hono";
import type { MockContext } from "../../context.ts";
import type { MockEvent } from "../../events.ts";
import { applyFault } from "../../faults/apply.ts";
import { credentialRecord, subscriptionKeyName } from "../../gate/credentials.ts";
import { azureRefusal, type GateEnv, reasonHeader } from "../../gate/middleware.ts";
import { requestDetails } from "../../gate/request-details.ts";
import { discardBody } from "../../http/discard-body.ts";
import { apiCors, restAuthGate } from "../../http/rest-api.ts";
import type { RestReason } from "../../reasons.ts";
import { jsonHeaders } from "../../sts/bodies.ts";
import { recognitionModes } from "../endpoints.ts";
import { sttLocales } from "../languages.ts";
import { parseRecognitionSettings, type RecognitionSettings, silenceMsFor } from "../recognition-settings.ts";
import type { TurnMode } from "../responses.ts";
import { AudioError, maxAudioMs } from "./audio-error.ts";
import { type AudioContainer, parseAudioContentType } from "./content-type.ts";
import { OggReader } from "./ogg-reader.ts";
import { type RecognizeDeps, type RecognizeResult, recognizeBody, recognizeOpaque } from "./recognize-body.ts";
import { WavReader } from "./wav-reader.ts";

/** The REST paths: the WebSocket's three mode paths (the docs show only `conversation`; the 2017 API had all three). */
export const restPaths: ReadonlyArray<{ path: string; mode: TurnMode }> = recognitionModes.map((mode) => ({
  path: `/speech/recognition/${mode}/cognitiveservices/v1`,
  mode,
}));

/**
 * The most body a refused request is read before it is answered: a minute of audio and change. A
 * longer body is cut off (the connection closes) rather than read for nothing.
 */
const maxRefusedBodyBytes = 4 << 20;

type RestEvent = Extract<MockEvent, { type: "rest.request" }>;

/** A request that was answered before or while its body was read: the status, the reason and what was wrong. */
interface Problem {
  status: 400;
  reason: RestReason;
  detail: string;
}

/** The JSON body of a bad request: what was wrong, in the shape of the WebSocket's refusals. */
const problemBody = (p: Problem): string => JSON.stringify({ error: { code: String(p.status), message: p.detail, reason: p.reason } });

/** The body as it arrives. A consumer that stops early leaves the rest unread, for the caller to drain or cancel. */
async function* chunksOf(body: ReadableStream<Uint8Array> | null, count: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (err) {
        throw new AudioError("request.audio_invalid", `The body could not be read to its end: ${(err as Error).message}`);
      }
      if (read.done) return;
      count(read.value.byteLength);
      if (read.value.byteLength > 0) yield read.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function createRestApp(ctx: MockContext): Hono<GateEnv> {
  const app = new Hono<GateEnv>();

  /** Logs and journals one request, with the journal's extras (headers, query, the token's tag). */
  const report = (c: Context<GateEnv>, fields: Omit<RestEvent, "type" | "method" | "path" | "region" | "credential">) => {
    const { region, credential } = c.get("gate");
    const url = new URL(c.req.url);
    ctx.report(
      { type: "rest.request", method: c.req.method, path: url.pathname, region, credential: credentialRecord(credential), ...fields },
      requestDetails(c.req.raw, credential),
    );
  };

  // Browser pages call the REST API directly, as they call the token service.
  const { preflight, headers: corsHeaders } = apiCors(
    ["POST", "OPTIONS"],
    ["Authorization", subscriptionKeyName, "Content-Type", "Accept", "Pronunciation-Assessment"],
  );

  const gate = restAuthGate(ctx, azureRefusal, report, maxRefusedBodyBytes);

  /**
   * Answers a bad request, once the rest of its body is read (so the client, still sending, hears
   * the answer); audio over the limit is not read further, and the connection closes.
   */
  const refuse = async (c: Context<GateEnv>, p: Problem, extra: Partial<RestEvent>) => {
    let close = true;
    let bodyBytes = extra.bodyBytes ?? 0;
    if (p.reason === "request.audio_too_long") {
      await c.req.raw.body?.cancel().catch(() => {});
    } else {
      const discarded = await discardBody(c.req.raw.body, maxRefusedBodyBytes);
      close = !discarded.complete;
      bodyBytes += discarded.bytes;
    }
    report(c, { ...extra, status: p.status, reason: p.reason, detail: p.detail, bodyBytes });
    return c.body(problemBody(p), p.status, { ...jsonHeaders, [reasonHeader]: p.reason, ...(close ? { Connection: "close" } : {}) });
  };

  const recognize = async (
    c: Context<GateEnv>,
    container: AudioContainer,
    deps: RecognizeDeps,
    count: (bytes: number) => void,
  ): Promise<{ result: RecognizeResult; audioMs: number }> => {
    const chunks = chunksOf(c.req.raw.body, count);
    if (container === "wav") {
      const wav = new WavReader(maxAudioMs);
      async function* pcm(): AsyncGenerator<Uint8Array> {
        for await (const chunk of chunks) yield* wav.push(chunk);
        wav.end();
      }
      const result = await recognizeBody(pcm(), deps);
      return { result, audioMs: wav.audioMs };
    }
    // Ogg Opus is not decoded: it is known by the SHA-256 of all its bytes, and timed by its pages.
    const ogg = new OggReader(maxAudioMs);
    const hash = ctx.pcmHasher();
    for await (const chunk of chunks) {
      ogg.push(chunk);
      hash.update(chunk);
    }
    ogg.end();
    return { result: recognizeOpaque(hash.hex(), ogg.audioMs, deps), audioMs: ogg.audioMs };
  };

  const handle = async (c: Context<GateEnv>, mode: TurnMode): Promise<Response> => {
    const { decision, credential } = c.get("gate");
    if (!decision.ok) throw new Error("The auth gate let a refused request through"); // cannot happen: the gate answered it
    const resource = decision.resource.name;
    const notices = decision.notices.length > 0 ? { notices: [...decision.notices] } : {};

    // A fault rule of the control plane may answer instead, or delay the answer.
    if (!ctx.faults.isEmpty) {
      const key = credential.kind === "key" ? credential.raw.trim() : undefined;
      const faulted = await applyFault(ctx, c, "rest", { resource, key });
      if (faulted) {
        // Read first, as for every answer, so the client (still sending) hears it.
        await discardBody(c.req.raw.body, maxRefusedBodyBytes);
        return faulted;
      }
    }

    const url = new URL(c.req.url);
    const language = url.searchParams.get("language");
    const contentType = c.req.header("content-type");
    const seen = { resource, ...notices, ...(language ? { language } : {}), ...(contentType ? { contentType } : {}) };
    if (language === null || language === "") {
      const detail = "Missing language query parameter: expected a locale such as ?language=en-US";
      return refuse(c, { status: 400, reason: "request.language_missing", detail }, seen);
    }
    if (!sttLocales.has(language)) {
      const detail = `Unsupported language ${JSON.stringify(language.slice(0, 64))}: expected a supported locale such as en-US`;
      return refuse(c, { status: 400, reason: "request.language_unknown", detail }, seen);
    }
    const parsed = parseRecognitionSettings(url, mode);
    if (!parsed.ok) return refuse(c, { status: 400, reason: "request.parameter_invalid", detail: parsed.detail }, seen);
    const type = parseAudioContentType(contentType);
    if (!type.ok) return refuse(c, { status: 400, reason: "request.content_type_unsupported", detail: type.detail }, seen);

    let bodyBytes = 0;
    const count = (n: number) => {
      bodyBytes += n;
    };
    let recognized: { result: RecognizeResult; audioMs: number };
    try {
      recognized = await recognize(c, type.container, recognizeDeps(ctx, parsed.settings, mode), count);
    } catch (err) {
      if (!(err instanceof AudioError)) throw err;
      return refuse(c, { status: 400, reason: err.reason, detail: err.message }, { ...seen, bodyBytes });
    }
    const { result, audioMs } = recognized;
    report(c, {
      ...seen,
      status: 200,
      reason: "rest.recognized",
      bodyBytes,
      audioMs,
      recognitionStatus: result.status,
      ...(typeof result.body.DisplayText === "string" ? { text: result.body.DisplayText } : {}),
      match: result.match,
      scripted: result.scripted,
    });
    return c.body(JSON.stringify(result.body), 200, jsonHeaders);
  };

  for (const { path, mode } of restPaths) {
    app.options(path, preflight);
    app.post(path, corsHeaders, gate, (c) => handle(c, mode));
  }
  return app;
}

/** What the recognition of one request reads: its settings, what the mock hears, the scripted-next queue. */
function recognizeDeps(ctx: MockContext, settings: RecognitionSettings, mode: TurnMode): RecognizeDeps {
  return {
    mode,
    format: settings.format,
    profanity: settings.profanity,
    initialSilenceTimeoutMs: settings.initialSilenceTimeoutMs,
    segmentationSilenceMs: silenceMsFor(settings, mode),
    transcripts: ctx.transcripts.current,
    nextScripted: () => ctx.transcripts.takeNext(),
    pcmHasher: ctx.pcmHasher,
  };
}
