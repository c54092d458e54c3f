import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import t from "tap";
import { bytesOf, padded, resample, roundTrip48k, withGain } from "../../test/support/audio-transforms.ts";
import { concatBytes, fixturePcm } from "../../test/support/fixture-audio.ts";
import { root } from "../../test/support/spawn.ts";
import { TurnAudio } from "../../test/support/turn-audio.ts";
import { renderSpeech, type Segment } from "../synthetic-speech/encode.ts";
import { builtinTranscripts } from "../transcripts/builtin.ts";
import { parseTranscripts } from "../transcripts/load.ts";
import type { Transcript } from "../transcripts/lookup.ts";
import type { Transcripts } from "../transcripts/schema.ts";
import type { TurnMode } from "./endpoints.ts";
import { Recognizer, type RecognizerDeps, type RecognizerSettings } from "./recognize.ts";
import { recognitionMessages, type ServiceMessage } from "./responses.ts";
import { msToTicks } from "./ticks.ts";

const pcmOf = fixturePcm;
const silence = (ms: number): Uint8Array => new Uint8Array(ms * 32);
const concat = concatBytes;

const settings = (mode: TurnMode, overrides: Partial<RecognizerSettings> = {}): RecognizerSettings => ({
  mode,
  format: "simple",
  profanity: "masked",
  initialSilenceTimeoutMs: 5000,
  segmentationSilenceMs: 500,
  interactiveMaxAudioMs: 15_000,
  ...overrides,
});

interface Fed {
  /** Every message, with the audio (ms) pushed when it came out; -1 for those from `end()`. */
  readonly messages: { atMs: number; path: string; body: Record<string, unknown> }[];
  readonly recognizer: Recognizer;
}

/** Pushes PCM in 100 ms chunks (as the SDK streams), then ends unless told not to. */
const feed = (pcm: Uint8Array, s: RecognizerSettings, deps: Partial<RecognizerDeps> = {}, end = true): Fed => {
  const recognizer = new Recognizer(s, { transcripts: builtinTranscripts(), ...deps });
  const messages: Fed["messages"] = [];
  const take = (atMs: number, list: ServiceMessage[]) => {
    for (const m of list) messages.push({ atMs, path: m.path, body: m.body === "" ? {} : JSON.parse(m.body) });
  };
  for (let at = 0; at < pcm.length && !recognizer.finished; at += 3200) {
    take(Math.min(at + 3200, pcm.length) / 32, recognizer.push(pcm.subarray(at, at + 3200)));
  }
  if (end) take(-1, recognizer.end());
  return { messages, recognizer };
};

const phrases = (fed: Fed) => fed.messages.filter((m) => m.path === "speech.phrase");
const texts = (fed: Fed) => phrases(fed).map((m) => m.body.DisplayText ?? m.body.RecognitionStatus);

t.test("interactive: a live stream is answered when the speaker stops, without the end of audio", async (t) => {
  const remind = pcmOf("remind-me.wav");
  const fed = feed(concat(remind, silence(10_000)), settings("interactive"), {}, false);
  t.ok(fed.recognizer.finished, "the turn is over while the client is still streaming");
  t.strictSame(texts(fed), ["Remind me to buy 5 pencils."]);
  const phrase = phrases(fed)[0];
  const end = fed.messages.find((m) => m.path === "speech.endDetected");
  t.ok(end, "speech.endDetected is sent");
  const speechEndMs = ((phrase?.body.Offset as number) + (phrase?.body.Duration as number)) / msToTicks(1);
  t.ok((phrase?.atMs ?? 0) - speechEndMs <= 700, `answered ${(phrase?.atMs ?? 0) - speechEndMs} ms of audio after the speech ended`);
  t.equal(fed.messages.at(-1)?.path, "speech.endDetected", "the phrase, then speech.endDetected, last");
  t.ok(
    fed.messages.findIndex((m) => m.path === "speech.hypothesis") < fed.messages.indexOf(phrase as never),
    "hypotheses come before the phrase",
  );
});

t.test("conversation: each utterance's phrase comes as its trailing silence is detected", async (t) => {
  const fed = feed(pcmOf("two-utterances.wav"), settings("conversation"));
  t.strictSame(texts(fed), ["Turn on the lights.", "Set a timer for 10 minutes."]);
  const [first, second] = phrases(fed);
  const secondStartMs = (second?.body.Offset as number) / msToTicks(1);
  t.ok(
    (first?.atMs ?? -1) >= 0 && (first?.atMs as number) < secondStartMs,
    `the first phrase at ${first?.atMs} ms, the second utterance starts at ${secondStartMs} ms`,
  );
  t.equal(fed.messages.at(-1)?.path, "speech.endDetected");
});

t.test("hypotheses keep coming while someone speaks", async (t) => {
  const fed = feed(concat(pcmOf("weather.wav"), silence(2000)), settings("conversation"), {}, false);
  const hypotheses = fed.messages.filter((m) => m.path === "speech.hypothesis");
  const phraseAt = phrases(fed)[0]?.atMs ?? -1;
  t.ok(hypotheses.length >= 2, `${hypotheses.length} hypotheses`);
  t.ok(
    hypotheses.every((h) => h.atMs < phraseAt),
    "every hypothesis goes out before the phrase, while the audio is still coming",
  );
  const words = hypotheses.map((h) => String(h.body.Text).split(" ").length);
  t.strictSame(
    words,
    [...words].sort((a, b) => a - b),
    "they grow",
  );
});

t.test("a clip padded with silence, at another gain, resampled through 48 kHz is still recognised", async (t) => {
  const changed = padded(withGain(roundTrip48k(pcmOf("remind-me.wav")), 0.6), 37, 5000);
  for (const mode of ["interactive", "conversation"] as const) {
    t.strictSame(texts(feed(changed, settings(mode))), ["Remind me to buy 5 pencils."], mode);
  }
  const two = padded(roundTrip48k(pcmOf("two-utterances.wav")), 500, 5000);
  t.strictSame(texts(feed(two, settings("dictation"))), ["Turn on the lights.", "Set a timer for 10 minutes.", "EndOfDictation"]);
});

t.test("finished clips are answered as the whole-clip path answers them", async (t) => {
  for (const clip of ["hello.wav", "remind-me.wav", "weather.wav", "two-utterances.wav", "silence.wav"]) {
    for (const mode of ["interactive", "conversation", "dictation"] as const) {
      const transcripts = builtinTranscripts();
      const audio = new TurnAudio({});
      audio.push(pcmOf(clip));
      const heard = audio.end();
      const before = recognitionMessages(
        heard,
        transcripts.bySha256.get(heard.sha256)
          ? { kind: "phrases", phrases: transcripts.bySha256.get(heard.sha256) ?? [] }
          : transcripts.fallback,
        {
          mode,
          format: "detailed",
          profanity: "masked",
          profaneWords: transcripts.profaneWords,
          initialSilenceTimeoutMs: 5000,
        },
      ).filter((m) => m.path !== "speech.hypothesis");
      const now = feed(pcmOf(clip), settings(mode, { format: "detailed" })).messages.filter((m) => m.path !== "speech.hypothesis");
      t.strictSame(
        now.map((m) => ({ path: m.path, body: m.body })),
        before.map((m) => ({ path: m.path, body: JSON.parse(m.body) })),
        `${clip}, ${mode}`,
      );
    }
  }
});

/** The built-in transcripts as a file of the old shape: whole-clip hashes, no fingerprints. */
const hashOnly = (): Transcripts => {
  const raw = JSON.parse(readFileSync(`${root}fixtures/transcripts.json`, "utf8")) as {
    transcripts: Record<string, { phrases: Record<string, unknown>[] }>;
  };
  for (const entry of Object.values(raw.transcripts)) for (const p of entry.phrases) delete p.fingerprint;
  return parseTranscripts(JSON.stringify(raw), "hash-only.json");
};

t.test("a transcripts file with whole-clip hashes only still serves clips streamed to their end", async (t) => {
  const transcripts = hashOnly();
  const trailing = concat(pcmOf("remind-me.wav"), silence(3000));
  const live = feed(trailing, settings("interactive"), { transcripts }, false);
  t.strictSame(texts(live), [], "no fingerprint to match: nothing yet");
  t.ok(live.recognizer.holding, "the utterance waits for the end of the audio");
  t.strictSame(texts(feed(pcmOf("remind-me.wav"), settings("interactive"), { transcripts })), ["Remind me to buy 5 pencils."]);
  t.strictSame(texts(feed(pcmOf("two-utterances.wav"), settings("conversation"), { transcripts })), [
    "Turn on the lights.",
    "Set a timer for 10 minutes.",
  ]);
});

t.test("an utterance nothing matches is heard as the fallback once the hold runs out", async (t) => {
  const transcripts = { ...hashOnly(), fallback: { kind: "text", text: "Something else." } } as Transcripts;
  const fed = feed(concat(pcmOf("hello.wav"), silence(2000)), settings("interactive"), { transcripts }, false);
  t.ok(fed.recognizer.holding);
  const out = fed.recognizer.expireHold();
  t.strictSame(
    out.filter((m) => m.path === "speech.phrase").map((m) => JSON.parse(m.body).DisplayText),
    ["Something else."],
  );
  t.ok(fed.recognizer.finished);
  t.strictSame(fed.recognizer.end(), [], "nothing after the turn is over");
});

t.test("the scripted-next transcript is taken once per turn, at its first speech, and wins over fingerprints", async (t) => {
  const queue: Transcript[] = [{ kind: "text", text: "Scripted words." }];
  const nextScripted = () => queue.shift();
  const fed = feed(concat(pcmOf("remind-me.wav"), silence(2000)), settings("interactive"), { nextScripted }, false);
  t.strictSame(texts(fed), ["Scripted words."]);
  t.equal(queue.length, 0);
  t.equal(fed.recognizer.summary().scripted, false, "a fixed text is not a transcript's phrase");
});

t.test("interactive limits: initial silence, and the audio cap", async (t) => {
  const quiet = feed(silence(6000), settings("interactive"), {}, false);
  t.ok(quiet.recognizer.finished);
  t.strictSame(
    phrases(quiet).map((m) => m.body),
    [{ RecognitionStatus: "InitialSilenceTimeout", Offset: 0, Duration: msToTicks(5000) }],
  );
  const capped = feed(concat(pcmOf("remind-me.wav"), silence(3000)), settings("interactive", { interactiveMaxAudioMs: 1000 }), {}, false);
  t.ok(capped.recognizer.finished, "answered at the cap");
  t.equal(phrases(capped).length, 1);
  t.equal(capped.messages.at(-1)?.path, "speech.endDetected");
});

t.test("the turn summary counts phrases and says whether a transcript heard them", async (t) => {
  const fed = feed(pcmOf("two-utterances.wav"), settings("conversation"));
  t.strictSame(fed.recognizer.summary(), {
    audioTicks: fed.recognizer.audioTicks,
    status: "Success",
    phrases: 2,
    scripted: true,
    results: [
      { status: "Success", text: "Turn on the lights.", match: "fingerprint" },
      // The last utterance's trailing silence is cut short by the end of the clip: the whole clip's hash decides it.
      { status: "Success", text: "Set a timer for 10 minutes.", match: "sha256" },
    ],
  });
  const none = feed(silence(1000), settings("conversation"));
  t.strictSame(none.recognizer.summary(), {
    audioTicks: msToTicks(1000),
    status: "NoMatch",
    phrases: 0,
    scripted: false,
    results: [{ status: "NoMatch", match: "silence" }],
  });
});

t.test("the summary says what came back and how each answer was decided: script, hash, fingerprint, fallback", async (t) => {
  const resultsOf = (fed: Fed) => fed.recognizer.summary().results;
  const remindMe = { status: "Success", text: "Remind me to buy 5 pencils." };
  t.strictSame(resultsOf(feed(pcmOf("remind-me.wav"), settings("interactive"), { transcripts: hashOnly() })), [
    { ...remindMe, match: "sha256" },
  ]);
  t.strictSame(resultsOf(feed(concat(pcmOf("remind-me.wav"), silence(2000)), settings("interactive"), {}, false)), [
    { ...remindMe, match: "fingerprint" },
  ]);
  const queue: Transcript[] = [{ kind: "noMatch" }];
  t.strictSame(resultsOf(feed(pcmOf("remind-me.wav"), settings("interactive"), { nextScripted: () => queue.shift() })), [
    { status: "NoMatch", match: "script" },
  ]);
  const transcripts = { ...hashOnly(), fallback: { kind: "text", text: "Something else." } } as Transcripts;
  const held = feed(concat(pcmOf("hello.wav"), silence(2000)), settings("interactive"), { transcripts }, false);
  held.recognizer.expireHold();
  t.strictSame(resultsOf(held), [{ status: "Success", text: "Something else.", match: "fallback" }]);
});

t.test("without live hypotheses nothing comes before the phrase, which still brings its hypotheses", async (t) => {
  const fed = feed(concat(pcmOf("remind-me.wav"), silence(2000)), settings("interactive", { liveHypotheses: false }), {}, false);
  const first = fed.messages.findIndex((m) => m.path === "speech.hypothesis");
  t.ok(first > 0, "hypotheses are sent");
  const phraseAt = phrases(fed)[0]?.atMs;
  t.ok(
    fed.messages.filter((m) => m.path === "speech.hypothesis").every((m) => m.atMs === phraseAt),
    "all of them with the phrase",
  );
  t.strictSame(texts(fed), ["Remind me to buy 5 pencils."]);
});

/** Sentences as speechmock synthesizes them at 24 kHz, 300 ms a word, resampled to 16 kHz as a client would. */
const synthesized = (...parts: (string | number)[]): Uint8Array => {
  const segments: Segment[] = parts.flatMap((part): Segment[] =>
    typeof part === "number"
      ? [{ kind: "silence", durationMs: part }]
      : part.split(" ").map((text) => ({ kind: "word", text, durationMs: 300 })),
  );
  return bytesOf(resample(renderSpeech(segments, 24_000), 24_000, 16_000));
};

t.test("speechmock's own synthesized speech is heard as its words, with no transcripts entry", async (t) => {
  const audio = synthesized(200, "Remind me to buy 5 pencils.", 700, "Café über 中文, 42 times!", 700);
  const fed = feed(audio, settings("conversation"));
  t.strictSame(fed.recognizer.summary().results, [
    { status: "Success", text: "Remind me to buy 5 pencils.", match: "synthesized" },
    { status: "Success", text: "Café über 中文, 42 times!", match: "synthesized" },
  ]);
  const [first, second] = phrases(fed).map((m) => m.body);
  // Words start on the detector's 20 ms frames here (200 ms, then 6 words of 300 ms and 700 ms of silence).
  t.strictSame(first, {
    RecognitionStatus: "Success",
    DisplayText: "Remind me to buy 5 pencils.",
    Offset: msToTicks(200),
    Duration: msToTicks(1800 - 20),
  });
  t.match(second, { DisplayText: "Café über 中文, 42 times!", Offset: msToTicks(2700) });
  const dictation = feed(audio, settings("dictation", { format: "detailed" }));
  t.match(phrases(dictation)[1]?.body, { NBest: [{ Lexical: "café über 中文 42 times", Display: "Café über 中文, 42 times!" }] });
});

t.test("an interactive turn of synthesized speech is answered when it stops, before the end of audio", async (t) => {
  const fed = feed(synthesized("Turn on the lights.", 3000), settings("interactive"), {}, false);
  t.ok(fed.recognizer.finished);
  t.strictSame(texts(fed), ["Turn on the lights."], "not the builtin clip's fingerprint, though the words are the same");
  t.strictSame(fed.recognizer.summary().results, [{ status: "Success", text: "Turn on the lights.", match: "synthesized" }]);
});

t.test("a transcripts entry for the whole clip's hash comes before the words synthesized speech carries", async (t) => {
  const audio = synthesized(100, "Hello there.");
  const sha256 = createHash("sha256").update(audio).digest("hex");
  const transcripts = parseTranscripts(
    JSON.stringify({
      fallback: { kind: "noMatch" },
      transcripts: {
        [sha256]: {
          phrases: [{ display: "Scripted instead.", lexical: "scripted instead", itn: "scripted instead", maskedItn: "scripted instead" }],
        },
      },
    }),
    "synthesized.json",
  );
  t.strictSame(feed(audio, settings("interactive"), { transcripts }).recognizer.summary().results, [
    { status: "Success", text: "Scripted instead.", match: "sha256" },
  ]);
  t.strictSame(feed(audio, settings("interactive")).recognizer.summary().results, [
    { status: "Success", text: "Hello there.", match: "synthesized" },
  ]);
});
