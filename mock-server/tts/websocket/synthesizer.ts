/**
 * What the session needs of synthesis, and the errors that end a speak. The session asks a
 * `Synthesizer` for one speak's audio and marks; refusals are `SynthesisError`s, which close the
 * socket `1007` with the service's reason style (tts-and-timing.md 2.6), so the SDK cancels the
 * speak with `BadRequestParameters`.
 */
import { CloseCode } from "../../protocol/errors.ts";
import type { SynthesizedAudio } from "./turn-plan.ts";

export type SynthesisErrorCode =
  /** SSML that is not well-formed, or lacks `speak`/`voice`. */
  | "ERR_SSML_INVALID"
  /** A voice name no voice of the mock has. */
  | "ERR_VOICE_UNKNOWN"
  /** An output format that is unknown, or known but not made by the mock. */
  | "ERR_FORMAT_UNSUPPORTED"
  /** SSML over the limit (UNCONFIRMED: 64 KiB). */
  | "ERR_SSML_TOO_LARGE";

/** A refused speak: a stable code, the close reason the client sees, and a message for the log. */
export class SynthesisError extends Error {
  override name = "SynthesisError";
  readonly code: SynthesisErrorCode;
  readonly closeCode: number = CloseCode.invalidPayload;
  /** At most 123 bytes: a close frame's limit. */
  readonly closeReason: string;

  constructor(code: SynthesisErrorCode, message: string, closeReason: string) {
    super(message);
    this.code = code;
    this.closeReason = clipReason(closeReason);
  }
}

/** A close reason cut to 123 UTF-8 bytes, as the service cuts its long reasons ("Please use n..."). */
export function clipReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.byteLength <= 123) return reason;
  let cut = reason.slice(0, 120);
  while (new TextEncoder().encode(`${cut}...`).byteLength > 123) cut = cut.slice(0, -1);
  return `${cut}...`;
}

export interface SynthesisRequest {
  readonly ssml: string;
  /** The `outputFormat` of `synthesis.context`, as sent. */
  readonly format: string;
}

/** One speak's result: the audio and its marks, the audio frames' Content-Type, and what the journal keeps. */
export interface SynthesizedTurn {
  readonly audio: SynthesizedAudio;
  readonly contentType: string;
  readonly summary: { readonly voice?: string; readonly textLength?: number };
}

/**
 * Synthesizes one speak, or throws `SynthesisError`. A compressed format's turn comes as a
 * promise (its encoder loads lazily, its muxer is asynchronous), which rejects the same way.
 */
export type Synthesizer = (request: SynthesisRequest) => SynthesizedTurn | Promise<SynthesizedTurn>;
