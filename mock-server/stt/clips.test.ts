import { createHash } from "node:crypto";
import t from "tap";
import raw from "../../fixtures/transcripts.json" with { type: "json" };
import { fixturePcm } from "../../test/support/fixture-audio.ts";
import { TurnAudio } from "../../test/support/turn-audio.ts";
import { pcmSha256 } from "../transcripts/lookup.ts";
import { jsSha256, nodeStyleHasher } from "./pcm-hash.ts";
import type { HeardAudio } from "./responses.ts";
import { msToTicks } from "./ticks.ts";

const pcmOf = fixturePcm;

/** The clip's PCM pushed in chunks of the given sizes (cycled), then ended. */
const hear = (pcm: Uint8Array, chunkSizes: readonly number[], audio = new TurnAudio({})): HeardAudio => {
  for (let at = 0, k = 0; at < pcm.length; k++) {
    const size = chunkSizes[k % chunkSizes.length] as number;
    audio.push(pcm.subarray(at, at + size));
    at += size;
  }
  return audio.end();
};

/** The scripted clip each transcripts key belongs to, as the file's `clip` field says. */
const clipOfKey = new Map(Object.entries(raw.transcripts).map(([sha, entry]) => [entry.clip, sha]));

const clips = ["hello.wav", "remind-me.wav", "weather.wav", "two-utterances.wav", "silence.wav"];
const chunkings: readonly (readonly number[])[] = [[Number.MAX_SAFE_INTEGER], [8192], [3200], [1], [7], [3200, 1, 4095, 2]];

for (const clip of clips) {
  t.test(`${clip}: the hash is the same whatever the chunk sizes, and equals pcmSha256 of the whole PCM`, async (t) => {
    const pcm = pcmOf(clip);
    const whole = await pcmSha256(pcm);
    const scripted = clipOfKey.get(`audio/${clip}`);
    if (clip === "silence.wav") t.equal(scripted, undefined, "silence is not scripted");
    else t.equal(whole, scripted, "the transcripts file is keyed by this hash");
    const first = hear(pcm, chunkings[0] as number[]);
    for (const sizes of chunkings) {
      const heard = hear(pcm, sizes);
      t.equal(heard.sha256, whole, `chunks of ${sizes.join(", ")}`);
      t.strictSame(heard.segments, first.segments, `the same segments in chunks of ${sizes.join(", ")}`);
      t.equal(heard.audioTicks, first.audioTicks);
    }
  });

  t.test(`${clip}: audioTicks is the number of samples times 625`, async (t) => {
    const pcm = pcmOf(clip);
    t.equal(pcm.length % 2, 0);
    t.equal(hear(pcm, [8192]).audioTicks, (pcm.length / 2) * 625);
  });
}

t.test("two-utterances.wav holds two ordered, non-overlapping segments with the 1.5 s gap between them", async (t) => {
  const pcm = pcmOf("two-utterances.wav");
  const heard = hear(pcm, [3200]);
  t.equal(heard.segments.length, 2);
  const [a, b] = heard.segments;
  if (a === undefined || b === undefined) return;
  t.ok(a.start >= 0 && a.start < a.end, "the first has a positive length");
  t.ok(b.start < b.end, "the second has a positive length");
  t.ok(b.start - a.end >= msToTicks(1400), `gap of ${(b.start - a.end) / 10_000} ms`);
  t.ok(b.end <= heard.audioTicks, "both end within the audio");
  for (const s of heard.segments) {
    t.ok(Number.isSafeInteger(s.start) && Number.isSafeInteger(s.end), "offsets are whole ticks");
  }
});

t.test("every spoken clip holds exactly one segment", async (t) => {
  for (const clip of ["hello.wav", "remind-me.wav", "weather.wav"]) {
    t.equal(hear(pcmOf(clip), [3200]).segments.length, 1, clip);
  }
});

t.test("silence.wav holds no segment and 2 s of audio", async (t) => {
  const audio = new TurnAudio({});
  const heard = hear(pcmOf("silence.wav"), [3200], audio);
  t.strictSame(heard.segments, []);
  t.equal(heard.audioTicks, msToTicks(2000));
  t.equal(audio.heardSpeech, false);
});

t.test("heardSpeech turns true once speech has started, before the audio ends", async (t) => {
  const audio = new TurnAudio({});
  t.equal(audio.heardSpeech, false);
  const pcm = pcmOf("hello.wav");
  audio.push(pcm.subarray(0, 32_000)); // the first second: "Hello world." starts at 20 ms
  t.equal(audio.heardSpeech, true);
  t.equal(audio.audioTicks, msToTicks(1000));
});

t.test("the segmentation silence option reaches the detector: a 2 s silence joins the two utterances", async (t) => {
  const heard = hear(pcmOf("two-utterances.wav"), [3200], new TurnAudio({ segmentationSilenceMs: 2000 }));
  t.equal(heard.segments.length, 1);
});

t.test("no audio at all: no segment, no ticks, the hash of nothing", async (t) => {
  const heard = new TurnAudio({}).end();
  t.strictSame(heard, { segments: [], audioTicks: 0, sha256: createHash("sha256").digest("hex") });
});

t.test("an odd trailing byte is hashed but is not a sample", async (t) => {
  const audio = new TurnAudio({});
  audio.push(new Uint8Array([1, 2, 3]));
  const heard = audio.end();
  t.equal(heard.audioTicks, 625);
  t.equal(
    heard.sha256,
    createHash("sha256")
      .update(new Uint8Array([1, 2, 3]))
      .digest("hex"),
  );
});

t.test("the JavaScript SHA-256 and a node:crypto hash give the same hex digest over the same chunks", async (t) => {
  for (const name of ["hello.wav", "silence.wav"]) {
    const pcm = pcmOf(name);
    const js = jsSha256();
    const native = nodeStyleHasher(createHash("sha256"));
    for (let at = 0; at < pcm.length; at += 1000) {
      js.update(pcm.subarray(at, at + 1000));
      native.update(pcm.subarray(at, at + 1000));
    }
    const digest = js.hex();
    t.match(digest, /^[0-9a-f]{64}$/, name);
    t.equal(native.hex(), digest, name);
  }
});
