/**
 * A tiny G.711 codec (the ITU-T reference algorithm, as in Sun's g711.c), so tests of audio
 * through mu-law and A-law do not depend on the production encoders in mock-server/tts/.
 */
const muBias = 0x84;
export const linearToMuLaw = (sample: number): number => {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(32635, Math.abs(sample)) + muBias;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  return ~(sign | (exponent << 4) | ((magnitude >> (exponent + 3)) & 0x0f)) & 0xff;
};
export const muLawToLinear = (code: number): number => {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + muBias) << ((u & 0x70) >> 4);
  return u & 0x80 ? muBias - t : t - muBias;
};
const alawSegmentEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
export const linearToALaw = (sample: number): number => {
  let pcm = sample >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const segment = alawSegmentEnds.findIndex((end) => pcm <= end);
  if (segment < 0) return 0x7f ^ mask;
  return ((segment << 4) | ((segment < 2 ? pcm >> 1 : pcm >> segment) & 0x0f)) ^ mask;
};
export const aLawToLinear = (code: number): number => {
  const a = code ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let t = ((a & 0x0f) << 4) + (segment === 0 ? 8 : 0x108);
  if (segment > 1) t <<= segment - 1;
  return a & 0x80 ? t : -t;
};
const throughCodec = (pcm: Int16Array, encode: (s: number) => number, decode: (c: number) => number): Int16Array =>
  pcm.map((s) => decode(encode(s)));
/** Through a codec and back: what a G.711 line does to 16-bit samples. */
export const g711 = {
  "mu-law": (pcm: Int16Array) => throughCodec(pcm, linearToMuLaw, muLawToLinear),
  "A-law": (pcm: Int16Array) => throughCodec(pcm, linearToALaw, aLawToLinear),
} as const;
