/**
 * The modem both sides of synthesized speech share: how a word's bytes become tones and back.
 *
 * Two-tone MFSK, like DTMF with more keys: each 10 ms symbol sounds one of 16 tones of a low group
 * (400–1900 Hz) and one of 16 tones of a high group (2000–3500 Hz), one nibble each, so a symbol
 * carries a byte. Every tone is a multiple of 100 Hz, so it completes whole cycles in a symbol:
 * the waveform is continuous across symbol boundaries at any sample rate, and at 16 kHz each tone
 * is an exact bin of a 160-point DFT, orthogonal to the others over one symbol. The band sits
 * inside what 8 kHz sampling, G.711 and a linear-interpolation resampler keep.
 */

/** One symbol, in milliseconds. */
export const symbolMs = 10;
/** Tone spacing and the lowest tone, in Hz: bin 4 of a 160-point DFT at 16 kHz. */
export const toneStepHz = 100;
export const lowGroupFirstBin = 4;
export const highGroupFirstBin = 20;
export const tonesPerGroup = 16;

/**
 * A word's frame: the preamble (two fixed symbols: the lowest low tone with the highest high tone,
 * then the two tones either side of the groups' boundary), a header byte (sequence number and
 * first/last flags), the UTF-8 length, the UTF-8 bytes and a CRC-16 of header, length and text.
 */
export const preamble: readonly (readonly [number, number])[] = [
  [0, 15],
  [15, 0],
];
export const frameOverheadSymbols = preamble.length + 4;
/** A word's UTF-8 text is at most this many bytes (its length is one byte). */
export const maxWordBytes = 255;
/** Silence at the end of each word, in ms: the gap that separates words to the ear. */
export const wordGapMs = 20;

export const headerFirst = 0b10;
export const headerLast = 0b01;

/** Frequency in Hz of a low-group (`group` 0) or high-group (1) tone. */
export const toneHz = (group: 0 | 1, nibble: number): number =>
  toneStepHz * ((group === 0 ? lowGroupFirstBin : highGroupFirstBin) + nibble);

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of bytes. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The frame's bytes after the preamble: header, length, text, CRC-16 (big-endian). */
export function frameBytes(header: number, text: Uint8Array): Uint8Array {
  const body = new Uint8Array(text.length + 4);
  body[0] = header;
  body[1] = text.length;
  body.set(text, 2);
  const crc = crc16(body.subarray(0, text.length + 2));
  body[text.length + 2] = crc >> 8;
  body[text.length + 3] = crc & 0xff;
  return body;
}
