/**
 * How alike two utterance fingerprints are, from 0 (unrelated) to 1 (the same sequences).
 *
 * Each feature is compared by Pearson correlation, which ignores a constant offset and scale: a
 * gain change shifts every level by the same dB, and a resampler's gentle roll-off shifts the
 * spectral ratios by nearly the same amount in every frame. The score is 0.4 × the level
 * correlation + 0.3 × each of the tilt and band correlations (frames without a spectral shape are
 * left out of those two), at the best alignment:
 *   - lags of up to ±100 ms, in 10 ms frames, absorb the voice activity detector starting a frame
 *     early or late and a resampler's delay;
 *   - half-frame lags, comparing with a copy averaged between neighbouring frames, absorb audio
 *     that starts part way through a 10 ms frame (the frames are fixed to the stream's first
 *     sample, so 5 ms of leading silence shifts every window by half a frame).
 */
import type { Fingerprint } from "./fingerprint.ts";
import { noShape } from "./fingerprint.ts";

/** Frames of lag searched each way: 10 frames, 100 ms. */
export const maxLagFrames = 10;
/** A candidate whose length differs by more than this share of the longer one is not the same utterance. */
export const maxLengthDifference = 0.2;
/** Fewer frames compared than this say nothing (50 ms). */
const minOverlap = 5;

const weights = { level: 0.4, tilt: 0.3, band: 0.3 } as const;

/** A fingerprint's features as numbers (NaN for no spectral shape). */
interface Sequences {
  readonly level: Float64Array;
  readonly tilt: Float64Array;
  readonly band: Float64Array;
}

const numbers = (codes: Uint8Array, absent?: number): Float64Array => Float64Array.from(codes, (c) => (c === absent ? Number.NaN : c));

const sequencesOf = (fp: Fingerprint): Sequences => ({
  level: numbers(fp.level),
  tilt: numbers(fp.tilt, noShape),
  band: numbers(fp.band, noShape),
});

/** Each value the mean of it and the next: the sequence as if sampled half a frame later. */
const halfOn = (values: Float64Array): Float64Array => values.subarray(1).map((v, i) => (v + (values[i] as number)) / 2);

const halfOnAll = (s: Sequences): Sequences => ({ level: halfOn(s.level), tilt: halfOn(s.tilt), band: halfOn(s.band) });

/** A fingerprint ready to compare: its sequences, and the same half a frame on. */
interface Prepared {
  readonly whole: Sequences;
  readonly half: Sequences;
}

/**
 * Prepared once per fingerprint object: an index compares the same known fingerprints with every
 * utterance, and one utterance with every known fingerprint. Fingerprints are never mutated.
 */
const preparedCache = new WeakMap<Fingerprint, Prepared>();

const prepared = (fp: Fingerprint): Prepared => {
  let p = preparedCache.get(fp);
  if (p === undefined) {
    const whole = sequencesOf(fp);
    p = { whole, half: halfOnAll(whole) };
    preparedCache.set(fp, p);
  }
  return p;
};

/** Pearson correlation of `a[i]` with `b[i + lag]` over the frames both have (NaN frames skipped); 0 when undefined. */
function correlation(a: Float64Array, b: Float64Array, lag: number): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  const from = Math.max(0, -lag);
  const to = Math.min(a.length, b.length - lag);
  for (let i = from; i < to; i++) {
    const x = a[i] as number;
    const y = b[i + lag] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++;
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  if (n < minOverlap) return 0;
  const varA = saa - (sa * sa) / n;
  const varB = sbb - (sb * sb) / n;
  // Flat in either: no shape to correlate (a steady tone, or every frame without a spectral shape).
  if (varA <= 1e-9 || varB <= 1e-9) return 0;
  return (sab - (sa * sb) / n) / Math.sqrt(varA * varB);
}

/** The weighted score of `a` against `b` shifted by `lag` frames. */
const scoreAt = (a: Sequences, b: Sequences, lag: number): number =>
  weights.level * correlation(a.level, b.level, lag) +
  weights.tilt * correlation(a.tilt, b.tilt, lag) +
  weights.band * correlation(a.band, b.band, lag);

/**
 * The best score over every lag, whole and half frames. Frames of `b` past `a`'s end plus the
 * largest lag are never compared, so a prefix search may pass the whole of a longer `b`.
 */
function bestScore(a: Prepared, b: Prepared): number {
  let best = 0;
  for (let lag = -maxLagFrames; lag <= maxLagFrames; lag++) {
    best = Math.max(best, scoreAt(a.whole, b.whole, lag), scoreAt(a.whole, b.half, lag), scoreAt(a.half, b.whole, lag));
  }
  return Math.min(1, best);
}

/** Whether lengths of `a` and `b` frames are close enough to be the same utterance. */
export const similarLength = (a: number, b: number): boolean => Math.min(a, b) >= (1 - maxLengthDifference) * Math.max(a, b);

/**
 * 0..1: how alike two whole utterances are; 0 when their lengths differ by more than 20%.
 * Symmetric up to rounding. See fingerprint-index.ts for the threshold and its measured margins.
 */
export function fingerprintSimilarity(a: Fingerprint, b: Fingerprint): number {
  if (!similarLength(a.frames, b.frames)) return 0;
  return bestScore(prepared(a), prepared(b));
}

/**
 * 0..1: how alike `partial` is to the start of `whole`, for audio still arriving; 0 when the
 * partial audio is already more than 20% longer than the whole.
 */
export function prefixSimilarity(partial: Fingerprint, whole: Fingerprint): number {
  if (partial.frames > (1 + maxLengthDifference) * whole.frames) return 0;
  return bestScore(prepared(partial), prepared(whole));
}
