import { readdirSync } from "node:fs";
import fc from "fast-check";
import t from "tap";
import { bytesOf, resample, resampleLinear, samplesOf } from "../../test/support/audio-transforms.ts";
import { fixturePcm } from "../../test/support/fixture-audio.ts";
import { aLawToLinear, g711, linearToALaw, linearToMuLaw, muLawToLinear } from "../../test/support/g711.ts";
import { root } from "../../test/support/spawn.ts";
import { EnergyVad } from "../stt/vad.ts";
import { hearSynthesized } from "./decode.ts";
import { minWordDurationMs, renderSpeech, type Segment } from "./encode.ts";

const rates = [8000, 16_000, 22_050, 24_000, 44_100, 48_000] as const;
const prosodyRates = [0.5, 1, 1.5, 2] as const;
const resamplers = { linear: resampleLinear, sinc: resample } as const;

/** Words spoken at `wpm` words per minute and a prosody rate, each stretched to its minimum when too short. */
const sentence = (text: string, sampleRate: number, prosody = 1, wpm = 150): Segment[] =>
  text
    .split(" ")
    .map((word) => ({ kind: "word", text: word, durationMs: Math.max(60_000 / wpm / prosody, minWordDurationMs(word, sampleRate)) }));
const pause = (durationMs: number): Segment => ({ kind: "silence", durationMs });

/** The utterances as the recognizer's voice activity detector cuts them from 16 kHz PCM. */
const utterances = (pcm16k: Int16Array): Int16Array[] => {
  const vad = new EnergyVad();
  const bytes = bytesOf(pcm16k);
  const events = [...vad.push(bytes), ...vad.end()];
  const cut: Int16Array[] = [];
  for (let i = 0; i + 1 < events.length; i += 2) {
    cut.push(
      pcm16k.subarray(
        (events[i] as { offsetTicks: number }).offsetTicks / 625,
        (events[i + 1] as { offsetTicks: number }).offsetTicks / 625,
      ),
    );
  }
  return cut;
};
const heard = (pcm16k: Int16Array) => utterances(pcm16k).map((u) => hearSynthesized(u)?.text);

const first = "Remind me to buy 5 pencils.";
const second = "Café über 中文, 42 times!";

t.test("the G.711 codec of this test round-trips within its quantisation step", async (t) => {
  for (const s of [0, 1, -1, 100, -100, 1000, -1000, 12_345, -12_345, 32_767, -32_768]) {
    t.ok(Math.abs(muLawToLinear(linearToMuLaw(s)) - s) <= Math.max(8, Math.abs(s) / 16), `mu-law ${s}`);
    t.ok(Math.abs(aLawToLinear(linearToALaw(s)) - s) <= Math.max(16, Math.abs(s) / 16), `A-law ${s}`);
  }
});

t.test("two sentences are heard as two utterances with their exact text, at every rate, resampler and prosody rate", async (t) => {
  for (const rate of rates) {
    for (const prosody of prosodyRates) {
      const pcm = renderSpeech(
        [pause(120), ...sentence(first, rate, prosody), pause(700), ...sentence(second, rate, prosody), pause(300)],
        rate,
      );
      for (const [name, resampler] of Object.entries(resamplers)) {
        const pcm16k = rate === 16_000 ? pcm : resampler(pcm, rate, 16_000);
        t.strictSame(heard(pcm16k), [first, second], `${rate} Hz, ${name}, prosody rate ${prosody}`);
      }
    }
  }
});

t.test("8 kHz mu-law and A-law survive, with either resampler", async (t) => {
  for (const [codec, through] of Object.entries(g711)) {
    for (const prosody of prosodyRates) {
      const pcm = through(renderSpeech([...sentence(first, 8000, prosody), pause(700), ...sentence(second, 8000, prosody)], 8000));
      for (const [name, resampler] of Object.entries(resamplers)) {
        t.strictSame(heard(resampler(pcm, 8000, 16_000)), [first, second], `${codec}, ${name}, prosody rate ${prosody}`);
      }
    }
  }
});

t.test("words rendered at exactly their minimum duration still decode, through every format", async (t) => {
  const words = ["a", "I", "internationalization,", "naïve", "日本語の文章", "3.14159", "(quoted)"];
  for (const rate of rates) {
    const pcm = renderSpeech(
      words.map((text) => ({ kind: "word", text, durationMs: minWordDurationMs(text, rate) })),
      rate,
    );
    const pcm16k = rate === 16_000 ? pcm : resampleLinear(pcm, rate, 16_000);
    t.strictSame(heard(pcm16k), [words.join(" ")], `${rate} Hz`);
    if (rate === 8000) {
      for (const [codec, through] of Object.entries(g711)) {
        t.strictSame(heard(resample(through(pcm), 8000, 16_000)), [words.join(" ")], `8000 Hz ${codec}`);
      }
    }
  }
});

t.test("words rendered one call at a time and concatenated are heard as one utterance", async (t) => {
  const words = first.split(" ");
  const parts = words.map((text) => renderSpeech([{ kind: "word", text, durationMs: 300 }], 24_000));
  const whole = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.length;
  }
  t.strictSame(heard(resample(whole, 24_000, 16_000)), [first]);
});

t.test("short pauses stay inside an utterance; a missing word makes the whole utterance unheard", async (t) => {
  const pcm = renderSpeech([...sentence("One, two,", 16_000), pause(250), ...sentence("three.", 16_000)], 16_000);
  t.strictSame(heard(pcm), ["One, two, three."], "a 250 ms pause does not end the utterance");
  t.strictSame(hearSynthesized(pcm.subarray(0, 2 * 400 * 16)), { text: "One, two," }, "the words before a pause are a whole run");
  // Words of 400 ms at 16 kHz: 6400 samples each.
  const run = renderSpeech(sentence("One two three", 16_000), 16_000);
  t.strictSame(hearSynthesized(run), { text: "One two three" });
  t.equal(hearSynthesized(run.subarray(6400)), undefined, "without its first word");
  t.equal(hearSynthesized(run.subarray(0, 2 * 6400)), undefined, "without its last word");
  const gap = run.slice();
  gap.fill(0, 6400, 6400 + 1600); // the second word's frame
  t.equal(hearSynthesized(gap), undefined, "without its middle word");
});

t.test("real recordings, noise and tones are not synthesized speech", async (t) => {
  const clips = readdirSync(`${root}fixtures/audio`).filter((f) => f.endsWith(".wav"));
  t.ok(clips.length >= 4, `${clips.length} clips`);
  for (const clip of clips) {
    const pcm = samplesOf(fixturePcm(clip));
    t.equal(hearSynthesized(pcm), undefined, `${clip} whole`);
    for (const [i, u] of utterances(pcm).entries()) t.equal(hearSynthesized(u), undefined, `${clip} utterance ${i}`);
  }
  let seed = 1;
  const noise = Int16Array.from({ length: 32_000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31; // a fixed LCG: uniform in [-10000, 10000]
    return (seed % 20_001) - 10_000;
  });
  t.equal(hearSynthesized(noise), undefined, "white noise");
  const chord = Int16Array.from(
    { length: 32_000 },
    (_, n) => 9000 * (Math.sin((2 * Math.PI * 400 * n) / 16_000) + Math.sin((2 * Math.PI * 3500 * n) / 16_000)),
  );
  t.equal(hearSynthesized(chord), undefined, "the first preamble symbol held for two seconds");
  t.equal(hearSynthesized(new Int16Array(16_000)), undefined, "digital silence");
  t.equal(hearSynthesized(new Int16Array(0)), undefined, "no audio");
});

t.test("random word lists round-trip at random rates, formats, resamplers and prosody rates", async () => {
  const word = fc.string({ unit: "grapheme", minLength: 1, maxLength: 14 }).filter((w) => !/\s/u.test(w));
  const format = fc.constantFrom(
    ...rates.map((r) => ({ rate: r, codec: undefined })),
    { rate: 8000, codec: "mu-law" as const },
    { rate: 8000, codec: "A-law" as const },
  );
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 8 }),
      format,
      fc.constantFrom("linear", "sinc" as const),
      fc.double({ min: 0.5, max: 2, noNaN: true }),
      (words, { rate, codec }, resampler, prosody) => {
        const segments: Segment[] = words.map((text) => ({
          kind: "word",
          text,
          durationMs: Math.max(400 / prosody, minWordDurationMs(text, rate)),
        }));
        let pcm = renderSpeech([pause(50), ...segments, pause(600)], rate);
        if (codec !== undefined) pcm = g711[codec](pcm);
        const pcm16k = rate === 16_000 ? pcm : resamplers[resampler as "linear" | "sinc"](pcm, rate, 16_000);
        const got = heard(pcm16k);
        if (got.length !== 1 || got[0] !== words.join(" ")) throw new Error(`heard ${JSON.stringify(got)}`);
      },
    ),
    { numRuns: 50, seed: 20261130 },
  );
});

t.test("a 500 ms pause between sentences (the default segmentation silence) splits them at any alignment", async (t) => {
  // The pause and the last word's 20 ms gap leave at least 25 whole silent 20 ms frames, however
  // the detector's frames fall, before a resampler's ringing or after it.
  let split = 0;
  const tried: string[] = [];
  for (let leadMs = 0; leadMs < 20; leadMs += 0.7) {
    const pcm = renderSpeech([pause(leadMs), ...sentence("Hello there.", 24_000, 2), pause(500), ...sentence("Bye.", 24_000, 2)], 24_000);
    for (const [name, resampler] of Object.entries(resamplers)) {
      const got = heard(resampler(pcm, 24_000, 16_000));
      if (JSON.stringify(got) === JSON.stringify(["Hello there.", "Bye."])) split++;
      else tried.push(`${leadMs.toFixed(1)} ms lead, ${name}: ${JSON.stringify(got)}`);
    }
  }
  t.strictSame(tried, [], `${split} alignments split`);
});
