/**
 * Test support: what happens to a clip between a test's WAV file and the mock in real life, on
 * 16-bit little-endian mono PCM bytes (no RIFF header). A browser captures at 48 kHz and resamples
 * to 16 kHz, a microphone has its own gain, and a client may start the stream early or send
 * silence after the words. Deterministic, so a failing property test replays exactly.
 */

/** The samples of PCM bytes (a trailing odd byte is dropped), copied so the input is untouched. */
export const samplesOf = (pcm: Uint8Array): Int16Array => {
  const out = new Int16Array(pcm.length >> 1);
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
};

/** Samples as little-endian PCM bytes, whatever the platform's byte order. */
export const bytesOf = (samples: Int16Array): Uint8Array => {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i] as number, true);
  return out;
};

/** Rounds to the nearest 16-bit value, saturating as a sound card's converter does. */
const toInt16 = (value: number): number => Math.max(-32768, Math.min(32767, Math.round(value)));

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Zero crossings of the lower rate's sinc on each side of a tap: 16 gives ~80 dB stop-band with the Kaiser window below. */
const halfWidthZeros = 16;
/** Kaiser window β for about 80 dB of stop-band attenuation. */
const kaiserBeta = 8;
/** Pass band ends at 90% of the lower Nyquist frequency, leaving room for the transition band, as browser resamplers do. */
const passBand = 0.9;

/** Modified Bessel function of the first kind, order 0 (the Kaiser window's normaliser), by its series. */
const besselI0 = (x: number): number => {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
};

/**
 * Resamples with a Kaiser-windowed sinc low-pass, computed as a polyphase filter: output sample
 * `n` sits at input position `n · from / to`, which takes only `to / gcd` distinct fractional
 * phases, so each phase's taps are computed once. The filter is centred (no delay) and cuts at
 * 90% of the lower rate's Nyquist frequency, so nothing aliases on the way down.
 */
export function resample(pcm: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (!Number.isSafeInteger(fromHz) || !Number.isSafeInteger(toHz) || fromHz <= 0 || toHz <= 0) {
    throw new RangeError(`Cannot resample from ${fromHz} Hz to ${toHz} Hz: expected positive whole rates`);
  }
  const g = gcd(fromHz, toHz);
  const up = toHz / g;
  const down = fromHz / g;
  // Cutoff in cycles per input sample; the gain of `up` restores the level lost to zero-stuffing.
  const cutoff = (passBand * 0.5 * Math.min(fromHz, toHz)) / fromHz;
  const half = Math.ceil(halfWidthZeros / (2 * cutoff));
  const taps = 2 * half + 1;
  const table = new Float64Array(up * taps);
  const norm = besselI0(kaiserBeta);
  for (let phase = 0; phase < up; phase++) {
    const frac = phase / up;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const t = j - half - frac; // input sample minus output position
      const x = t / (half + 1);
      const window = Math.abs(x) >= 1 ? 0 : besselI0(kaiserBeta * Math.sqrt(1 - x * x)) / norm;
      const sinc = t === 0 ? 1 : Math.sin(2 * Math.PI * cutoff * t) / (2 * Math.PI * cutoff * t);
      const h = 2 * cutoff * sinc * window;
      table[phase * taps + j] = h;
      sum += h;
    }
    // Unity gain at DC for every phase, so a constant stays constant.
    for (let j = 0; j < taps; j++) table[phase * taps + j] = (table[phase * taps + j] as number) / sum;
  }
  const length = Math.floor((pcm.length * up) / down);
  const out = new Int16Array(length);
  for (let n = 0; n < length; n++) {
    const position = n * down;
    const base = Math.floor(position / up);
    const phase = position % up;
    let acc = 0;
    for (let j = 0; j < taps; j++) {
      const k = base - half + j;
      if (k >= 0 && k < pcm.length) acc += (pcm[k] as number) * (table[phase * taps + j] as number);
    }
    out[n] = toInt16(acc);
  }
  return out;
}

/**
 * Resamples by linear interpolation between neighbours, with no low-pass filter: the cheap
 * converter some capture paths use. Sample centres are aligned (output `n` sits at input
 * `(n + ½) · from / to − ½`), so a 3:1 round trip does not land back on the original samples.
 */
export function resampleLinear(pcm: Int16Array, fromHz: number, toHz: number): Int16Array {
  const length = Math.floor((pcm.length * toHz) / fromHz);
  const out = new Int16Array(length);
  const last = pcm.length - 1;
  for (let n = 0; n < length; n++) {
    const position = Math.min(last, Math.max(0, ((n + 0.5) * fromHz) / toHz - 0.5));
    const k = Math.floor(position);
    const frac = position - k;
    const a = pcm[k] as number;
    const b = pcm[Math.min(last, k + 1)] as number;
    out[n] = toInt16(a + (b - a) * frac);
  }
  return out;
}

/** 16 kHz up to 48 kHz and back, as a browser microphone path does, with the windowed-sinc resampler. */
export const roundTrip48k = (pcm: Uint8Array): Uint8Array => bytesOf(resample(resample(samplesOf(pcm), 16_000, 48_000), 48_000, 16_000));

/** The same round trip with the linear-interpolation resampler. */
export const roundTrip48kLinear = (pcm: Uint8Array): Uint8Array =>
  bytesOf(resampleLinear(resampleLinear(samplesOf(pcm), 16_000, 48_000), 48_000, 16_000));

/** Every sample times `gain`, rounded and saturated at full scale. */
export const withGain = (pcm: Uint8Array, gain: number): Uint8Array => {
  const samples = samplesOf(pcm);
  for (let i = 0; i < samples.length; i++) samples[i] = toInt16((samples[i] as number) * gain);
  return bytesOf(samples);
};

/** Digital silence before and after: whole samples of 16 kHz audio, so 7 ms is 112 samples. */
export const padded = (pcm: Uint8Array, leadMs: number, trailMs: number): Uint8Array => {
  const lead = Math.round(leadMs * 16) * 2;
  const body = pcm.length & ~1;
  const out = new Uint8Array(lead + body + Math.round(trailMs * 16) * 2);
  out.set(pcm.subarray(0, body), lead);
  return out;
};

/** The bytes cut into pieces of the given sizes (cycled; the last piece takes what is left). */
export const chunked = (pcm: Uint8Array, sizes: readonly number[]): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < pcm.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] as number);
    out.push(pcm.subarray(at, at + size));
    at += size;
  }
  return out;
};
