import t from "tap";
import { msToTicks } from "./ticks.ts";
import { UtterancePcm } from "./utterance-pcm.ts";

/** Little-endian PCM whose sample `i` (from `from`) is `from + i`. */
const ramp = (from: number, count: number): Uint8Array => {
  const out = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) new DataView(out.buffer).setInt16(2 * i, from + i, true);
  return out;
};

t.test("samples are read back by ticks, whatever the chunking, odd bytes included", async (t) => {
  const pcm = new UtterancePcm();
  const bytes = ramp(0, 16_000);
  for (const size of [1, 3, 1000, 7, 30_989]) pcm.push(bytes.subarray(pcm.storedBytes, pcm.storedBytes + size));
  t.equal(pcm.storedBytes, 32_000);
  t.strictSame(Array.from(pcm.samples(msToTicks(10), msToTicks(10) + 625 * 3) ?? []), [160, 161, 162]);
  t.equal(pcm.samples(0, msToTicks(1001)), undefined, "not yet pushed");
});

t.test("forgotten audio reads as undefined, and what is kept stays bounded", async (t) => {
  const pcm = new UtterancePcm(1000);
  pcm.push(ramp(0, 8000));
  pcm.forgetBefore(msToTicks(250));
  t.equal(pcm.firstTicks, msToTicks(250));
  t.equal(pcm.samples(msToTicks(200), msToTicks(300)), undefined);
  t.strictSame(pcm.samples(msToTicks(250), msToTicks(250) + 625)?.[0], 4000);
  for (let i = 0; i < 40; i++) pcm.push(ramp(0, 1600));
  t.equal(pcm.storedBytes, 32_000, "one second, the cap");
  t.equal(pcm.firstTicks, msToTicks(8000 / 16 + 4000 - 1000));
  t.equal(pcm.samples(msToTicks(3499), msToTicks(3500)), undefined, "older than the cap");
  t.equal(pcm.samples(msToTicks(3500), msToTicks(4500))?.length, 16_000, "the last second");
});
