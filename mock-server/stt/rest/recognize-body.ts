/**
 * What the REST API for short audio answers for a request's audio: the first phrase the WebSocket
 * would send for the same audio as one turn (`speech.phrase`), with the same NoMatch and
 * InitialSilenceTimeout rules: the WebSocket's own pipeline (`stt/recognize.ts`) decides. All of
 * it is in this one file, so the route does not change when the pipeline does.
 */
import type { Transcript } from "../../transcripts/lookup.ts";
import { transcriptFor } from "../../transcripts/lookup.ts";
import type { Transcripts } from "../../transcripts/schema.ts";
import type { PcmHasherFactory } from "../pcm-hash.ts";
import type { OutputFormat, ProfanityOption } from "../recognition-settings.ts";
import { type MatchKind, Recognizer } from "../recognize.ts";
import type { HeardAudio } from "../responses.ts";
import { type RecognitionStatus, recognitionMessages, type ServiceMessage, type TurnMode } from "../responses.ts";
import { msToTicks, ticksPerMs } from "../ticks.ts";
import type { VadOptions } from "../vad.ts";
import { maxAudioMs } from "./audio-error.ts";

export interface RecognizeDeps {
  readonly mode: TurnMode;
  readonly format: OutputFormat;
  readonly profanity: ProfanityOption;
  readonly initialSilenceTimeoutMs: number;
  /** Silence that ends an utterance. */
  readonly segmentationSilenceMs: number;
  readonly transcripts: Transcripts;
  /** The control plane's scripted-next queue (`TranscriptStore.takeNext`); taken once the audio has ended. */
  readonly nextScripted: () => Transcript | undefined;
  readonly pcmHasher: PcmHasherFactory;
  readonly vad?: Partial<VadOptions>;
}

export interface RecognizeResult {
  readonly status: RecognitionStatus;
  /** The response body: the phrase's JSON, `NBest` included for `format=detailed`. */
  readonly body: Record<string, unknown>;
  readonly audioMs: number;
  /** Whether the audio was heard as a scripted clip (or the scripted-next queue), not the fallback. */
  readonly scripted: boolean;
  /** How the answer was decided (see `MatchKind`). */
  readonly match: MatchKind;
}

const firstPhrase = (messages: readonly ServiceMessage[]) => messages.find((m) => m.path === "speech.phrase");

/**
 * Recognises 16 kHz, 16-bit mono PCM as it arrives; nothing is buffered. Once the first phrase is
 * settled (an utterance matched, an interactive turn's initial silence) the rest of the audio is
 * only read, and counted, by the caller: the answer is that phrase.
 */
export async function recognizeBody(pcmChunks: AsyncIterable<Uint8Array>, deps: RecognizeDeps): Promise<RecognizeResult> {
  const recognizer = new Recognizer(
    {
      mode: deps.mode,
      format: deps.format,
      profanity: deps.profanity,
      initialSilenceTimeoutMs: deps.initialSilenceTimeoutMs,
      segmentationSilenceMs: deps.segmentationSilenceMs,
      // The REST API takes a minute of audio in any mode; the route refuses more.
      interactiveMaxAudioMs: maxAudioMs,
      // Only the phrase is answered: no prefix matching for hypotheses nobody reads.
      liveHypotheses: false,
    },
    { transcripts: deps.transcripts, nextScripted: deps.nextScripted, hasher: deps.pcmHasher(), ...(deps.vad ? { vad: deps.vad } : {}) },
  );
  let first: ServiceMessage | undefined;
  for await (const pcm of pcmChunks) {
    if (first === undefined && !recognizer.finished) first = firstPhrase(recognizer.push(pcm));
  }
  first ??= firstPhrase(recognizer.end());
  const summary = recognizer.summary();
  return result(first, Math.round(summary.audioTicks / ticksPerMs), summary.scripted, summary.results[0]?.match ?? "silence", deps);
}

/**
 * Audio the mock cannot decode (Ogg Opus), known by the SHA-256 of its bytes and its length: heard
 * as one stretch of speech from start to end, as its transcript says.
 */
export function recognizeOpaque(sha256: string, audioMs: number, deps: RecognizeDeps): RecognizeResult {
  const audioTicks = msToTicks(audioMs);
  return answer({ segments: audioTicks > 0 ? [{ start: 0, end: audioTicks }] : [], audioTicks, sha256 }, deps);
}

function answer(heard: HeardAudio, deps: RecognizeDeps): RecognizeResult {
  const script = deps.nextScripted();
  const transcript = script ?? transcriptFor(deps.transcripts, heard.sha256);
  const match: MatchKind =
    heard.segments.length === 0 ? "silence" : script !== undefined ? "script" : transcript.kind === "phrases" ? "sha256" : "fallback";
  const messages = recognitionMessages(heard, transcript, {
    mode: deps.mode,
    format: deps.format,
    profanity: deps.profanity,
    profaneWords: deps.transcripts.profaneWords,
    initialSilenceTimeoutMs: deps.initialSilenceTimeoutMs,
  });
  return result(firstPhrase(messages), Math.round(heard.audioTicks / ticksPerMs), transcript.kind === "phrases", match, deps);
}

/** The phrase as the REST answer's body. */
function result(
  phrase: ServiceMessage | undefined,
  audioMs: number,
  scripted: boolean,
  match: MatchKind,
  deps: RecognizeDeps,
): RecognizeResult {
  let body = JSON.parse(phrase?.body ?? '{"RecognitionStatus":"NoMatch","Offset":0,"Duration":0}') as Record<string, unknown>;
  // Audio that is only profanity, with profanity=removed: "the service does not return a speech
  // result" (the body is unconfirmed; NoMatch, timed like the phrase).
  const removedAll = deps.profanity === "removed" && !/[\p{L}\p{N}]/u.test(String(body.DisplayText ?? ""));
  if (body.RecognitionStatus === "Success" && removedAll) {
    body = { RecognitionStatus: "NoMatch", Offset: body.Offset, Duration: body.Duration };
  }
  return { status: body.RecognitionStatus as RecognitionStatus, body, audioMs, scripted, match };
}
