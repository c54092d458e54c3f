/**
 * Synthesized "speech": a deterministic signal that carries its words, so speechmock's own
 * recognition hears text that speechmock spoke, offline and with no transcripts entry.
 *
 * Each word is a two-tone MFSK frame (see `modem.ts`: 10 ms symbols of one byte) that starts the
 * moment the word starts, then a low buzz (200 + 300 Hz, about -22 dBFS) that fills the rest of
 * the word's duration so the voice activity detector stays in speech, then a 20 ms silent gap.
 * Silence segments are digital silence; one of the segmentation silence (500 ms by default) or
 * longer ends an utterance, as a pause between sentences does. The tones sit at about -10 dBFS,
 * far over the detector's -45 dBFS threshold.
 */
import {
  frameBytes,
  frameOverheadSymbols,
  headerFirst,
  headerLast,
  maxWordBytes,
  preamble,
  symbolMs,
  toneHz,
  toneStepHz,
  wordGapMs,
} from "./modem.ts";

export type Segment = { kind: "word"; text: string; durationMs: number } | { kind: "silence"; durationMs: number };

/** Amplitude of each of a symbol's two tones: together they peak at 60% of full scale. */
const toneAmplitude = 0.3 * 32767;
/** Amplitude of each of the buzz's two partials. */
const buzzAmplitude = 0.08 * 32767;
const buzzHz = [200, 300] as const;
/** The buzz fades out over this long before the gap, so words do not click. */
const fadeMs = 5;

const utf8 = new TextEncoder();

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

function checkRate(sampleRate: number): void {
  // The highest tone is 3500 Hz; 8 kHz is the lowest rate that carries it.
  if (!Number.isSafeInteger(sampleRate) || sampleRate < 8000 || sampleRate > 384_000) {
    throw new RangeError(`Cannot synthesize speech at sample rate ${show(sampleRate)}: expected a whole number of Hz from 8000 to 384000`);
  }
}

function wordBytes(text: string): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.length === 0 || bytes.length > maxWordBytes) {
    throw new RangeError(`Cannot synthesize word ${show(text)}: expected 1 to ${maxWordBytes} bytes of UTF-8, got ${bytes.length}`);
  }
  return bytes;
}

/**
 * The shortest duration, in milliseconds, a word can be rendered in: its frame (60 ms of overhead
 * and 10 ms per UTF-8 byte) and the gap after it. A caller stretches a word given less than this;
 * `renderSpeech` would stretch it anyway. The same at every supported sample rate.
 */
export function minWordDurationMs(text: string, sampleRate: number): number {
  checkRate(sampleRate);
  return (frameOverheadSymbols + wordBytes(text).length) * symbolMs + wordGapMs;
}

/**
 * Renders segments, in order, as 16-bit mono PCM at `sampleRate`. A word shorter than
 * `minWordDurationMs` is stretched to it (the audio then runs longer than the durations asked
 * for). Deterministic: the same segments and rate give the same samples on every runtime.
 * Segment starts fall on the nearest sample to the running sum of durations, so rounding never
 * accumulates.
 */
export function renderSpeech(segments: readonly Segment[], sampleRate: number): Int16Array {
  checkRate(sampleRate);
  const planned = segments.map((segment, i) => {
    if (typeof segment.durationMs !== "number" || !Number.isFinite(segment.durationMs) || segment.durationMs < 0) {
      throw new RangeError(`Cannot synthesize segment ${i}: duration ${show(segment.durationMs)} is not a finite number of ms at least 0`);
    }
    if (segment.kind === "silence") return { segment, durationMs: segment.durationMs, body: undefined };
    const bytes = wordBytes(segment.text);
    const min = (frameOverheadSymbols + bytes.length) * symbolMs + wordGapMs;
    return { segment, durationMs: Math.max(segment.durationMs, min), body: bytes };
  });
  const totalMs = planned.reduce((sum, p) => sum + p.durationMs, 0);
  const out = new Int16Array(Math.round((totalMs * sampleRate) / 1000));
  let startMs = 0;
  let seq = 0;
  for (const [i, p] of planned.entries()) {
    const start = Math.round((startMs * sampleRate) / 1000);
    startMs += p.durationMs;
    const end = Math.round((startMs * sampleRate) / 1000);
    if (p.body === undefined) continue;
    const first = planned[i - 1]?.body === undefined ? headerFirst : 0;
    const last = planned[i + 1]?.body === undefined ? headerLast : 0;
    const header = ((seq & 0x3f) << 2) | first | last;
    seq += 1;
    renderWord(out, start, end, frameBytes(header, p.body), sampleRate);
  }
  return out;
}

/** The tone pair (low nibble index, high nibble index) of each symbol: the preamble, then a byte each. */
function symbolsOf(body: Uint8Array): [number, number][] {
  const symbols = preamble.map(([lo, hi]) => [lo, hi] as [number, number]);
  for (const byte of body) symbols.push([byte >> 4, byte & 0x0f]);
  return symbols;
}

/** Greatest common divisor of two whole numbers. */
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * One period of the sine every tone is a whole multiple of, at a sample rate. Every tone is a
 * multiple of `toneStepHz`, so `sin(2π·f·k/rate)` is this table at `(f/step·k) mod length`: a
 * lookup instead of `Math.sin` for each tone of each sample, which was nine tenths of a
 * synthesis's time. 80 to 480 entries, kept per rate.
 */
interface SineTable {
  values: Float64Array;
  /** Table steps per `toneStepHz` of frequency. */
  stepsPerTone: number;
}

const sineTables = new Map<number, SineTable>();

function sineTable(sampleRate: number): SineTable {
  let table = sineTables.get(sampleRate);
  if (table === undefined) {
    const common = gcd(sampleRate, toneStepHz);
    const length = sampleRate / common;
    const values = new Float64Array(length);
    for (let j = 0; j < length; j++) values[j] = Math.sin((2 * Math.PI * j) / length);
    table = { values, stepsPerTone: toneStepHz / common };
    sineTables.set(sampleRate, table);
  }
  return table;
}

/** Adds `amplitude·(sin f1 + sin f2)` for samples `from..to` of a word starting at `start`, with an optional fade. */
function renderTones(
  out: Int16Array,
  start: number,
  from: number,
  to: number,
  f1: number,
  f2: number,
  amplitude: number,
  table: SineTable,
): void {
  const { values, stepsPerTone } = table;
  const length = values.length;
  const step1 = (f1 / toneStepHz) * stepsPerTone;
  const step2 = (f2 / toneStepHz) * stepsPerTone;
  let i1 = (step1 * (from - start)) % length;
  let i2 = (step2 * (from - start)) % length;
  for (let n = from; n < to; n++) {
    out[n] = Math.round(amplitude * ((values[i1] as number) + (values[i2] as number)));
    i1 += step1;
    if (i1 >= length) i1 -= length;
    i2 += step2;
    if (i2 >= length) i2 -= length;
  }
}

function renderWord(out: Int16Array, start: number, end: number, body: Uint8Array, sampleRate: number): void {
  const symbols = symbolsOf(body);
  const table = sineTable(sampleRate);
  const samplesPerSymbol = (symbolMs * sampleRate) / 1000;
  // Time runs from the word's start: every tone completes whole cycles per symbol, so the
  // waveform passes through zero at each symbol boundary and at the end of the frame.
  const frameEnd = Math.min(end, start + Math.ceil(symbols.length * samplesPerSymbol));
  for (const [s, [lo, hi]] of symbols.entries()) {
    const from = start + Math.ceil(s * samplesPerSymbol);
    const to = Math.min(frameEnd, start + Math.ceil((s + 1) * samplesPerSymbol));
    renderTones(out, start, from, to, toneHz(0, lo), toneHz(1, hi), toneAmplitude, table);
  }
  const buzzEnd = end - (wordGapMs * sampleRate) / 1000;
  const fadeSamples = (fadeMs * sampleRate) / 1000;
  const fadeFrom = Math.max(frameEnd, Math.ceil(buzzEnd - fadeSamples));
  renderTones(out, start, frameEnd, Math.max(frameEnd, fadeFrom), buzzHz[0], buzzHz[1], buzzAmplitude, table);
  // The fade: few samples, so the plain formula.
  for (let n = fadeFrom; n < Math.ceil(buzzEnd); n++) {
    const t = (n - start) / sampleRate;
    const fade = (buzzEnd - n) / fadeSamples;
    out[n] = Math.round(fade * buzzAmplitude * (Math.sin(2 * Math.PI * buzzHz[0] * t) + Math.sin(2 * Math.PI * buzzHz[1] * t)));
  }
}
