/**
 * What the REST API for short audio answers for a request's audio: the first phrase the WebSocket
 * would send for the same audio as one turn (`speech.phrase`), with the same NoMatch and
 * InitialSilenceTimeout rules. Built on the WebSocket's own parts (`TurnAudio`, `transcriptFor`,
 * `recognitionMessages`), in this one file, so the route does not change when the recognition
 * pipeline does.
 */
import type { Transcript } from "../../transcripts/lookup.ts";
import { transcriptFor } from "../../transcripts/lookup.ts";
import type { Transcripts } from "../../transcripts/schema.ts";
import type { OutputFormat, ProfanityOption } from "../recognition-settings.ts";
import { type RecognitionStatus, recognitionMessages, type TurnMode } from "../responses.ts";
import { msToTicks, ticksPerMs } from "../ticks.ts";
import { type HeardAudio, type PcmHasherFactory, TurnAudio } from "../turn-audio.ts";
import type { VadOptions } from "../vad.ts";

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
}

/**
 * Recognises 16 kHz, 16-bit mono PCM as it arrives; nothing is buffered. An interactive request
 * stops listening at its initial silence timeout, as an interactive turn does (the rest of the
 * audio is still read, and counted, by the caller).
 */
export async function recognizeBody(pcmChunks: AsyncIterable<Uint8Array>, deps: RecognizeDeps): Promise<RecognizeResult> {
  const audio = new TurnAudio({ ...deps.vad, segmentationSilenceMs: deps.segmentationSilenceMs }, deps.pcmHasher());
  const silenceTicks = msToTicks(deps.initialSilenceTimeoutMs);
  let listening = true;
  for await (const pcm of pcmChunks) {
    if (!listening) continue;
    audio.push(pcm);
    if (deps.mode === "interactive" && !audio.heardSpeech && audio.audioTicks >= silenceTicks) listening = false;
  }
  return answer(audio.end(), deps);
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
  const transcript = deps.nextScripted() ?? transcriptFor(deps.transcripts, heard.sha256);
  const messages = recognitionMessages(heard, transcript, {
    mode: deps.mode,
    format: deps.format,
    profanity: deps.profanity,
    profaneWords: deps.transcripts.profaneWords,
    initialSilenceTimeoutMs: deps.initialSilenceTimeoutMs,
  });
  const phrase = messages.find((m) => m.path === "speech.phrase");
  let body = JSON.parse(phrase?.body ?? '{"RecognitionStatus":"NoMatch","Offset":0,"Duration":0}') as Record<string, unknown>;
  // Audio that is only profanity, with profanity=removed: "the service does not return a speech
  // result" (the body is unconfirmed; NoMatch, timed like the phrase).
  const removedAll = deps.profanity === "removed" && !/[\p{L}\p{N}]/u.test(String(body.DisplayText ?? ""));
  if (body.RecognitionStatus === "Success" && removedAll) {
    body = { RecognitionStatus: "NoMatch", Offset: body.Offset, Duration: body.Duration };
  }
  return {
    status: body.RecognitionStatus as RecognitionStatus,
    body,
    audioMs: Math.round(heard.audioTicks / ticksPerMs),
    scripted: transcript.kind === "phrases",
  };
}
