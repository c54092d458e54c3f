/**
 * Hears synthesized speech again: finds the word frames `encode.ts` renders in one utterance of
 * 16 kHz PCM, as the voice activity detector cuts it, after whatever resampling or G.711 the
 * audio went through on its way.
 *
 * 1. One pass over the audio scores every sample position as the start of a preamble: the share
 *    of two consecutive 160-sample windows' energy that lies in the preamble's tone pairs (1 for
 *    a clean preamble; speech, noise and the buzz between words score far lower). Window sums
 *    slide, so the pass costs a few operations per sample.
 * 2. At each run of positions scoring over `preambleScore`, the best one is taken as the frame's
 *    start; each following symbol is read as the loudest tone of each group in its window.
 * 3. A frame counts when its CRC-16 matches, its tones hold most of the energy, and its text is
 *    valid UTF-8. The scan resumes after it.
 * 4. The words must form one run: first flag on the first, last flag on the last, and each word
 *    the sequence number after the one before (or starting a new run right after a last flag).
 * Anything else, including every real recording, is not synthesized speech: undefined.
 */
import { crc16, headerFirst, headerLast, highGroupFirstBin, lowGroupFirstBin, preamble, tonesPerGroup } from "./modem.ts";

/** Samples in one symbol at 16 kHz; also the DFT length whose bins are the tones. */
const n = 160;
/** A preamble candidate scores at least this (0..1); a clean one scores about 1. */
const preambleScore = 0.5;
/** The mean share of a frame's energy its chosen tones must hold. */
const frameScore = 0.5;
/** Windows quieter than this mean square (about -60 dBFS) have no tones worth reading. */
const minMeanSquare = 33 ** 2;
/** Longer utterances are not decoded: two minutes is hundreds of synthesized words. */
const maxSamples = 16_000 * 120;

const cosTable = Float64Array.from({ length: n }, (_, m) => Math.cos((2 * Math.PI * m) / n));
const sinTable = Float64Array.from({ length: n }, (_, m) => Math.sin((2 * Math.PI * m) / n));
const utf8 = new TextDecoder("utf-8", { fatal: true });

const binOf = (group: 0 | 1, nibble: number): number => (group === 0 ? lowGroupFirstBin : highGroupFirstBin) + nibble;

/** A bin's correlation over a sliding window; phase is referenced to sample 0, which leaves magnitudes alone. */
class SlidingBin {
  re = 0;
  im = 0;
  constructor(readonly bin: number) {}
  add(x: number, m: number, sign: number): void {
    const i = (this.bin * m) % n;
    this.re += sign * x * (cosTable[i] as number);
    this.im -= sign * x * (sinTable[i] as number);
  }
  get power(): number {
    return this.re * this.re + this.im * this.im;
  }
}

/** The share (0..1) of a window's energy in two bins: 1 for exactly two equal tones on those bins. */
const share = (power: number, energy: number): number => (energy > minMeanSquare * n ? (2 * power) / (n * energy) : 0);

/** Preamble scores of every start position: the lower of its two symbols' shares. */
function preambleScores(x: Int16Array): Float32Array {
  const positions = Math.max(0, x.length - 2 * n + 1);
  const scores = new Float32Array(positions);
  if (positions === 0) return scores;
  const windows = preamble.map(([lo, hi], s) => ({
    offset: s * n,
    bins: [new SlidingBin(binOf(0, lo)), new SlidingBin(binOf(1, hi))],
    energy: 0,
  }));
  for (const w of windows) {
    for (let m = w.offset; m < w.offset + n; m++) {
      const v = x[m] as number;
      w.energy += v * v;
      for (const b of w.bins) b.add(v, m, 1);
    }
  }
  for (let p = 0; ; p++) {
    let score = 1;
    for (const w of windows) score = Math.min(score, share((w.bins[0] as SlidingBin).power + (w.bins[1] as SlidingBin).power, w.energy));
    scores[p] = score;
    if (p + 1 >= positions) break;
    for (const w of windows) {
      const out = p + w.offset;
      const inn = out + n;
      const vo = x[out] as number;
      const vi = x[inn] as number;
      // Energy sums are integers, exact; the bins' sums drift by rounding only (about 1e-12 relative).
      w.energy += vi * vi - vo * vo;
      for (const b of w.bins) {
        b.add(vo, out, -1);
        b.add(vi, inn, 1);
      }
    }
  }
  return scores;
}

/** The byte a symbol window carries (loudest tone of each group) and the share of energy those tones hold. */
function readSymbol(x: Int16Array, start: number): { byte: number; share: number } {
  let energy = 0;
  const power = new Float64Array(2 * tonesPerGroup);
  for (let m = start; m < start + n; m++) {
    const v = x[m] as number;
    energy += v * v;
  }
  for (let k = 0; k < 2 * tonesPerGroup; k++) {
    const bin = lowGroupFirstBin + k;
    let re = 0;
    let im = 0;
    for (let m = start; m < start + n; m++) {
      const v = x[m] as number;
      const i = (bin * m) % n;
      re += v * (cosTable[i] as number);
      im -= v * (sinTable[i] as number);
    }
    power[k] = re * re + im * im;
  }
  const loudest = (from: number) => {
    let best = from;
    for (let k = from + 1; k < from + tonesPerGroup; k++) if ((power[k] as number) > (power[best] as number)) best = k;
    return best - from;
  };
  const hi = loudest(tonesPerGroup);
  const lo = loudest(0);
  return { byte: (lo << 4) | hi, share: share((power[lo] as number) + (power[tonesPerGroup + hi] as number), energy) };
}

interface Frame {
  readonly header: number;
  readonly text: string;
  /** Sample just after the frame. */
  readonly end: number;
}

/** The frame starting at `start`, or undefined when its bytes or tones do not hold up. */
function readFrame(x: Int16Array, start: number): Frame | undefined {
  const dataStart = start + preamble.length * n;
  const bytes: number[] = [];
  let shares = 0;
  const read = (): boolean => {
    const at = dataStart + bytes.length * n;
    if (at + n > x.length) return false;
    const symbol = readSymbol(x, at);
    bytes.push(symbol.byte);
    shares += symbol.share;
    return true;
  };
  if (!read() || !read()) return undefined;
  const length = bytes[1] as number;
  if (length === 0) return undefined;
  for (let i = 0; i < length + 2; i++) if (!read()) return undefined;
  const body = Uint8Array.from(bytes);
  const crc = ((body[length + 2] as number) << 8) | (body[length + 3] as number);
  if (crc16(body.subarray(0, length + 2)) !== crc || shares / bytes.length < frameScore) return undefined;
  try {
    const text = utf8.decode(body.subarray(2, length + 2));
    return { header: body[0] as number, text, end: dataStart + bytes.length * n };
  } catch {
    return undefined;
  }
}

/** Every frame in the audio, in order. */
function framesIn(x: Int16Array): Frame[] {
  const scores = preambleScores(x);
  const frames: Frame[] = [];
  let p = 0;
  while (p < scores.length) {
    if ((scores[p] as number) < preambleScore) {
      p++;
      continue;
    }
    // The run of good scores around one preamble is about a third of a symbol wide; its best is the alignment.
    let best = p;
    let q = p;
    for (; q < scores.length && q < p + n && (scores[q] as number) >= preambleScore; q++) {
      if ((scores[q] as number) > (scores[best] as number)) best = q;
    }
    const frame = readFrame(x, best);
    if (frame === undefined) {
      p = q;
      continue;
    }
    frames.push(frame);
    p = frame.end;
  }
  return frames;
}

/** Whether frames form runs of consecutive words, each run flagged first and last. */
function isWholeRun(frames: readonly Frame[]): boolean {
  let open = false;
  let seq = 0;
  for (const { header } of frames) {
    const first = (header & headerFirst) !== 0;
    const frameSeq = header >> 2;
    if (open ? first || frameSeq !== (seq + 1) % 64 : !first) return false;
    seq = frameSeq;
    open = (header & headerLast) === 0;
  }
  return !open;
}

/**
 * The text of one utterance of synthesized speech (16 kHz 16-bit mono samples), its words joined
 * by single spaces; undefined when it is not synthesized speech, or not all of it decodes.
 */
export function hearSynthesized(pcm16k: Int16Array): { text: string } | undefined {
  if (pcm16k.length > maxSamples) return undefined;
  // The detector cuts at the end of the last voiced 20 ms frame, which may fall a few samples into
  // the last symbol once a resampler has shifted it: a symbol of silence either side restores it.
  const padded = new Int16Array(pcm16k.length + 2 * n);
  padded.set(pcm16k, n);
  const frames = framesIn(padded);
  if (frames.length === 0 || !isWholeRun(frames)) return undefined;
  return { text: frames.map((f) => f.text).join(" ") };
}
