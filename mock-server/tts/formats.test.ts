import t from "tap";
import { bytesPerSecond, isSampleCodec, outputFormatNamed, outputFormats, unsupportedFormatReason } from "./formats.ts";

t.test("every documented name is known, with the spec's rate, bits and container", async (t) => {
  const rows: [string, string, number, number][] = [
    ["raw-8khz-8bit-mono-mulaw", "raw", 8000, 8],
    ["raw-8khz-8bit-mono-alaw", "raw", 8000, 8],
    ["riff-8khz-8bit-mono-mulaw", "riff", 8000, 8],
    ["riff-8khz-8bit-mono-alaw", "riff", 8000, 8],
    ["raw-22050hz-16bit-mono-pcm", "raw", 22050, 16],
    ["riff-44100hz-16bit-mono-pcm", "riff", 44100, 16],
    ["riff-48khz-16bit-mono-pcm", "riff", 48000, 16],
    ["audio-24khz-160kbitrate-mono-mp3", "mp3", 24000, 16],
    ["webm-24khz-16bit-24kbps-mono-opus", "webm", 24000, 16],
    ["amr-wb-16000hz", "amr", 16000, 16],
    ["riff-16khz-16kbps-mono-siren", "riff", 16000, 16],
    ["ssml-16khz-16bit-mono-tts", "ssml", 16000, 16],
    ["g722-16khz-64kbps", "g722", 16000, 16],
  ];
  for (const [name, container, rate, bits] of rows) {
    t.match(outputFormats.get(name), { name, container, sampleRate: rate, bitsPerSample: bits }, name);
  }
  for (const rate of ["8khz", "16khz", "22050hz", "24khz", "44100hz", "48khz"]) {
    for (const container of ["raw", "riff"])
      t.ok(outputFormats.get(`${container}-${rate}-16bit-mono-pcm`)?.generated, `${container} PCM at ${rate}`);
  }
  t.equal(outputFormats.size, 42, "the spec's table, every name once");
});

t.test("names are matched without regard to case or spaces around them; others are unknown", async (t) => {
  t.equal(outputFormatNamed(" RIFF-24KHZ-16BIT-MONO-PCM ")?.name, "riff-24khz-16bit-mono-pcm");
  t.equal(outputFormatNamed("riff-24khz-16bit-mono-pcm2"), undefined);
  t.equal(outputFormatNamed(undefined), undefined);
});

t.test("content types: audio/x-wav for RIFF, audio/mpeg, audio/ogg, audio/webm, else octet-stream", async (t) => {
  t.equal(outputFormats.get("riff-16khz-16bit-mono-pcm")?.contentType, "audio/x-wav");
  t.equal(outputFormats.get("raw-16khz-16bit-mono-pcm")?.contentType, "application/octet-stream");
  t.equal(outputFormats.get("audio-16khz-32kbitrate-mono-mp3")?.contentType, "audio/mpeg");
  t.equal(outputFormats.get("ogg-24khz-16bit-mono-opus")?.contentType, "audio/ogg");
  t.equal(outputFormats.get("webm-16khz-16bit-mono-opus")?.contentType, "audio/webm");
});

t.test("PCM, G.711, MP3 and Opus in Ogg or WebM are made; the rest have a one-line refusal saying why", async (t) => {
  for (const f of outputFormats.values()) {
    const made = ["pcm", "mulaw", "alaw", "mp3"].includes(f.codec) || (f.codec === "opus" && f.container !== "opus");
    t.equal(f.generated, made, f.name);
    t.equal(f.refusal === undefined, made, `${f.name}: a reason exactly when refused`);
    t.equal(isSampleCodec(f), ["pcm", "mulaw", "alaw"].includes(f.codec), `${f.name}: coded sample by sample or not`);
  }
  t.equal([...outputFormats.values()].filter((f) => f.generated).length, 30, "16 PCM and G.711, 8 MP3, 6 Opus");
  const reason = (name: string) => unsupportedFormatReason(outputFormats.get(name) as never);
  t.equal(
    reason("audio-16khz-16bit-32kbps-mono-opus"),
    "speechmock cannot make audio-16khz-16bit-32kbps-mono-opus audio: the service's framing of bare Opus frames is unconfirmed, and Opus frames without a container cannot be decoded; ask for ogg-16khz-16bit-mono-opus",
  );
  t.equal(
    reason("raw-24khz-16bit-mono-truesilk"),
    "speechmock cannot make raw-24khz-16bit-mono-truesilk audio: no maintained SILK encoder runs on both Node and Deno; ask for raw-24khz-16bit-mono-pcm",
  );
  for (const name of [
    "amr-wb-16000hz",
    "audio-16khz-16kbps-mono-siren",
    "audio-48khz-16bit-mono-flac",
    "g722-16khz-64kbps",
    "ssml-16khz-16bit-mono-tts",
  ]) {
    t.match(reason(name), new RegExp(`^speechmock cannot make ${name} audio: .+; ask for [a-z0-9-]+`), name);
  }
  t.equal(bytesPerSecond(outputFormats.get("riff-24khz-16bit-mono-pcm") as never), 48000);
  t.equal(bytesPerSecond(outputFormats.get("raw-8khz-8bit-mono-alaw") as never), 8000);
});

t.test("compressed formats carry the bit rate the encoder is set to: the name's, else the SDK's byte rate", async (t) => {
  const kbps = (name: string) => outputFormats.get(name)?.kbps;
  t.same(
    ["audio-16khz-32kbitrate-mono-mp3", "audio-48khz-192kbitrate-mono-mp3", "webm-24khz-16bit-24kbps-mono-opus"].map(kbps),
    [32, 192, 24],
    "from the name",
  );
  t.same(
    [
      "ogg-16khz-16bit-mono-opus",
      "ogg-24khz-16bit-mono-opus",
      "ogg-48khz-16bit-mono-opus",
      "webm-16khz-16bit-mono-opus",
      "webm-24khz-16bit-mono-opus",
    ].map(kbps),
    [64, 64, 96, 32, 48],
    "8192, 8192, 12000, 4000 and 6000 bytes a second",
  );
});
