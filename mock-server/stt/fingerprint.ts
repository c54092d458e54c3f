/**
 * An acoustic fingerprint of one utterance: how loud it is, and roughly what shape its spectrum
 * has, every 10 ms. Two recordings of the same clip give nearly the same sequences even when one
 * was padded with silence, played at another gain or resampled through 48 kHz, where a hash of the
 * bytes would differ; different words give different sequences. It identifies a known utterance,
 * it does not recognise speech (see fingerprint-similarity.ts for the comparison).
 *
 * Per 10 ms sub-frame (160 samples, aligned with the voice activity detector's 20 ms frames) a
 * stream keeps three sums: the energy, the energy of the first difference (weights each frequency
 * by 4·sin²(ω/2), so its ratio to the energy is the spectral tilt) and the energy of a 2 kHz
 * band-pass. A fingerprint frame is a 20 ms window, two sub-frames, every 10 ms:
 *   - level: dB below the utterance's loudest window, so a gain change cancels out;
 *   - tilt: first-difference energy over energy, in dB: high in fricatives, low in vowels;
 *   - band: 2 kHz band energy over energy, in dB: follows the second formant.
 * Tilt and band are ratios, so gain-invariant too; windows 35 dB or more below the loudest have
 * no reliable spectral shape (noise, resampler ringing) and store `noShape` instead.
 *
 * Web-standard JavaScript only; the energy sums are integers, and the band-pass runs sample by
 * sample, so the result does not depend on how the audio was chunked.
 */
import { samplesToTicks, ticksPerSecond } from "./ticks.ts";
import { EnergyVad } from "./vad.ts";

/** Samples in a sub-frame: 10 ms at 16 kHz. A fingerprint has one frame per sub-frame boundary. */
export const fingerprintHopSamples = 160;
/** Ticks in one fingerprint frame step (10 ms). */
export const fingerprintHopTicks = samplesToTicks(fingerprintHopSamples);

/** Quantised values are 6 bits, one base64url character each. */
const maxCode = 63;
/** The tilt or band code of a window too quiet to have a spectral shape. */
export const noShape = maxCode;
/** Level codes are whole dB below the loudest window; 63 means that far down or further (silence). */
const levelFloorDb = maxCode;
/** Windows this far below the loudest get `noShape`: their spectrum is noise, not speech. */
const shapeFloorDb = 35;
/** Tilt is at most +6 dB (a signal at the Nyquist frequency); speech spans about -30 to +5. */
const tiltRange = { min: -30, max: 6.1 } as const;
/** The 2 kHz band holds at most all of the energy (0 dB); below -45 dB it says nothing. */
const bandRange = { min: -45, max: 0.1 } as const;

/**
 * A fingerprint: `frames` windows of 20 ms, one every 10 ms, each with three codes of 0..63. The
 * arrays are quantised, so a fingerprint read back from its text compares exactly as the original.
 */
export interface Fingerprint {
  readonly frames: number;
  /** dB below the loudest window (0 is the loudest; 63: 63 dB or more below). */
  readonly level: Uint8Array;
  /** Spectral tilt, `tiltRange` mapped onto 0..62; `noShape` when too quiet. */
  readonly tilt: Uint8Array;
  /** 2 kHz band share, `bandRange` mapped onto 0..62; `noShape` when too quiet. */
  readonly band: Uint8Array;
}

/**
 * RBJ cookbook band-pass (constant 0 dB peak) at 2 kHz, Q 1, for 16 kHz: normalised coefficients
 * of a transposed direct form II biquad. The second formant of most vowels sits around 1-2.5 kHz.
 */
const band = (() => {
  const w = (2 * Math.PI * 2000) / 16_000;
  const alpha = Math.sin(w) / 2;
  const a0 = 1 + alpha;
  return { b0: alpha / a0, b2: -alpha / a0, a1: (-2 * Math.cos(w)) / a0, a2: (1 - alpha) / a0 };
})();

/** Sums kept per sub-frame, in this order. */
const sumsPerFrame = 3;

/**
 * The per-frame features of one stream of 16 kHz 16-bit little-endian mono PCM (no RIFF header),
 * from which the fingerprint of any stretch can be taken. Stores three numbers per 10 ms, never
 * the PCM; `forgetBefore` drops what is no longer needed so a long stream stays small.
 */
export class UtteranceFeatures {
  /** Sums of stored sub-frames, `sumsPerFrame` each, oldest first. */
  #sums = new Float64Array(sumsPerFrame * 256);
  /** Stored complete sub-frames. */
  #stored = 0;
  /** Index, from the start of the stream, of the first stored sub-frame. */
  #first = 0;
  /** Whole samples pushed. */
  #samples = 0;
  /** The low byte of a sample split across chunks, or -1. */
  #carry = -1;
  /** The previous sample, for the first difference (0 before the stream: digital silence). */
  #previous = 0;
  /** Band-pass state. */
  #z1 = 0;
  #z2 = 0;
  /** Running sums of the partial sub-frame. */
  #energy = 0;
  #difference = 0;
  #band = 0;

  /** Ticks of audio pushed (whole samples only). */
  get audioTicks(): number {
    return samplesToTicks(this.#samples);
  }

  /** Sub-frames kept: what `forgetBefore` bounds. */
  get storedFrames(): number {
    return this.#stored;
  }

  /** Takes PCM in chunks of any size; a sample split between chunks is joined. */
  push(pcm: Uint8Array): void {
    let i = 0;
    if (this.#carry >= 0 && pcm.length > 0) {
      this.#add(((this.#carry | ((pcm[0] as number) << 8)) << 16) >> 16);
      this.#carry = -1;
      i = 1;
    }
    const last = pcm.length - 1;
    for (; i < last; i += 2) this.#add((((pcm[i] as number) | ((pcm[i + 1] as number) << 8)) << 16) >> 16);
    if (i === last) this.#carry = pcm[last] as number;
  }

  #add(x: number): void {
    const d = x - this.#previous;
    this.#previous = x;
    const y = band.b0 * x + this.#z1;
    this.#z1 = -band.a1 * y + this.#z2;
    this.#z2 = band.b2 * x - band.a2 * y;
    this.#energy += x * x;
    this.#difference += d * d;
    this.#band += y * y;
    this.#samples += 1;
    if (this.#samples % fingerprintHopSamples === 0) this.#closeFrame();
  }

  #closeFrame(): void {
    if ((this.#stored + 1) * sumsPerFrame > this.#sums.length) {
      const grown = new Float64Array(this.#sums.length * 2);
      grown.set(this.#sums);
      this.#sums = grown;
    }
    const at = this.#stored * sumsPerFrame;
    this.#sums[at] = this.#energy;
    this.#sums[at + 1] = this.#difference;
    this.#sums[at + 2] = this.#band;
    this.#stored += 1;
    this.#energy = 0;
    this.#difference = 0;
    this.#band = 0;
  }

  /**
   * Drops the frames before `ticks`, which no later fingerprint may start before. The voice
   * activity detector dates speech back to the first of its start-up frames, so while no speech
   * is open keep at least those: forget before `audioTicks` minus `speechStartFrames` · 20 ms.
   */
  forgetBefore(ticks: number): void {
    const drop = Math.min(Math.floor(ticks / fingerprintHopTicks) - this.#first, this.#stored);
    if (!(drop > 0)) return;
    this.#sums.copyWithin(0, drop * sumsPerFrame, this.#stored * sumsPerFrame);
    this.#stored -= drop;
    this.#first += drop;
  }

  /**
   * The fingerprint of the audio from `startTicks` to `endTicks` (from the first sample pushed),
   * in whole 10 ms sub-frames; the voice activity detector's offsets fall on them exactly.
   * Throws `RangeError` for a stretch that is forgotten, not yet pushed, or under 20 ms.
   */
  fingerprint(startTicks: number, endTicks: number): Fingerprint {
    const start = Math.floor(startTicks / fingerprintHopTicks);
    const end = Math.floor(endTicks / fingerprintHopTicks);
    const at = (t: number) => `${(t / ticksPerSecond).toFixed(3)} s`;
    if (!(startTicks >= 0) || !(endTicks >= startTicks)) {
      throw new RangeError(`Cannot fingerprint from ${startTicks} to ${endTicks} ticks: expected 0 <= start <= end`);
    }
    if (start < this.#first) {
      throw new RangeError(
        `Cannot fingerprint from ${at(startTicks)}: audio before ${at(this.#first * fingerprintHopTicks)} was forgotten`,
      );
    }
    if (end > this.#first + this.#stored) {
      throw new RangeError(
        `Cannot fingerprint up to ${at(endTicks)}: only ${at((this.#first + this.#stored) * fingerprintHopTicks)} was pushed`,
      );
    }
    if (end - start < 2) throw new RangeError(`Cannot fingerprint ${at(endTicks - startTicks)} of audio: expected at least 20 ms`);
    return quantise(this.#sums.subarray((start - this.#first) * sumsPerFrame, (end - this.#first) * sumsPerFrame));
  }
}

const code = (db: number, range: { min: number; max: number }): number => {
  const scaled = Math.round(((db - range.min) / (range.max - range.min)) * (maxCode - 1));
  return Math.max(0, Math.min(maxCode - 1, scaled));
};

/** Windows of two sub-frames, one per sub-frame boundary, quantised (see the file comment). */
function quantise(sums: Float64Array): Fingerprint {
  const frames = sums.length / sumsPerFrame - 1;
  const energyDb = new Float64Array(frames);
  const level = new Uint8Array(frames);
  const tilt = new Uint8Array(frames);
  const bandShare = new Uint8Array(frames);
  let loudest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < frames; i++) {
    const a = i * sumsPerFrame;
    const b = a + sumsPerFrame;
    const energy = (sums[a] as number) + (sums[b] as number);
    // +1 keeps digital silence finite; such windows end up as `noShape` and at the level floor.
    energyDb[i] = 10 * Math.log10(energy + 1);
    tilt[i] = code(10 * Math.log10(((sums[a + 1] as number) + (sums[b + 1] as number) + 1) / (energy + 1)), tiltRange);
    bandShare[i] = code(10 * Math.log10(((sums[a + 2] as number) + (sums[b + 2] as number) + 1) / (energy + 1)), bandRange);
    if ((energyDb[i] as number) > loudest) loudest = energyDb[i] as number;
  }
  for (let i = 0; i < frames; i++) {
    const below = loudest - (energyDb[i] as number);
    level[i] = Math.min(levelFloorDb, Math.round(below));
    if (below >= shapeFloorDb) {
      tilt[i] = noShape;
      bandShare[i] = noShape;
    }
  }
  return { frames, level, tilt, band: bandShare };
}

/** The text form's version prefix. */
const prefix = "fp1:";
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const codeOfChar = new Map([...alphabet].map((c, i) => [c, i]));

/**
 * `fp1:` then, per frame, its level, tilt and band codes as one base64url character each: 300
 * characters per second of speech.
 */
export function encodeFingerprint(fp: Fingerprint): string {
  let text = prefix;
  for (let i = 0; i < fp.frames; i++) {
    text += alphabet[fp.level[i] as number];
    text += alphabet[fp.tilt[i] as number];
    text += alphabet[fp.band[i] as number];
  }
  return text;
}

/**
 * Reads `encodeFingerprint`'s text. Throws `TypeError` for a non-string and `RangeError` naming
 * the first problem; every message starts "Cannot parse fingerprint: " (the transcripts schema
 * shows what follows).
 */
export function parseFingerprint(text: unknown): Fingerprint {
  if (typeof text !== "string")
    throw new TypeError(`Cannot parse fingerprint: expected a string, found ${text === null ? "null" : typeof text}`);
  if (!text.startsWith(prefix)) {
    const shown = JSON.stringify(text.length > 12 ? `${text.slice(0, 12)}…` : text);
    throw new RangeError(`Cannot parse fingerprint: expected it to start with "${prefix}", found ${shown}`);
  }
  const body = text.slice(prefix.length);
  for (let i = 0; i < body.length; i++) {
    if (!codeOfChar.has(body[i] as string)) {
      throw new RangeError(
        `Cannot parse fingerprint: character ${prefix.length + i} (${JSON.stringify(body[i])}) is not base64url (A-Z, a-z, 0-9, "-", "_")`,
      );
    }
  }
  if (body.length === 0 || body.length % 3 !== 0) {
    throw new RangeError(
      `Cannot parse fingerprint: ${body.length} characters after "${prefix}", expected a positive multiple of 3 (one frame each)`,
    );
  }
  const frames = body.length / 3;
  const fp = { frames, level: new Uint8Array(frames), tilt: new Uint8Array(frames), band: new Uint8Array(frames) };
  for (let i = 0; i < frames; i++) {
    fp.level[i] = codeOfChar.get(body[3 * i] as string) as number;
    fp.tilt[i] = codeOfChar.get(body[3 * i + 1] as string) as number;
    fp.band[i] = codeOfChar.get(body[3 * i + 2] as string) as number;
  }
  return fp;
}

/** One utterance of a clip: where the voice activity detector put it, and its fingerprint's text. */
export interface ClipUtterance {
  readonly startTicks: number;
  readonly endTicks: number;
  readonly fingerprint: string;
}

/**
 * The fingerprint of each utterance in a whole clip's PCM, as the mock would take it from a
 * stream with the same segmentation silence (the voice activity detector's default, 500 ms,
 * when not given). `speechmock hash` prints these; a transcripts file's phrases carry them.
 */
export function fingerprintsOfClip(pcm: Uint8Array, segmentationSilenceMs?: number): ClipUtterance[] {
  const vad = new EnergyVad(segmentationSilenceMs === undefined ? {} : { segmentationSilenceMs });
  const features = new UtteranceFeatures();
  features.push(pcm);
  const out: ClipUtterance[] = [];
  let start = 0;
  for (const event of [...vad.push(pcm), ...vad.end()]) {
    if (event.type === "speechStart") start = event.offsetTicks;
    else {
      const fingerprint = encodeFingerprint(features.fingerprint(start, event.offsetTicks));
      out.push({ startTicks: start, endTicks: event.offsetTicks, fingerprint });
    }
  }
  return out;
}
