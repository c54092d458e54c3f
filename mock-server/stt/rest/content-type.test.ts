import t from "tap";
import { parseAudioContentType } from "./content-type.ts";

t.test("WAV with PCM is accepted however clients spell it", async (t) => {
  for (const value of [
    "audio/wav; codecs=audio/pcm; samplerate=16000",
    "audio/wav; codec=audio/pcm; samplerate=16000",
    'audio/wav; codec="audio/pcm"; samplerate=16000',
    'AUDIO/WAV;CODECS="AUDIO/PCM";SAMPLERATE=16000',
    "  audio/wav ;  codec = audio/pcm ;  samplerate = 16000  ",
    'audio/wav; samplerate="16000"',
    "audio/wav",
    "audio/x-wav",
    "audio/wave; codecs=pcm",
  ]) {
    t.same(parseAudioContentType(value), { ok: true, container: "wav" }, value);
  }
});

t.test("Ogg with Opus is accepted", async (t) => {
  for (const value of ["audio/ogg; codecs=opus", 'audio/ogg; codecs="opus"', "Audio/Ogg; Codec=Opus", "audio/ogg"]) {
    t.same(parseAudioContentType(value), { ok: true, container: "ogg" }, value);
  }
});

t.test("a missing Content-Type is refused, naming what is expected", async (t) => {
  for (const value of [undefined, null, "", "   "]) {
    t.match(parseAudioContentType(value), {
      ok: false,
      detail: /^Missing Content-Type: expected "audio\/wav; codecs=audio\/pcm; samplerate=16000" or "audio\/ogg; codecs=opus"$/,
    });
  }
});

t.test("anything else is refused, naming the value received and the ones expected", async (t) => {
  const cases: [string, RegExp][] = [
    ["application/octet-stream", /media type "application\/octet-stream"/],
    ["audio/wav; codecs=audio/mulaw", /codec "audio\/mulaw" in a WAV file/],
    ["audio/wav; codec=audio/pcm; samplerate=8000", /sample rate "8000", only 16000/],
    ["audio/ogg; codecs=vorbis", /codec "vorbis" in an Ogg file/],
    ["audio/mpeg", /media type "audio\/mpeg"/],
  ];
  for (const [value, why] of cases) {
    const result = parseAudioContentType(value);
    t.match(result, { ok: false, detail: why }, value);
    t.match(result, { detail: new RegExp(`^Unsupported Content-Type ${JSON.stringify(value).replace(/[/]/g, "\\/")}`) }, value);
    t.match(result, { detail: /expected "audio\/wav; codecs=audio\/pcm; samplerate=16000" or "audio\/ogg; codecs=opus"$/ }, value);
  }
});
