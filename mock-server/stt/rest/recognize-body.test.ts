import { readFileSync } from "node:fs";
import t from "tap";
import { builtinTranscripts } from "../../transcripts/builtin.ts";
import type { Transcript } from "../../transcripts/lookup.ts";
import { readWavPcm } from "../../transcripts/wav-file.ts";
import { jsSha256 } from "../pcm-hash.ts";
import { type RecognizeDeps, recognizeBody, recognizeOpaque } from "./recognize-body.ts";

const pcmOf = (clip: string): Uint8Array => {
  const wav = readWavPcm(new Uint8Array(readFileSync(new URL(`../../../fixtures/audio/${clip}`, import.meta.url))));
  if (!wav.ok) throw new Error(wav.problem);
  return wav.pcm;
};

/** The PCM in pieces of 3,200 bytes (100 ms), as a body arrives. */
async function* chunks(pcm: Uint8Array, size = 3_200): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < pcm.length; at += size) yield pcm.subarray(at, at + size);
}

const deps = (over: Partial<RecognizeDeps> = {}): RecognizeDeps => ({
  mode: "conversation",
  format: "simple",
  profanity: "masked",
  initialSilenceTimeoutMs: 5_000,
  segmentationSilenceMs: 500,
  transcripts: builtinTranscripts(),
  nextScripted: () => undefined,
  pcmHasher: jsSha256,
  ...over,
});

t.test("a scripted clip is recognised as its phrase, with numbers for Offset and Duration", async (t) => {
  const result = await recognizeBody(chunks(pcmOf("remind-me.wav")), deps());
  t.equal(result.status, "Success");
  t.equal(result.scripted, true);
  t.equal(result.audioMs, 2_069);
  t.same(Object.keys(result.body), ["RecognitionStatus", "DisplayText", "Offset", "Duration"]);
  t.match(result.body, { RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils.", Offset: Number, Duration: Number });
});

t.test("detailed output adds exactly one NBest entry with the four forms and a numeric confidence", async (t) => {
  const { body } = await recognizeBody(chunks(pcmOf("remind-me.wav")), deps({ format: "detailed" }));
  t.match(body, { DisplayText: "Remind me to buy 5 pencils." });
  t.same(body.NBest, [
    {
      Confidence: 0.9,
      Lexical: "remind me to buy five pencils",
      ITN: "remind me to buy 5 pencils",
      MaskedITN: "remind me to buy 5 pencils",
      Display: "Remind me to buy 5 pencils.",
    },
  ]);
});

t.test("a clip of two utterances answers with its first phrase only", async (t) => {
  const { body } = await recognizeBody(chunks(pcmOf("two-utterances.wav")), deps());
  const transcripts = builtinTranscripts();
  const [first] = [...transcripts.bySha256.values()].find((phrases) => phrases.length === 2) ?? [];
  t.equal(body.DisplayText, first?.display);
});

t.test("silence is NoMatch, or InitialSilenceTimeout once the initial silence timeout is reached", async (t) => {
  const silence = pcmOf("silence.wav");
  t.match((await recognizeBody(chunks(silence), deps())).body, { RecognitionStatus: "NoMatch", Offset: 0 });
  const timedOut = await recognizeBody(chunks(silence), deps({ initialSilenceTimeoutMs: 1_000, mode: "interactive" }));
  t.same(timedOut.body, { RecognitionStatus: "InitialSilenceTimeout", Offset: 0, Duration: 10_000_000 });
});

t.test("audio the transcripts do not know gets the fallback (NoMatch by default)", async (t) => {
  const noise = new Uint8Array(32_000).map((_, i) => (i % 2 ? (i * 37) & 0x7f : 0));
  const result = await recognizeBody(chunks(noise), deps());
  t.equal(result.scripted, false);
  t.equal(result.status, "NoMatch");
});

t.test("the scripted-next queue wins over the clip, taken once", async (t) => {
  const queue: Transcript[] = [{ kind: "noMatch" }];
  let taken = 0;
  const nextScripted = () => {
    taken++;
    return queue.shift();
  };
  t.equal((await recognizeBody(chunks(pcmOf("remind-me.wav")), deps({ nextScripted }))).status, "NoMatch");
  t.equal(taken, 1);
});

t.test("profanity-only audio with profanity=removed is NoMatch", async (t) => {
  const phrases = [{ display: "Damn.", lexical: "damn", itn: "damn", maskedItn: "****" }];
  const result = await recognizeBody(
    chunks(pcmOf("hello.wav")),
    deps({ profanity: "removed", nextScripted: () => ({ kind: "phrases", phrases }) }),
  );
  t.equal(result.status, "NoMatch");
  t.match(result.body, { Offset: Number, Duration: Number });
  const masked = await recognizeBody(chunks(pcmOf("hello.wav")), deps({ nextScripted: () => ({ kind: "phrases", phrases }) }));
  t.match(masked.body, { RecognitionStatus: "Success", DisplayText: "****." });
});

t.test("opaque audio (Ogg Opus) is heard as one stretch of speech from start to end", async (t) => {
  const transcripts = builtinTranscripts();
  const [sha] = transcripts.bySha256.keys();
  const known = recognizeOpaque(sha as string, 1_500, deps({ transcripts }));
  t.match(known.body, { RecognitionStatus: "Success", Offset: 0, Duration: 15_000_000 });
  t.equal(known.scripted, true);
  t.match(recognizeOpaque("0".repeat(64), 1_500, deps()).body, { RecognitionStatus: "NoMatch", Offset: 0, Duration: 15_000_000 });
  t.match(recognizeOpaque("0".repeat(64), 0, deps()).body, { RecognitionStatus: "NoMatch", Offset: 0, Duration: 0 });
});
