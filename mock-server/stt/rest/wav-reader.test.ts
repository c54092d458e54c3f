import { readFileSync } from "node:fs";
import t from "tap";
import { concatBytes } from "../../../test/support/fixture-audio.ts";
import { writeRiffHeader } from "../../protocol/riff.ts";
import { readWavPcm } from "../../transcripts/wav-file.ts";
import { AudioError } from "./audio-error.ts";
import { maxWavHeaderBytes, pcmBytesOf, WavReader } from "./wav-reader.ts";

const clip = new Uint8Array(readFileSync(new URL("../../../fixtures/audio/remind-me.wav", import.meta.url)));

const concat = (parts: readonly Uint8Array[]): Uint8Array => concatBytes(...parts);

/** Feeds `bytes` in pieces of `size` and returns the PCM the reader gave back. */
function read(bytes: Uint8Array, size = bytes.length, maxMs?: number): Uint8Array {
  const reader = new WavReader(maxMs);
  const pcm: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) pcm.push(...reader.push(bytes.subarray(at, at + size)));
  reader.end();
  return concat(pcm);
}

/** A chunk: four-character id, little-endian size, body, pad byte when odd. */
const chunk = (id: string, body: Uint8Array): Uint8Array => {
  const head = new Uint8Array(8);
  head.set(Array.from(id, (c) => c.charCodeAt(0)));
  new DataView(head.buffer).setUint32(4, body.length, true);
  return concat([head, body, body.length % 2 ? new Uint8Array(1) : new Uint8Array(0)]);
};

/** A `fmt ` body: format, channels, rate, bits (byte rate and block align derived). */
const fmt = (format: number, channels: number, rate: number, bits: number, size = 16): Uint8Array => {
  const body = new Uint8Array(size);
  const v = new DataView(body.buffer);
  v.setUint16(0, format, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  return body;
};

const riff = (...chunks: Uint8Array[]): Uint8Array => {
  const head = new Uint8Array(12);
  head.set([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45]); // RIFF....WAVE
  return concat([head, ...chunks]);
};

/** Byte-for-byte equality (tap's deep comparison of large typed arrays takes seconds). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

/** A tap test object, as its subtest callbacks receive it. */
type Assert = Parameters<Parameters<typeof t.test>[0]>[0];

const expectError = (t: Assert, fn: () => unknown, reason: string, message: RegExp) => {
  try {
    fn();
    t.fail("expected an AudioError");
  } catch (err) {
    t.ok(err instanceof AudioError, "an AudioError");
    t.match(err, { reason, message });
  }
};

t.test("the PCM is every byte after the data chunk's header, the bytes a clip's hash covers", async (t) => {
  const expected = readWavPcm(clip);
  if (!expected.ok) throw new Error(expected.problem);
  t.ok(sameBytes(read(clip), expected.pcm));
});

t.test("the result does not depend on how the body is split", async (t) => {
  const whole = read(clip);
  for (const size of [1, 3, 7, 12, 43, 44, 45, 4096]) t.ok(sameBytes(read(clip, size), whole), `pieces of ${size}`);
});

t.test("the SDK's streaming header (sizes 0) is read", async (t) => {
  const pcm = new Uint8Array([1, 2, 3, 4, 5, 6]);
  t.same(read(concat([writeRiffHeader(), pcm])), pcm);
});

t.test("chunks before data (LIST, fact, odd sizes) are stepped over", async (t) => {
  const pcm = new Uint8Array([9, 8, 7, 6]);
  const list = chunk("LIST", new TextEncoder().encode("INFOISFT\x0d\x00\x00\x00Lavf60.16.100\x00"));
  const odd = chunk("fact", new Uint8Array([1, 2, 3]));
  const data = concat([chunk("data", new Uint8Array(0)).subarray(0, 8), pcm]);
  for (const size of [1, 5, 100]) t.same(read(riff(list, chunk("fmt ", fmt(1, 1, 16_000, 16)), odd, data), size), pcm, `pieces of ${size}`);
});

t.test("WAVE_FORMAT_EXTENSIBLE with a PCM sub-format is PCM", async (t) => {
  const body = fmt(0xfffe, 1, 16_000, 16, 40);
  new DataView(body.buffer).setUint16(24, 1, true);
  const data = concat([chunk("data", new Uint8Array(0)).subarray(0, 8), new Uint8Array([1, 2])]);
  t.same(read(riff(chunk("fmt ", body), data)), new Uint8Array([1, 2]));
});

t.test("a format other than 16 kHz, 16-bit, mono PCM is refused, naming what was found", async (t) => {
  const data = chunk("data", new Uint8Array(4));
  const cases: [Uint8Array, RegExp][] = [
    [fmt(1, 1, 44_100, 16), /44100 Hz, 16-bit, 1 channel\(s\), integer PCM; expected 16000 Hz, 16-bit, mono integer PCM/],
    [fmt(1, 2, 16_000, 16), /16000 Hz, 16-bit, 2 channel\(s\)/],
    [fmt(1, 1, 16_000, 8), /16000 Hz, 8-bit/],
    [fmt(3, 1, 16_000, 32), /format 3/],
  ];
  for (const [body, message] of cases) {
    expectError(t, () => read(riff(chunk("fmt ", body), data)), "request.audio_format_unsupported", message);
  }
});

t.test("what is not a WAV file is refused", async (t) => {
  const data = chunk("data", new Uint8Array(4));
  expectError(
    t,
    () => read(new TextEncoder().encode("OggS and then some more bytes")),
    "request.audio_invalid",
    /expected "RIFF" and "WAVE"/,
  );
  expectError(t, () => read(new Uint8Array(0)), "request.audio_invalid", /The body is empty/);
  expectError(t, () => read(clip.subarray(0, 30)), "request.audio_invalid", /ends before its fmt chunk|ends after its fmt chunk/);
  expectError(
    t,
    () => read(riff(chunk("fmt ", fmt(1, 1, 16_000, 16)))),
    "request.audio_invalid",
    /ends after its fmt chunk, before any data chunk/,
  );
  expectError(
    t,
    () => read(riff(data, chunk("fmt ", fmt(1, 1, 16_000, 16)))),
    "request.audio_invalid",
    /data chunk comes before any fmt chunk/,
  );
  expectError(t, () => read(riff(chunk("fmt ", new Uint8Array(8)))), "request.audio_invalid", /fmt chunk is 8 bytes, expected 16 to 1024/);
});

t.test("a body with no data chunk in its first MiB is refused without reading further", async (t) => {
  const reader = new WavReader();
  const huge = riff(chunk("fmt ", fmt(1, 1, 16_000, 16)), chunk("JUNK", new Uint8Array(maxWavHeaderBytes)));
  t.throws(() => reader.push(huge), { reason: "request.audio_invalid", message: /no data chunk in its first 1048576 bytes/ });
});

t.test("at most 60 s of audio: one byte more is refused, naming the limit", async (t) => {
  const header = writeRiffHeader();
  t.equal(read(concat([header, new Uint8Array(pcmBytesOf(60_000))]), 65_536).length, 1_920_000, "exactly 60 s is read");
  const reader = new WavReader();
  reader.push(concat([header, new Uint8Array(pcmBytesOf(60_000))]));
  t.equal(reader.audioMs, 60_000);
  t.throws(() => reader.push(new Uint8Array(2)), { reason: "request.audio_too_long", message: /longer than 60 s/ });
  t.throws(() => read(concat([header, new Uint8Array(pcmBytesOf(1_000) + 2)]), 512, 1_000), {
    reason: "request.audio_too_long",
    message: /longer than 1 s/,
  });
});
