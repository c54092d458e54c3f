/**
 * G.711 encoders from 16-bit linear PCM (ITU-T G.711, as in the reference `g711.c` of Sun
 * Microsystems): mu-law (North America, Japan) and A-law (Europe). Pure, table-free.
 */

const muBias = 0x84;
const muClip = 32635;

/** One 16-bit sample to its mu-law byte (bits inverted, as transmitted). */
export function linearToMulaw(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > muClip) s = muClip;
  s += muBias;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One 16-bit sample to its A-law byte (even bits inverted, as transmitted). */
export function linearToAlaw(sample: number): number {
  let s = sample >> 3; // A-law codes 13 bits
  let mask: number;
  if (s >= 0) {
    mask = 0xd5; // sign bit set, even bits inverted
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  if (s > 0xfff) s = 0xfff;
  let seg = 0;
  while (seg < 7 && s >= 0x20 << seg) seg++;
  const aval = seg === 0 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
  return ((seg << 4) | aval) ^ mask;
}

/** A block of samples to mu-law bytes. */
export function encodeMulaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = linearToMulaw(pcm[i] as number);
  return out;
}

/** A block of samples to A-law bytes. */
export function encodeAlaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = linearToAlaw(pcm[i] as number);
  return out;
}
