import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import t from "tap";
import { padded, withGain } from "../../test/support/audio-transforms.ts";
import { root } from "../../test/support/spawn.ts";
import { fingerprintsOfClip, parseFingerprint, UtteranceFeatures } from "../stt/fingerprint.ts";
import { parseTranscripts } from "./load.ts";
import { pcmSha256, phraseForFingerprint, phrasePrefix, transcriptFor } from "./lookup.ts";

t.test('pcmSha256 gives the FIPS 180-2 digest of "abc" in lower-case hex', async (t) => {
  t.equal(await pcmSha256(new TextEncoder().encode("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

t.test("pcmSha256 hashes only the bytes of a view, not its whole buffer", async (t) => {
  const wav = new Uint8Array(1000).map((_, i) => (i * 7919) % 251);
  const pcm = wav.subarray(44);
  const expected = createHash("sha256").update(pcm).digest("hex");
  t.equal(await pcmSha256(pcm), expected);
  t.not(await pcmSha256(wav), expected);
});

t.test("pcmSha256 accepts bytes backed by a SharedArrayBuffer", async (t) => {
  const shared = new Uint8Array(new SharedArrayBuffer(3));
  shared.set([0x61, 0x62, 0x63]);
  t.equal(await pcmSha256(shared), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

const sha = "a".repeat(64);
const phrase = { display: "Hi.", lexical: "hi", itn: "hi", maskedItn: "hi" };
const file = (fallback?: unknown) =>
  parseTranscripts(JSON.stringify({ ...(fallback ? { fallback } : {}), transcripts: { [sha]: { phrases: [phrase] } } }), "f");

t.test("a scripted hash gives its phrases, whatever the case of its hex", async (t) => {
  t.same(transcriptFor(file(), sha), { kind: "phrases", phrases: [phrase] });
  t.same(transcriptFor(file(), sha.toUpperCase()), { kind: "phrases", phrases: [phrase] });
});

t.test("an unknown hash gives the fallback", async (t) => {
  t.same(transcriptFor(file(), "b".repeat(64)), { kind: "noMatch" });
  t.same(transcriptFor(file({ kind: "text", text: "Pardon?" }), "b".repeat(64)), { kind: "text", text: "Pardon?" });
});

t.test("fingerprints", async (t) => {
  const pcm = new Uint8Array(readFileSync(`${root}fixtures/audio/weather.wav`)).subarray(44);
  const [utterance] = fingerprintsOfClip(pcm);
  const weather = { ...phrase, display: "Weather?", fingerprint: utterance?.fingerprint };
  const scripted = parseTranscripts(JSON.stringify({ transcripts: { [sha]: { phrases: [phrase, weather] } } }), "f");

  t.test("a phrase is found by the fingerprint of its utterance, heard louder and later", async (t) => {
    const [louder] = fingerprintsOfClip(withGain(padded(pcm, 7, 5000), 1.5));
    const found = phraseForFingerprint(scripted, parseFingerprint(louder?.fingerprint));
    t.equal(found?.phrase.display, "Weather?");
    t.ok((found?.score ?? 0) > 0.9, `score ${found?.score}`);
  });

  t.test("a phrase is found by its start while it is still spoken, with the share heard", async (t) => {
    const features = new UtteranceFeatures();
    features.push(pcm);
    const start = utterance?.startTicks ?? 0;
    const found = phrasePrefix(scripted, features.fingerprint(start, start + 10_000_000));
    t.equal(found?.phrase.display, "Weather?");
    t.ok(Math.abs((found?.fraction ?? 0) - 1 / 2.06) < 0.05, `fraction ${found?.fraction}`);
    t.equal(phrasePrefix(scripted, features.fingerprint(start, start + 2_000_000)), undefined, "200 ms is too soon to tell");
  });

  t.test("a file without fingerprints finds nothing by them", async (t) => {
    t.equal(file().byFingerprint.size, 0);
    t.equal(phraseForFingerprint(file(), parseFingerprint(utterance?.fingerprint)), undefined);
  });
});
