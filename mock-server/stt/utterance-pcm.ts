/**
 * The recent PCM of one stream (16 kHz, 16-bit little-endian mono, no RIFF header), so that an
 * utterance's samples can be read once the voice activity detector has closed it. The recognizer
 * forgets what lies before the open utterance, as it does for fingerprint features; an utterance
 * longer than `maxMs` is not kept whole, and its samples read as undefined.
 */
import { samplesToTicks, ticksPerSample } from "./ticks.ts";

export class UtterancePcm {
  readonly #maxBytes: number;
  #bytes = new Uint8Array(64 * 1024);
  /** Bytes stored, at `#bytes[#start..]`; the first is byte `#first` of the stream. */
  #start = 0;
  #length = 0;
  #first = 0;

  constructor(maxMs = 120_000) {
    this.#maxBytes = maxMs * 32;
  }

  /** Bytes kept: what `forgetBefore` and `maxMs` bound. */
  get storedBytes(): number {
    return this.#length;
  }

  /** Takes PCM in chunks of any size (a sample may be split between chunks). */
  push(pcm: Uint8Array): void {
    if (this.#start + this.#length + pcm.length > this.#bytes.length) {
      // Compact, growing only when the kept bytes fill more than half: copies stay amortised O(1) a byte.
      const needed = this.#length + pcm.length;
      if (needed * 2 > this.#bytes.length) {
        const grown = new Uint8Array(Math.max(this.#bytes.length * 2, needed));
        grown.set(this.#bytes.subarray(this.#start, this.#start + this.#length));
        this.#bytes = grown;
      } else {
        this.#bytes.copyWithin(0, this.#start, this.#start + this.#length);
      }
      this.#start = 0;
    }
    this.#bytes.set(pcm, this.#start + this.#length);
    this.#length += pcm.length;
    // Over the cap, the oldest whole samples go: what needed them is longer than anything kept.
    const excess = this.#length - this.#maxBytes;
    if (excess > 0) this.#drop(excess + (excess & 1));
  }

  /** Drops the audio before `ticks` from the start of the stream. */
  forgetBefore(ticks: number): void {
    const byte = 2 * Math.floor(ticks / ticksPerSample);
    if (byte > this.#first) this.#drop(Math.min(this.#length, byte - this.#first) & ~1);
  }

  /** The samples from `startTicks` to `endTicks`; undefined when some of them are no longer kept or not yet pushed. */
  samples(startTicks: number, endTicks: number): Int16Array | undefined {
    const from = 2 * Math.floor(startTicks / ticksPerSample) - this.#first;
    const to = 2 * Math.floor(endTicks / ticksPerSample) - this.#first;
    if (from < 0 || to > this.#length || to < from) return undefined;
    const out = new Int16Array((to - from) >> 1);
    const view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset + this.#start + from, to - from);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
    return out;
  }

  /** Ticks of the first sample kept. */
  get firstTicks(): number {
    return samplesToTicks(this.#first / 2);
  }

  #drop(bytes: number): void {
    this.#start += bytes;
    this.#length -= bytes;
    this.#first += bytes;
  }
}
