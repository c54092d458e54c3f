import { readFileSync } from "node:fs";
import t from "tap";
import { concatBytes } from "../../test/support/fixture-audio.ts";
import { root } from "../../test/support/spawn.ts";
import { writeRiffHeader } from "../protocol/riff.ts";
import { readWavPcm } from "./wav-file.ts";

const ascii = (text: string) => new TextEncoder().encode(text);
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const concat = concatBytes;
/** A fmt chunk body: format, channels, rate, byte rate, block align, bits. */
const fmt = (format: number, channels: number, rate: number, bits: number) => {
  const body = new DataView(new ArrayBuffer(16));
  body.setUint16(0, format, true);
  body.setUint16(2, channels, true);
  body.setUint32(4, rate, true);
  body.setUint32(8, (rate * channels * bits) / 8, true);
  body.setUint16(12, (channels * bits) / 8, true);
  body.setUint16(14, bits, true);
  return concat(ascii("fmt "), u32(16), new Uint8Array(body.buffer));
};
const wav = (...chunks: Uint8Array[]) => concat(ascii("RIFF"), u32(0), ascii("WAVE"), ...chunks);
const pcm = new Uint8Array([1, 2, 3, 4, 5, 6]);

t.test("a canonical 44-byte header: the PCM is every byte after it", async (t) => {
  const result = readWavPcm(concat(writeRiffHeader(), pcm));
  t.same(result.ok && [...result.pcm], [...pcm]);
});

t.test("a LIST chunk before the data, with an odd size, is skipped with its pad byte", async (t) => {
  const list = concat(ascii("LIST"), u32(3), ascii("abc"), new Uint8Array(1));
  const result = readWavPcm(wav(fmt(1, 1, 16_000, 16), list, ascii("data"), u32(pcm.length), pcm));
  t.same(result.ok && [...result.pcm], [...pcm]);
});

t.test("the PCM runs to the end of the file whatever the data size says, as the SDK streams it", async (t) => {
  const result = readWavPcm(wav(fmt(1, 1, 16_000, 16), ascii("data"), u32(2), pcm));
  t.same(result.ok && [...result.pcm], [...pcm]);
});

t.test("the duration of a fixture clip is its samples at 16 kHz", async (t) => {
  const bytes = readFileSync(`${root}fixtures/audio/two-utterances.wav`);
  const result = readWavPcm(bytes);
  t.ok(result.ok);
  if (result.ok) t.equal(result.durationMs, Math.floor((bytes.length - 44) / 32));
});

t.test("each problem is named precisely", async (t) => {
  const cases: [string, Uint8Array, string][] = [
    ["not RIFF", ascii("ID3 something"), 'not a WAV file: expected "RIFF" and "WAVE" in its first 12 bytes'],
    [
      "8 kHz",
      wav(fmt(1, 1, 8000, 16), ascii("data"), u32(0)),
      "expected 16 kHz, 16-bit, mono integer PCM, found format 1, 1 channel(s), 8000 Hz, 16-bit",
    ],
    ["stereo", wav(fmt(1, 2, 16_000, 16), ascii("data"), u32(0)), "found format 1, 2 channel(s), 16000 Hz, 16-bit"],
    ["float", wav(fmt(3, 1, 16_000, 32), ascii("data"), u32(0)), "found format 3, 1 channel(s), 16000 Hz, 32-bit"],
    ["no data", wav(fmt(1, 1, 16_000, 16)), "no data chunk"],
    ["no fmt", wav(), "no fmt chunk"],
    ["data first", wav(ascii("data"), u32(0), fmt(1, 1, 16_000, 16)), "the data chunk comes before any fmt chunk"],
    ["short fmt", wav(concat(ascii("fmt "), u32(8), new Uint8Array(8))), "the fmt chunk at byte 12 is 8 bytes, expected at least 16"],
  ];
  for (const [name, bytes, problem] of cases) {
    const result = readWavPcm(bytes);
    t.equal(result.ok, false, name);
    if (!result.ok) t.match(result.problem, problem, name);
  }
});
