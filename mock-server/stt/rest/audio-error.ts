/** Why a REST request's audio cannot be recognised: its reason code names the case, the message the details. */
export type AudioProblem = "request.audio_invalid" | "request.audio_format_unsupported" | "request.audio_too_long";

/** Thrown by the body readers (and so out of `recognizeBody`) for audio the service would refuse with `400`. */
export class AudioError extends Error {
  override readonly name = "AudioError";
  readonly reason: AudioProblem;

  constructor(reason: AudioProblem, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The most audio one request may carry (tts-and-timing.md 4.1: "at most 60 s of audio"). */
export const maxAudioMs = 60_000;

/** Audio past `limitMs` (`maxAudioMs` unless a test says otherwise), `ms` of it read so far. */
export const tooLong = (ms: number, limitMs = maxAudioMs): AudioError =>
  new AudioError(
    "request.audio_too_long",
    `The audio is longer than ${limitMs / 1000} s (${ms} ms read so far): the REST API for short audio takes at most ${limitMs / 1000} s; use the WebSocket for longer audio`,
  );
