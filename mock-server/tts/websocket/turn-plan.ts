/**
 * The service's answer to one speak, as an ordered list of frames (tts-and-timing.md 2.3): the
 * audio cut into chunks, each boundary the client asked for sent in an `audio.metadata` message
 * just before the chunk whose time span holds its offset, `SessionEnd` after the last chunk.
 * `turn.start`, `response` and `turn.end` around them are the session's. Pure: audio and events
 * in, frames out, so the order is tested without a socket.
 */
import type { SynthesisEvent } from "../timeline.ts";
import type { MetadataOptions } from "./synthesis-context.ts";

/** 100-ns ticks per millisecond: the unit of every offset on the wire. */
export const ticksPerMs = 10_000;

/** A synthesized turn, as the session hands it to the plan. */
export interface SynthesizedAudio {
  /** The audio as it goes on the wire: headerless (the SDK adds a RIFF header for `riff-*` formats). */
  readonly audio: Uint8Array;
  /** The audio's length in milliseconds. */
  readonly durationMs: number;
  /** Bytes that belong together (a PCM sample frame; 1 for encoded streams): chunks are cut at multiples of it. */
  readonly blockAlign: number;
  readonly marks: readonly SynthesisEvent[];
}

export type PlannedFrame =
  | { readonly kind: "metadata"; readonly body: string; readonly entries: number }
  | { readonly kind: "audio"; readonly bytes: Uint8Array };

/**
 * Milliseconds of audio per `audio` frame. UNCONFIRMED: the service's frame size for PCM is not
 * public (a log shows 720-byte MP3 frames); 100 ms matches what the SDK itself sends upward.
 */
export const chunkMs = 100;

/** One entry of `Metadata`, in the service's shape (SDK `SynthesisAudioMetadata`). */
export function metadataEntry(mark: SynthesisEvent): Record<string, unknown> {
  const Offset = toTicks(mark.offsetMs);
  switch (mark.type) {
    case "WordBoundary":
    case "PunctuationBoundary":
    case "SentenceBoundary": {
      const Type = mark.type === "SentenceBoundary" ? "SentenceBoundary" : "WordBoundary";
      const Text = mark.text ?? "";
      return { Type, Data: { Offset, Duration: toTicks(mark.durationMs), text: { Text, Length: Text.length, BoundaryType: mark.type } } };
    }
    case "Bookmark":
      return { Type: "Bookmark", Data: { Offset, Bookmark: mark.bookmark ?? mark.text ?? "" } };
    case "Viseme":
      // The SDK raises visemeReceived only for an entry with IsLastAnimation truthy, appending AnimationChunk.
      return { Type: "Viseme", Data: { Offset, VisemeId: mark.visemeId ?? 0, IsLastAnimation: true, AnimationChunk: "" } };
  }
}

export const toTicks = (ms: number): number => Math.round(ms * ticksPerMs);

/** Whether the client asked for this kind of mark. */
export function wanted(mark: SynthesisEvent, options: MetadataOptions): boolean {
  switch (mark.type) {
    case "WordBoundary":
      return options.wordBoundary;
    case "PunctuationBoundary":
      return options.punctuationBoundary;
    case "SentenceBoundary":
      return options.sentenceBoundary;
    case "Bookmark":
      return options.bookmark;
    case "Viseme":
      return options.viseme;
  }
}

const metadataFrame = (entries: readonly Record<string, unknown>[]): PlannedFrame => ({
  kind: "metadata",
  body: JSON.stringify({ Metadata: entries }),
  entries: entries.length,
});

/** The frames of one turn between `response` and `turn.end`. */
export function planTurn(synthesized: SynthesizedAudio, options: MetadataOptions): PlannedFrame[] {
  const { audio, durationMs, blockAlign } = synthesized;
  const marks = synthesized.marks.filter((m) => wanted(m, options)).sort((a, b) => a.offsetMs - b.offsetMs);
  const frames: PlannedFrame[] = [];
  // Bytes per chunk: `chunkMs` of audio at the stream's average rate, a whole number of blocks.
  const bytesPerMs = durationMs > 0 ? audio.byteLength / durationMs : 0;
  const align = Math.max(1, blockAlign);
  const chunkBytes = Math.max(align, Math.floor((bytesPerMs * chunkMs) / align) * align);
  let next = 0; // the first mark not yet sent
  for (let start = 0; start < audio.byteLength; start += chunkBytes) {
    const end = Math.min(audio.byteLength, start + chunkBytes);
    const last = end === audio.byteLength;
    const endMs = bytesPerMs > 0 ? end / bytesPerMs : durationMs;
    const due: Record<string, unknown>[] = [];
    // The chunk holds [startMs, endMs); the last one also takes marks at or past the audio's end.
    while (next < marks.length && (last || (marks[next] as SynthesisEvent).offsetMs < endMs)) {
      due.push(metadataEntry(marks[next] as SynthesisEvent));
      next += 1;
    }
    if (due.length > 0) frames.push(metadataFrame(due));
    frames.push({ kind: "audio", bytes: audio.subarray(start, end) });
  }
  // No audio at all (an empty speak): the marks still go, before SessionEnd.
  if (next < marks.length) frames.push(metadataFrame(marks.slice(next).map(metadataEntry)));
  if (options.sessionEnd) frames.push(metadataFrame([{ Type: "SessionEnd", Data: { Offset: toTicks(durationMs) } }]));
  return frames;
}
