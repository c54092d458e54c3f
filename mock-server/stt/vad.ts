/**
 * An energy-based voice activity detector for 16 kHz, 16-bit little-endian mono PCM. It finds
 * where speech starts and ends so that utterances separated by silence become separate phrases.
 *
 * The audio is cut into 20 ms frames (320 samples). A frame is voiced when its RMS level, in dBFS
 * relative to a full-scale square wave (sample magnitude 32768), is above `thresholdDbfs`. Speech
 * starts after `speechStartFrames` consecutive voiced frames (a click shorter than that is not
 * speech) and is dated to the first of them; it ends once `segmentationSilenceMs` of unvoiced
 * frames follow, and is dated to the end of the last voiced frame.
 *
 * Streaming and exact: a stream keeps only the running sum of squares of its partial frame and
 * at most one carried byte, so memory is constant whatever the audio length, and because the
 * sums are integers (at most 320 · 32768², well below 2⁵³) the events do not depend on how the
 * audio was split into chunks. Web-standard JavaScript only, so Node and Deno behave the same.
 */
import { samplesPerMs, samplesToTicks } from "./ticks.ts";

/** Frame length in milliseconds; fixed, so offsets always fall on 20 ms boundaries. */
export const vadFrameMs = 20;

/** Samples in one frame (320). */
export const vadFrameSamples = vadFrameMs * samplesPerMs;

export interface VadOptions {
  /**
   * A frame whose RMS level is above this many dBFS is voiced. -45 dBFS sits well under quiet
   * speech recorded at ordinary gain (about -30 to -20 dBFS) and well over digital silence and
   * the noise floor of synthesized clips.
   */
  readonly thresholdDbfs: number;
  /** Consecutive voiced frames needed before speech starts: 3 frames, 60 ms. */
  readonly speechStartFrames: number;
  /**
   * Silence, in milliseconds, that ends a segment; rounded up to whole frames. 500 ms is the
   * service's default segmentation silence (the SDK's `Speech_SegmentationSilenceTimeoutMs`).
   */
  readonly segmentationSilenceMs: number;
}

export const defaultVadOptions: VadOptions = Object.freeze({
  thresholdDbfs: -45,
  speechStartFrames: 3,
  segmentationSilenceMs: 500,
});

/** Offsets are in 100 ns ticks from the first sample pushed. */
export type VadEvent =
  | { readonly type: "speechStart"; readonly offsetTicks: number }
  | { readonly type: "speechEnd"; readonly offsetTicks: number };

/** A value as it should appear in an error message: strings quoted, numbers as written (NaN, -Infinity). */
const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

/** Defaults filled in and every value checked; throws `RangeError` on nonsense. */
export const resolveVadOptions = (overrides: Partial<VadOptions> = {}): VadOptions => {
  const options = { ...defaultVadOptions, ...overrides };
  const { thresholdDbfs, speechStartFrames, segmentationSilenceMs } = options;
  if (typeof thresholdDbfs !== "number" || !Number.isFinite(thresholdDbfs) || thresholdDbfs > 0) {
    throw new RangeError(`Cannot use VAD option thresholdDbfs: ${show(thresholdDbfs)} is not a finite number at most 0`);
  }
  if (!Number.isSafeInteger(speechStartFrames) || speechStartFrames < 1) {
    throw new RangeError(`Cannot use VAD option speechStartFrames: ${show(speechStartFrames)} is not a positive integer`);
  }
  if (!Number.isSafeInteger(segmentationSilenceMs) || segmentationSilenceMs < 1) {
    throw new RangeError(
      `Cannot use VAD option segmentationSilenceMs: ${show(segmentationSilenceMs)} is not a positive integer of milliseconds`,
    );
  }
  return Object.freeze(options);
};

/** The RMS level in dBFS of samples whose squares sum to `sumOfSquares`; -Infinity for silence. */
export const rmsDbfs = (sumOfSquares: number, samples: number): number => 10 * Math.log10(sumOfSquares / samples / 32768 ** 2);

/**
 * One stream of PCM (no RIFF header: the caller strips it). `push` chunks of any size, then call
 * `end` once; each returns the events the audio so far has settled, in order.
 */
export class EnergyVad {
  readonly options: VadOptions;
  /** A frame is voiced when its mean square exceeds this, the threshold in squared sample units. */
  readonly #meanSquareThreshold: number;
  readonly #hangoverFrames: number;

  /** Whole samples seen, including those of the partial frame. */
  #samples = 0;
  /** The low byte of a sample split across chunks, or -1. */
  #carry = -1;
  #frameSumOfSquares = 0;
  #frameSamples = 0;
  /** Consecutive voiced frames while not in speech; where the first of them started. */
  #voicedRun = 0;
  #voicedRunStart = 0;
  #speaking = false;
  /** Consecutive unvoiced frames while in speech; where the last voiced frame ended. */
  #silentRun = 0;
  #lastVoicedEnd = 0;
  #ended = false;

  constructor(options: Partial<VadOptions> = {}) {
    this.options = resolveVadOptions(options);
    this.#meanSquareThreshold = (32768 * 10 ** (this.options.thresholdDbfs / 20)) ** 2;
    this.#hangoverFrames = Math.ceil(this.options.segmentationSilenceMs / vadFrameMs);
  }

  /** Ticks of audio pushed so far (whole samples only; a carried odd byte does not count). */
  get audioTicks(): number {
    return samplesToTicks(this.#samples);
  }

  /** Where the last voiced frame ended, in ticks: an open segment's end so far. */
  get lastVoicedEnd(): number {
    return this.#lastVoicedEnd;
  }

  /** Whether a segment is open: speech has started and not yet ended. */
  get speaking(): boolean {
    return this.#speaking;
  }

  push(chunk: Uint8Array): VadEvent[] {
    if (this.#ended) throw new Error("Cannot push audio to the voice activity detector: the stream has ended");
    const events: VadEvent[] = [];
    let i = 0;
    if (this.#carry >= 0 && chunk.length > 0) {
      this.#addSample(this.#carry | ((chunk[0] as number) << 8), events);
      this.#carry = -1;
      i = 1;
    }
    const last = chunk.length - 1;
    for (; i < last; i += 2) {
      this.#addSample((chunk[i] as number) | ((chunk[i + 1] as number) << 8), events);
    }
    if (i === last) this.#carry = chunk[last] as number;
    return events;
  }

  /**
   * Ends the stream: the partial last frame is judged on its own samples, and an open segment is
   * closed at the end of its last voiced frame (the end of the audio when speech runs to the end).
   * A carried odd byte is half a sample and is dropped.
   */
  end(): VadEvent[] {
    if (this.#ended) throw new Error("Cannot end the voice activity detector: the stream has already ended");
    this.#ended = true;
    const events: VadEvent[] = [];
    if (this.#frameSamples > 0) this.#closeFrame(events);
    if (this.#speaking) this.#endSpeech(events);
    return events;
  }

  #addSample(unsigned: number, events: VadEvent[]): void {
    const sample = (unsigned << 16) >> 16; // sign-extend the 16-bit little-endian value
    this.#samples += 1;
    this.#frameSumOfSquares += sample * sample;
    this.#frameSamples += 1;
    if (this.#frameSamples === vadFrameSamples) this.#closeFrame(events);
  }

  #closeFrame(events: VadEvent[]): void {
    const voiced = this.#frameSumOfSquares > this.#meanSquareThreshold * this.#frameSamples;
    const frameEnd = samplesToTicks(this.#samples);
    const frameStart = samplesToTicks(this.#samples - this.#frameSamples);
    this.#frameSumOfSquares = 0;
    this.#frameSamples = 0;
    if (this.#speaking) {
      if (voiced) {
        this.#silentRun = 0;
        this.#lastVoicedEnd = frameEnd;
      } else if (++this.#silentRun >= this.#hangoverFrames) {
        this.#endSpeech(events);
      }
      return;
    }
    if (!voiced) {
      this.#voicedRun = 0;
      return;
    }
    if (this.#voicedRun === 0) this.#voicedRunStart = frameStart;
    if (++this.#voicedRun >= this.options.speechStartFrames) {
      this.#speaking = true;
      this.#voicedRun = 0;
      this.#silentRun = 0;
      this.#lastVoicedEnd = frameEnd;
      events.push({ type: "speechStart", offsetTicks: this.#voicedRunStart });
    }
  }

  #endSpeech(events: VadEvent[]): void {
    this.#speaking = false;
    this.#silentRun = 0;
    events.push({ type: "speechEnd", offsetTicks: this.#lastVoicedEnd });
  }
}
