import t from "tap";
import { minWordDurationMs } from "../synthetic-speech/encode.ts";
import { isSampleCodec, outputFormats } from "./formats.ts";
import { parseSsml } from "./ssml.ts";
import { SynthesisError, synthesize } from "./synthesize.ts";
import { clausePauseMs, leadingSilenceMs, maxAudioMs, sentencePauseMs, trailingSilenceMs, wordDurationMs } from "./timeline.ts";
import { builtinVoices } from "./voices.ts";

const voices = builtinVoices();
const format = (name: string) => {
  const f = outputFormats.get(name);
  if (f === undefined) throw new Error(name);
  return f;
};
const speak = (body: string, voice = "en-US-JennyNeural") =>
  `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US"><voice name="${voice}">${body}</voice></speak>`;
const run = (body: string, name = "riff-24khz-16bit-mono-pcm", voice?: string) =>
  synthesize({ ssml: parseSsml(speak(body, voice)), format: format(name), voices });
const edges = leadingSilenceMs + trailingSilenceMs;

t.test("a word lasts 60000 / WordsPerMinute ms, scaled by its length, never under what carries it", async (t) => {
  t.equal(wordDurationMs("hello", 152, 1, 24000), Math.round(60_000 / 152), "five letters: the plain share");
  t.equal(wordDurationMs("hello", 152, 2, 24000), Math.max(Math.round(30_000 / 152), minWordDurationMs("hello", 24000)));
  t.ok(wordDurationMs("extraordinarily", 152, 1, 24000) > wordDurationMs("hello", 152, 1, 24000), "longer words last longer");
  t.equal(wordDurationMs("a", 600, 2, 24000), minWordDurationMs("a", 24000), "at least the minimum");
});

t.test("the audio's length follows the text, the voice's pace, prosody rate and breaks", async (t) => {
  const plain = run("Hello there");
  t.equal(plain.durationMs, edges + 2 * Math.round(60_000 / 152), "Jenny, 152 words a minute");
  const zira = run("Hello there", undefined, "Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)");
  t.equal(zira.durationMs, edges + 2 * 400, "a voice without WordsPerMinute: 150");
  const slow = run("<prosody rate='x-slow'>Hello there</prosody>");
  t.equal(slow.durationMs, edges + 2 * Math.round(120_000 / 152), "x-slow: half the pace");
  const pause = run("Hello<break time='2s'/>there");
  t.equal(pause.durationMs, plain.durationMs + 2000);
  const comma = run("Hello, there");
  t.equal(comma.durationMs, plain.durationMs + clausePauseMs);
  const sentences = run("Hello. There.");
  t.equal(sentences.durationMs, plain.durationMs + sentencePauseMs, "a pause between sentences, none after the last");
});

t.test("bytes = duration x rate x bytes per sample, in every PCM and G.711 format", async (t) => {
  for (const f of outputFormats.values()) {
    if (!isSampleCodec(f)) continue;
    const s = synthesize({ ssml: parseSsml(speak("Testing one two")), format: f, voices });
    const samples = Math.round((s.durationMs * f.sampleRate) / 1000);
    t.equal(s.pcm.length, samples, `${f.name}: samples`);
    const audio = await s.audio();
    t.equal(audio.length, (samples * f.bitsPerSample) / 8, `${f.name}: bytes`);
    const chunks: Uint8Array[] = [];
    for await (const chunk of s.chunks(100)) chunks.push(chunk);
    t.equal(chunks.length, Math.ceil(samples / (f.sampleRate / 10)), `${f.name}: a chunk per 100 ms`);
    t.same(Buffer.concat(chunks), Buffer.from(audio), `${f.name}: the chunks are the audio`);
    t.equal(s.riffHeader(8)?.length, f.container === "riff" ? 44 : undefined, `${f.name}: a RIFF header only for riff`);
  }
});

t.test("compressed formats are whole streams, chunk by chunk: MP3 frames, Ogg pages, WebM's EBML header", async (t) => {
  const starts: [string, number[]][] = [
    ["audio-24khz-48kbitrate-mono-mp3", [0xff]],
    ["ogg-24khz-16bit-mono-opus", [0x4f, 0x67, 0x67, 0x53]],
    ["webm-16khz-16bit-mono-opus", [0x1a, 0x45, 0xdf, 0xa3]],
  ];
  for (const [name, magic] of starts) {
    const s = run("Testing one two", name);
    const chunks: Uint8Array[] = [];
    for await (const chunk of s.chunks(100)) chunks.push(chunk);
    t.ok(chunks.length >= 3, `${name}: several chunks (${chunks.length}), not one at the end`);
    t.same([...(chunks[0] as Uint8Array).subarray(0, magic.length)], magic, `${name}: starts as its container does`);
    t.same(Buffer.concat(chunks), Buffer.from(await s.audio()), `${name}: the chunks are the audio`);
    t.equal(s.riffHeader(8), undefined, `${name}: no RIFF header`);
  }
});

t.test("the RIFF header describes the audio", async (t) => {
  const s = run("Hello", "riff-8khz-8bit-mono-alaw");
  const audio = await s.audio();
  const header = s.riffHeader(audio.length) as Uint8Array;
  const view = new DataView(header.buffer);
  const ascii = (at: number) => String.fromCharCode(...header.subarray(at, at + 4));
  t.same([ascii(0), ascii(8), ascii(12), ascii(36)], ["RIFF", "WAVE", "fmt ", "data"]);
  t.equal(view.getUint32(4, true), 36 + audio.length);
  t.same(
    [
      view.getUint16(20, true),
      view.getUint16(22, true),
      view.getUint32(24, true),
      view.getUint32(28, true),
      view.getUint16(32, true),
      view.getUint16(34, true),
    ],
    [6, 1, 8000, 8000, 1, 8],
    "A-law, mono, 8 kHz, 8000 B/s, 1-byte blocks, 8 bits",
  );
  t.equal(view.getUint32(40, true), audio.length);
});

t.test("deterministic: the same SSML, the same bytes; other text, other bytes; in every format made", async (t) => {
  for (const name of [
    "riff-24khz-16bit-mono-pcm",
    "audio-16khz-32kbitrate-mono-mp3",
    "ogg-48khz-16bit-mono-opus",
    "webm-24khz-16bit-mono-opus",
  ]) {
    const a = await run("Deterministic speech, please.", name).audio();
    const b = await run("Deterministic speech, please.", name).audio();
    t.ok(Buffer.from(a).equals(Buffer.from(b)), `${name}: the same bytes`);
    t.notOk(Buffer.from(a).equals(Buffer.from(await run("Deterministic speech, pleas.", name).audio())), `${name}: other bytes`);
  }
});

t.test("events: sentences, words with their SSML offsets, punctuation, bookmarks and visemes, in order", async (t) => {
  const source = speak("Hi there, Bob.<bookmark mark='b1'/> Bye!");
  const s = synthesize({ ssml: parseSsml(source), format: format("raw-16khz-16bit-mono-pcm"), voices });
  const summary = s.events.filter((e) => e.type !== "Viseme").map((e) => [e.type, e.text, e.offsetMs]);
  const hi = wordDurationMs("Hi", 152, 1, 16000);
  t.same(summary.slice(0, 3), [
    ["SentenceBoundary", "Hi there, Bob.", leadingSilenceMs],
    ["WordBoundary", "Hi", leadingSilenceMs],
    ["WordBoundary", "there", leadingSilenceMs + hi],
  ]);
  const words = s.events.filter((e) => e.type === "WordBoundary");
  for (const w of words) t.equal(source.slice(w.textOffset, (w.textOffset ?? 0) + (w.text?.length ?? 0)), w.text, `${w.text}: offset`);
  t.ok(s.events.some((e) => e.type === "Bookmark" && e.bookmark === "b1"));
  t.ok(s.events.some((e) => e.type === "PunctuationBoundary" && e.text === ","));
  t.same(
    s.events.filter((e) => e.type === "SentenceBoundary").map((e) => e.text),
    ["Hi there, Bob.", "Bye!"],
  );
  const offsets = s.events.map((e) => e.offsetMs);
  t.same(
    offsets,
    [...offsets].sort((x, y) => x - y),
    "by offset",
  );
  t.equal(s.events.at(-1)?.visemeId, 0, "the last viseme is silence");
  t.ok(s.events.every((e) => e.offsetMs <= s.durationMs));
});

t.test("audio past ten minutes is cut to ten minutes", async (t) => {
  const s = synthesize({ ssml: parseSsml(speak("<break time='20s'/>".repeat(40))), format: format("raw-8khz-8bit-mono-mulaw"), voices });
  t.equal(s.durationMs, maxAudioMs);
});

t.test("an unknown voice and a format it cannot make are refused with a reason", async (t) => {
  t.throws(() => run("Hi", undefined, "en-US-NoSuchNeural"), new SynthesisError("voice.unknown", "Unsupported voice en-US-NoSuchNeural."));
  t.throws(() => run("Hi", "audio-24khz-16bit-48kbps-mono-opus"), {
    code: "format.unsupported",
    message: /^speechmock cannot make audio-24khz-16bit-48kbps-mono-opus audio: the service's framing of bare Opus frames is unconfirmed/,
  });
});
