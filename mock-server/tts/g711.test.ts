import t from "tap";
import { encodeAlaw, encodeMulaw, linearToAlaw, linearToMulaw } from "./g711.ts";

// Decoders from the reference g711.c (Sun Microsystems), to check the encoders round-trip.
function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

t.test("mu-law codes the known values of G.711", async (t) => {
  t.equal(linearToMulaw(0), 0xff, "zero");
  t.equal(linearToMulaw(-1), 0x7f, "minus one");
  t.equal(linearToMulaw(32767), 0x80, "full scale positive");
  t.equal(linearToMulaw(-32768), 0x00, "full scale negative");
  t.equal(linearToMulaw(1000), 0xce);
});

t.test("A-law codes the known values of G.711", async (t) => {
  t.equal(linearToAlaw(0), 0xd5, "zero");
  t.equal(linearToAlaw(-1), 0x55, "minus one");
  t.equal(linearToAlaw(32767), 0xaa, "full scale positive");
  t.equal(linearToAlaw(-32768), 0x2a, "full scale negative");
});

t.test("every sample decodes back within its segment's quantization step", async (t) => {
  let worstMu = 0;
  let worstA = 0;
  for (let x = -32768; x <= 32767; x += 7) {
    const mu = mulawToLinear(linearToMulaw(x));
    const a = alawToLinear(linearToAlaw(x));
    // The step doubles with each segment: allow half the step of the value's segment, and clipping.
    const clipped = Math.max(-32124, Math.min(32124, x));
    worstMu = Math.max(worstMu, Math.abs(mu - clipped) / (Math.abs(clipped) / 16 + 8));
    worstA = Math.max(worstA, Math.abs(a - x) / (Math.abs(x) / 16 + 16));
  }
  t.ok(worstMu <= 1, `mu-law within a step (worst ${worstMu.toFixed(2)})`);
  t.ok(worstA <= 1, `A-law within a step (worst ${worstA.toFixed(2)})`);
});

t.test("blocks code sample by sample", async (t) => {
  const pcm = Int16Array.from([0, -1, 32767, -32768]);
  t.same([...encodeMulaw(pcm)], [0xff, 0x7f, 0x80, 0x00]);
  t.same([...encodeAlaw(pcm)], [0xd5, 0x55, 0xaa, 0x2a]);
});
