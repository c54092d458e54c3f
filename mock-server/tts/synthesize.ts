/**
 * Synthesis, pure: parsed SSML, an output format and the voices in; the audio, its length and its
 * boundary events out. The REST routes and the WebSocket session share it.
 */

import { concatBytes } from "../bytes.ts";
import { renderSpeech } from "../synthetic-speech/encode.ts";
import { codedChunks, riffHeaderFor } from "./audio.ts";
import { type OutputFormat, unsupportedFormatReason } from "./formats.ts";
import type { ParsedSsml } from "./ssml.ts";
import { buildTimeline, type SynthesisEvent } from "./timeline.ts";
import type { Voice, VoiceRegistry } from "./voices.ts";

export type { SynthesisEvent } from "./timeline.ts";

/** Why a synthesis was refused after its SSML parsed. */
export type SynthesisErrorCode = "voice.unknown" | "format.unsupported";

/** A synthesis the service would refuse; `message` is the one-line reason (REST body, close reason). */
export class SynthesisError extends Error {
  override name = "SynthesisError";
  readonly code: SynthesisErrorCode;
  constructor(code: SynthesisErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface Synthesis {
  format: OutputFormat;
  /** The first voice the SSML names, resolved. */
  voice: Voice;
  /** The audio's length: `pcm.length / format.sampleRate` seconds, in milliseconds. */
  durationMs: number;
  /** The speech, 16-bit mono at `format.sampleRate`. */
  pcm: Int16Array;
  /** Characters of text spoken. */
  textLength: number;
  /** Boundaries, bookmarks and visemes, by offset. */
  events: SynthesisEvent[];
  /** The 44-byte RIFF header for `dataBytes` of coded audio for `riff-*` formats; `undefined` for the others. */
  riffHeader(dataBytes: number): Uint8Array | undefined;
  /**
   * The coded audio, `chunkMs` of samples (100 ms by default) coded at a time, each piece as it is
   * made: what a stream sends. Headerless for `riff-*`; a compressed format's stream is whole
   * (its container's headers included). Each call codes afresh; the same synthesis gives the same bytes.
   */
  chunks(chunkMs?: number): AsyncGenerator<Uint8Array>;
  /** All of `chunks()`, joined. */
  audio(): Promise<Uint8Array>;
}

/**
 * Synthesizes parsed SSML in a format with the given voices. Deterministic: the same input gives
 * the same samples on every runtime. Throws `SynthesisError` with the service's words for a voice
 * the registry lacks (`Unsupported voice <name>.`) and speechmock's for a format it cannot make.
 */
export function synthesize(input: { ssml: ParsedSsml; format: OutputFormat; voices: VoiceRegistry }): Synthesis {
  const { ssml, format, voices } = input;
  const resolved = new Map<string, Voice>();
  for (const name of ssml.voiceNames) {
    const voice = voices.find(name);
    if (voice === undefined) throw new SynthesisError("voice.unknown", `Unsupported voice ${name}.`);
    resolved.set(name, voice);
  }
  if (!format.generated) throw new SynthesisError("format.unsupported", unsupportedFormatReason(format));
  const first = resolved.get(ssml.voiceNames[0] as string) as Voice;
  const voiceOf = (name: string | undefined) => (name === undefined ? first : (resolved.get(name) ?? first));
  const timeline = buildTimeline(ssml.tokens, voiceOf, format.sampleRate, ssml.source);
  const pcm = renderSpeech(timeline.segments, format.sampleRate);
  const chunks = (chunkMs = 100) => codedChunks(format, pcm, chunkMs);
  return {
    format,
    voice: first,
    durationMs: (pcm.length * 1000) / format.sampleRate,
    pcm,
    textLength: ssml.textLength,
    events: timeline.events,
    riffHeader: (dataBytes) => (format.container === "riff" ? riffHeaderFor(format, dataBytes) : undefined),
    chunks,
    audio: async () => {
      const parts: Uint8Array[] = [];
      for await (const part of chunks()) parts.push(part);
      return concatBytes(parts);
    },
  };
}
