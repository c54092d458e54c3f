import t from "tap";
import { mp3Stream } from "./mp3.ts";

/** A second of a 440 Hz tone at `rate`, then half a second of silence. */
const tone = (rate: number): Int16Array => {
  const pcm = new Int16Array(rate * 1.5);
  for (let i = 0; i < rate; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return pcm;
};

const collect = async (stream: AsyncGenerator<Uint8Array>): Promise<{ chunks: number; bytes: Uint8Array }> => {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return { chunks: parts.length, bytes: Buffer.concat(parts) };
};

/** The MPEG audio frame headers in a stream, walked frame by frame (ISO 11172-3 / 13818-3 Layer III). */
function frames(bytes: Uint8Array): { version: 1 | 2; kbps: number; rate: number; size: number }[] {
  const kbpsOf = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  };
  const ratesOf = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000] };
  const out: { version: 1 | 2; kbps: number; rate: number; size: number }[] = [];
  for (let at = 0; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff || ((bytes[at + 1] as number) & 0xe0) !== 0xe0) throw new Error(`No frame sync at byte ${at}`);
    const version = ((bytes[at + 1] as number) >> 3) & 3 ? (((bytes[at + 1] as number) >> 3) & 1 ? 1 : 2) : 2;
    const kbps = kbpsOf[version][(bytes[at + 2] as number) >> 4] as number;
    const rate = ratesOf[version][((bytes[at + 2] as number) >> 2) & 3] as number;
    const padding = ((bytes[at + 2] as number) >> 1) & 1;
    const size = Math.floor(((version === 1 ? 144 : 72) * kbps * 1000) / rate) + padding;
    out.push({ version, kbps, rate, size });
    at += size;
  }
  return out;
}

t.test("each rate and bit rate of the formats: MPEG-1 at 48 kHz, MPEG-2 below, every frame at the bit rate", async (t) => {
  const cases: [number, number, 1 | 2][] = [
    [16000, 32, 2],
    [16000, 128, 2],
    [24000, 48, 2],
    [24000, 160, 2],
    [48000, 96, 1],
    [48000, 192, 1],
  ];
  for (const [rate, kbps, version] of cases) {
    const { bytes, chunks } = await collect(mp3Stream(tone(rate), rate, kbps, rate / 10));
    const all = frames(bytes);
    t.ok(
      all.every((f) => f.version === version && f.kbps === kbps && f.rate === rate),
      `${rate} Hz, ${kbps} kbit/s: ${all.length} frames, all alike`,
    );
    const seconds = (all.length * (version === 1 ? 1152 : 576)) / rate;
    t.ok(seconds >= 1.5 && seconds < 1.5 + 0.15, `${rate} Hz: ${seconds} s of frames for 1.5 s of samples (LAME's delay added)`);
    t.ok(chunks >= 10, `${rate} Hz: streamed in pieces (${chunks})`);
  }
});

t.test("deterministic, with encoders reused: the same samples, the same bytes", async (t) => {
  const runs = await Promise.all([0, 1, 2].map(() => collect(mp3Stream(tone(24000), 24000, 48, 2400))));
  const again = await collect(mp3Stream(tone(24000), 24000, 48, 2400));
  for (const run of [...runs.slice(1), again]) t.ok(Buffer.from(run.bytes).equals(Buffer.from(runs[0]?.bytes as Uint8Array)));
});

t.test("a stream left early frees its encoder for the next one", async (t) => {
  const stream = mp3Stream(tone(16000), 16000, 32, 1600);
  await stream.next();
  await stream.return(undefined);
  const { bytes } = await collect(mp3Stream(tone(16000), 16000, 32, 1600));
  t.ok(frames(bytes).length > 40, "the next stream is whole");
});
