import fc from "fast-check";
import t from "tap";
import { chunked, padded, roundTrip48k, roundTrip48kLinear, withGain } from "../../test/support/audio-transforms.ts";
import { fixturePcm } from "../../test/support/fixture-audio.ts";
import {
  encodeFingerprint,
  type Fingerprint,
  fingerprintHopTicks,
  fingerprintsOfClip,
  parseFingerprint,
  UtteranceFeatures,
} from "./fingerprint.ts";
import { FingerprintIndex, matchThreshold } from "./fingerprint-index.ts";
import { fingerprintSimilarity } from "./fingerprint-similarity.ts";
import { msToTicks } from "./ticks.ts";
import { EnergyVad, vadFrameMs } from "./vad.ts";

const pcmOf = fixturePcm;
const spoken = ["hello.wav", "remind-me.wav", "weather.wav", "two-utterances.wav"] as const;
const clips = new Map(spoken.map((c) => [c, pcmOf(c)]));
const clip = (name: (typeof spoken)[number]): Uint8Array => clips.get(name) as Uint8Array;

/** The five fixture utterances, named `<clip>#<n>`, from the untouched clips. */
const known = spoken.flatMap((c) => fingerprintsOfClip(clip(c)).map((u, i) => ({ name: `${c}#${i}`, ...u })));
const index = new FingerprintIndex<string>();
for (const u of known) index.add(parseFingerprint(u.fingerprint), u.name);

/**
 * The fingerprints of a stream's utterances as the mock takes them: chunk by chunk, the voice
 * activity detector's offsets into UtteranceFeatures, forgetting what precedes any speech.
 */
function streamed(chunks: readonly Uint8Array[]): Fingerprint[] {
  const vad = new EnergyVad();
  const features = new UtteranceFeatures();
  const out: Fingerprint[] = [];
  let start = 0;
  const take = (events: ReturnType<EnergyVad["push"]>) => {
    for (const e of events) {
      if (e.type === "speechStart") start = e.offsetTicks;
      else out.push(features.fingerprint(start, e.offsetTicks));
    }
  };
  for (const chunk of chunks) {
    features.push(chunk);
    take(vad.push(chunk));
    // Speech is dated back to the first of the detector's start-up frames: keep those.
    if (!vad.speaking) features.forgetBefore(vad.audioTicks - msToTicks(vad.options.speechStartFrames * vadFrameMs));
  }
  take(vad.end());
  return out;
}

/** The lowest score of an utterance against itself transformed, the highest against another: the margins. */
const margins = { self: 1, selfCase: "", cross: 0, crossCase: "" };
const seen = (what: string, clipName: string, fps: readonly Fingerprint[]): string | undefined => {
  const names = known.filter((u) => u.name.startsWith(`${clipName}#`)).map((u) => u.name);
  if (fps.length !== names.length) return `${what}: ${fps.length} utterances, expected ${names.length}`;
  for (const [i, fp] of fps.entries()) {
    for (const other of known) {
      const score = fingerprintSimilarity(fp, parseFingerprint(other.fingerprint));
      if (other.name === names[i] && score < margins.self) Object.assign(margins, { self: score, selfCase: `${what} ${other.name}` });
      if (other.name !== names[i] && score > margins.cross)
        Object.assign(margins, { cross: score, crossCase: `${what} ${names[i]} ~ ${other.name}` });
    }
    const found = index.match(fp);
    if (found?.value !== names[i]) return `${what}: utterance ${i} matched ${found?.value} (${found?.score}), expected ${names[i]}`;
  }
  return undefined;
};

t.test("the fixture clips", async (t) => {
  t.test("give one fingerprint per utterance, in order, where the detector puts them; silence gives none", async (t) => {
    const spans = (name: (typeof spoken)[number]) => fingerprintsOfClip(clip(name)).map((u) => [u.startTicks / 1e7, u.endTicks / 1e7]);
    t.same(spans("hello.wav"), [[0.02, 0.76]]);
    t.same(spans("remind-me.wav"), [[0, 1.78]]);
    t.same(spans("weather.wav"), [[0, 2.06]]);
    t.same(spans("two-utterances.wav"), [
      [0.04, 0.92],
      [2.72, 4.32],
    ]);
    t.same(fingerprintsOfClip(pcmOf("silence.wav")), []);
  });

  t.test("a fingerprint is fp1: and three characters per 10 ms: about 600 for 2 s of speech", async (t) => {
    for (const u of known) {
      const frames = (u.endTicks - u.startTicks) / fingerprintHopTicks - 1;
      t.match(u.fingerprint, /^fp1:[A-Za-z0-9_-]+$/, u.name);
      t.equal(u.fingerprint.length, 4 + 3 * frames, u.name);
    }
    t.equal(known.find((u) => u.name === "weather.wav#0")?.fingerprint.length, 4 + 3 * 205, "2.06 s of speech: 619 characters");
  });

  t.test("the text form reads back to the same codes", async (t) => {
    for (const u of known) t.equal(encodeFingerprint(parseFingerprint(u.fingerprint)), u.fingerprint, u.name);
  });

  t.test("each utterance matches itself with score 1, and no two different utterances match", async (t) => {
    const table: string[] = [];
    for (const a of known) {
      for (const b of known) {
        const score = fingerprintSimilarity(parseFingerprint(a.fingerprint), parseFingerprint(b.fingerprint));
        if (a.name === b.name) t.equal(score, 1, a.name);
        else t.ok(score < matchThreshold, `${a.name} ~ ${b.name}: ${score.toFixed(3)}`);
        if (a.name < b.name) table.push(`${a.name} ~ ${b.name} ${score.toFixed(3)}`);
      }
    }
    t.comment(table.join("\n"));
  });

  t.test("survive, each on its own, what a client or a microphone does to them", async (t) => {
    const transforms: [string, (pcm: Uint8Array) => Uint8Array][] = [
      ["5 s of zeros after", (p) => padded(p, 0, 5000)],
      ["7 ms of zeros before", (p) => padded(p, 7, 0)],
      ["5 ms of zeros before (half a 10 ms frame)", (p) => padded(p, 5, 0)],
      ["1.23 s of zeros before and 5 s after", (p) => padded(p, 1230, 5000)],
      ["half the gain", (p) => withGain(p, 0.5)],
      ["twice the gain", (p) => withGain(p, 2)],
      ["16 -> 48 -> 16 kHz, windowed sinc", roundTrip48k],
      ["16 -> 48 -> 16 kHz, linear interpolation", roundTrip48kLinear],
      ["all of them", (p) => roundTrip48k(withGain(padded(p, 7, 5000), 0.6))],
    ];
    for (const [what, transform] of transforms) {
      for (const name of spoken) {
        const problem = seen(what, name, streamed(chunked(transform(clip(name)), [3200])));
        t.equal(problem, undefined, `${name}, ${what}`);
      }
    }
    t.same(streamed(chunked(roundTrip48k(padded(pcmOf("silence.wav"), 3, 5000)), [3200])), [], "silence stays silence");
  });
});

t.test("UtteranceFeatures", async (t) => {
  const remind = clip("remind-me.wav");
  const whole = fingerprintsOfClip(remind)[0];

  t.test("gives the same fingerprint however the audio is chunked, odd byte splits included", async (t) => {
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 4001 }), { minLength: 1, maxLength: 8 }), (sizes) => {
          const [fp] = streamed(chunked(remind, sizes));
          if (fp === undefined || encodeFingerprint(fp) !== whole?.fingerprint)
            throw new Error(`chunks of ${sizes} gave a different fingerprint`);
        }),
        { numRuns: 30 },
      ),
    );
  });

  t.test("keeps only the frames after what it was told to forget", async (t) => {
    const features = new UtteranceFeatures();
    const silence = new Uint8Array(32_000 * 10); // 10 s, one 10 ms frame per 320 bytes
    for (let at = 0; at < silence.length; at += 3200) {
      features.push(silence.subarray(at, at + 3200));
      features.forgetBefore(features.audioTicks - msToTicks(60));
    }
    t.ok(features.storedFrames <= 16, `${features.storedFrames} frames kept after 10 s`);
    features.push(remind);
    const start = msToTicks(10_000) + (whole?.startTicks ?? 0);
    t.equal(encodeFingerprint(features.fingerprint(start, start + (whole?.endTicks ?? 0))), whole?.fingerprint);
  });

  t.test("refuses a stretch it has forgotten, has not heard, or that is under 20 ms", async (t) => {
    const features = new UtteranceFeatures();
    features.push(remind.subarray(0, 32_000)); // 1 s
    features.forgetBefore(msToTicks(500));
    t.throws(() => features.fingerprint(msToTicks(400), msToTicks(900)), {
      name: "RangeError",
      message: "Cannot fingerprint from 0.400 s: audio before 0.500 s was forgotten",
    });
    t.throws(() => features.fingerprint(msToTicks(500), msToTicks(1010)), {
      name: "RangeError",
      message: "Cannot fingerprint up to 1.010 s: only 1.000 s was pushed",
    });
    t.throws(() => features.fingerprint(msToTicks(600), msToTicks(610)), {
      name: "RangeError",
      message: "Cannot fingerprint 0.010 s of audio: expected at least 20 ms",
    });
    t.throws(() => features.fingerprint(msToTicks(700), msToTicks(600)), {
      name: "RangeError",
      message: "Cannot fingerprint from 7000000 to 6000000 ticks: expected 0 <= start <= end",
    });
    t.equal(features.fingerprint(msToTicks(500), msToTicks(1000)).frames, 49);
  });

  t.test("takes one pass over the samples: a few hundred µs per second of audio", async (t) => {
    const seconds = 60;
    const audio = new Uint8Array(32_000 * seconds);
    for (let at = 0; at + remind.length <= audio.length; at += remind.length) audio.set(remind, at);
    const features = new UtteranceFeatures();
    const started = performance.now();
    for (let at = 0; at < audio.length; at += 3200) {
      features.push(audio.subarray(at, at + 3200));
      features.forgetBefore(features.audioTicks - msToTicks(60));
    }
    const usPerSecond = ((performance.now() - started) * 1000) / seconds;
    t.comment(`UtteranceFeatures.push: ${usPerSecond.toFixed(0)} µs per second of audio`);
    // Generous, so a busy CI machine does not fail it; a per-sample allocation costs far more.
    t.ok(usPerSecond < 5000, `${usPerSecond.toFixed(0)} µs per second of audio`);
  });
});

t.test("parseFingerprint", async (t) => {
  t.test("refuses malformed text, saying what is wrong", async (t) => {
    const refused: [unknown, string, string][] = [
      [42, "TypeError", "Cannot parse fingerprint: expected a string, found number"],
      [null, "TypeError", "Cannot parse fingerprint: expected a string, found null"],
      ["", "RangeError", 'Cannot parse fingerprint: expected it to start with "fp1:", found ""'],
      ["fp2:AAAAAA", "RangeError", 'Cannot parse fingerprint: expected it to start with "fp1:", found "fp2:AAAAAA"'],
      ["e3a911a786e9745f1217", "RangeError", 'Cannot parse fingerprint: expected it to start with "fp1:", found "e3a911a786e9…"'],
      ["fp1:", "RangeError", 'Cannot parse fingerprint: 0 characters after "fp1:", expected a positive multiple of 3 (one frame each)'],
      ["fp1:AAAA", "RangeError", 'Cannot parse fingerprint: 4 characters after "fp1:", expected a positive multiple of 3 (one frame each)'],
      ["fp1:AA=", "RangeError", 'Cannot parse fingerprint: character 6 ("=") is not base64url (A-Z, a-z, 0-9, "-", "_")'],
      ["fp1:AB+", "RangeError", 'Cannot parse fingerprint: character 6 ("+") is not base64url (A-Z, a-z, 0-9, "-", "_")'],
    ];
    for (const [text, name, message] of refused) t.throws(() => parseFingerprint(text), { name, message }, JSON.stringify(text));
  });

  t.test("reads each character as one 6-bit code: level, tilt, band per frame", async (t) => {
    const fp = parseFingerprint("fp1:AB_-9z");
    t.equal(fp.frames, 2);
    t.same([...fp.level], [0, 62]);
    t.same([...fp.tilt], [1, 61]);
    t.same([...fp.band], [63, 51]);
  });
});

t.test("properties over the fixture utterances", async (t) => {
  const clipName = fc.constantFrom(...spoken);
  const chunkSizes = fc.array(fc.integer({ min: 1, max: 6400 }), { minLength: 1, maxLength: 6 });
  const gain = fc.double({ min: 0.5, max: 2, noNaN: true });
  /** Leading zeros in whole samples (any, not only whole frames) up to 300 ms; trailing up to 5 s. */
  const leadSamples = fc.integer({ min: 0, max: 4800 });
  const trailMs = fc.integer({ min: 0, max: 5000 });
  const resampler = fc.constantFrom("none", "sinc", "linear");
  const check = (problem: string | undefined) => {
    if (problem !== undefined) throw new Error(problem);
  };

  t.test("an utterance chunked at random is recognised as itself", async (t) => {
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(clipName, chunkSizes, (name, sizes) => check(seen(`chunks ${sizes}`, name, streamed(chunked(clip(name), sizes))))),
        { numRuns: 50 },
      ),
    );
  });

  t.test("at any gain from 0.5x to 2x", async (t) => {
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(clipName, gain, (name, g) => check(seen(`gain ${g}`, name, streamed([withGain(clip(name), g)])))),
        { numRuns: 60 },
      ),
    );
  });

  t.test("with any silence before and after", async (t) => {
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(clipName, leadSamples, trailMs, (name, lead, trail) =>
          check(seen(`padded ${lead / 16} ms + ${trail} ms`, name, streamed(chunked(padded(clip(name), lead / 16, trail), [3200])))),
        ),
        { numRuns: 80 },
      ),
    );
  });

  t.test("through 48 kHz and back", async (t) => {
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(clipName, fc.constantFrom(roundTrip48k, roundTrip48kLinear), (name, roundTrip) =>
          check(seen(`${roundTrip.name}`, name, streamed([roundTrip(clip(name))]))),
        ),
        { numRuns: 16 },
      ),
    );
  });

  t.test("with all of these at once", async (t) => {
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(clipName, gain, leadSamples, trailMs, resampler, chunkSizes, (name, g, lead, trail, how, sizes) => {
          // Zeros commute with resampling by whole 16 kHz samples, so pad after the round trip: faster, same audio.
          const leveled = withGain(clip(name), g);
          const resampled = how === "sinc" ? roundTrip48k(leveled) : how === "linear" ? roundTrip48kLinear(leveled) : leveled;
          const what = `gain ${g}, ${how}, padded ${lead / 16} ms + ${trail} ms, chunks ${sizes}`;
          check(seen(what, name, streamed(chunked(padded(resampled, lead / 16, trail), sizes))));
        }),
        { numRuns: 100 },
      ),
    );
  });

  t.test("the margins: lowest score against itself, highest against another", async (t) => {
    t.comment(`lowest self score ${margins.self.toFixed(3)} (${margins.selfCase})`);
    t.comment(`highest cross score ${margins.cross.toFixed(3)} (${margins.crossCase})`);
    t.ok(margins.self >= 0.95, `self scores stay at 0.95 or more: ${margins.self.toFixed(3)}`);
    t.ok(margins.cross <= 0.7, `cross scores stay at 0.7 or less: ${margins.cross.toFixed(3)}`);
    t.ok(margins.self > matchThreshold && margins.cross < matchThreshold);
  });
});
