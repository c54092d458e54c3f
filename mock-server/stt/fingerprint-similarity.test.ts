import { readFileSync } from "node:fs";
import t from "tap";
import { root } from "../../test/support/spawn.ts";
import { type Fingerprint, fingerprintsOfClip, parseFingerprint, UtteranceFeatures } from "./fingerprint.ts";
import { fingerprintSimilarity, prefixSimilarity } from "./fingerprint-similarity.ts";

const weather = new Uint8Array(readFileSync(`${root}fixtures/audio/weather.wav`)).subarray(44);
const whole = parseFingerprint(fingerprintsOfClip(weather)[0]?.fingerprint);
const first = (fp: Fingerprint, frames: number): Fingerprint => ({
  frames,
  level: fp.level.subarray(0, frames),
  tilt: fp.tilt.subarray(0, frames),
  band: fp.band.subarray(0, frames),
});

t.test("an utterance scores 1 against itself", async (t) => {
  t.equal(fingerprintSimilarity(whole, whole), 1);
});

t.test("lengths differing by more than 20% score 0, whatever the audio", async (t) => {
  t.ok(fingerprintSimilarity(first(whole, Math.ceil(whole.frames * 0.81)), whole) > 0);
  t.equal(fingerprintSimilarity(first(whole, Math.floor(whole.frames * 0.79)), whole), 0);
  t.equal(fingerprintSimilarity(whole, first(whole, Math.floor(whole.frames * 0.79))), 0, "either way round");
});

t.test("a steady sound has no shape to correlate: it scores 0, not NaN", async (t) => {
  const flat: Fingerprint = { frames: 50, level: new Uint8Array(50), tilt: new Uint8Array(50).fill(20), band: new Uint8Array(50).fill(30) };
  t.equal(fingerprintSimilarity(flat, flat), 0);
  t.equal(fingerprintSimilarity(flat, first(whole, 50)), 0);
});

t.test("the start of an utterance scores 1 as its prefix, however short", async (t) => {
  for (const frames of [10, 30, 100, whole.frames]) t.equal(prefixSimilarity(first(whole, frames), whole), 1, `${frames} frames`);
});

t.test("a prefix is the start: the same audio taken from the middle scores low", async (t) => {
  const features = new UtteranceFeatures();
  features.push(weather);
  const middle = features.fingerprint(8_000_000, 14_000_000);
  const score = prefixSimilarity(middle, whole);
  t.ok(score < 0.5, `0.8 to 1.4 s against the start: ${score.toFixed(3)}`);
});

t.test("a partial utterance more than 20% longer than the whole is not its prefix", async (t) => {
  t.ok(prefixSimilarity(first(whole, 120), first(whole, 100)) > 0.9, "20% longer: the whole may have been cut short");
  t.equal(prefixSimilarity(first(whole, 121), first(whole, 100)), 0);
});
