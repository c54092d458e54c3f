/**
 * The fingerprints in fixtures/transcripts.json are what the clips in fixtures/audio give today:
 * recomputed from the WAV files, so a change to the fingerprint or to a clip cannot leave them
 * stale. `speechmock hash --json fixtures/audio/<clip>.wav` prints the new ones.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import raw from "../../fixtures/transcripts.json" with { type: "json" };
import { root } from "../../test/support/spawn.ts";
import { RIFF_HEADER_BYTES } from "../protocol/riff.ts";
import { fingerprintsOfClip, parseFingerprint } from "../stt/fingerprint.ts";
import { builtinTranscripts } from "./builtin.ts";
import { phraseForFingerprint } from "./lookup.ts";

for (const [sha, entry] of Object.entries(raw.transcripts)) {
  t.test(`${entry.clip}: each phrase carries its utterance's fingerprint, in order`, async (t) => {
    const pcm = new Uint8Array(readFileSync(`${root}fixtures/${entry.clip}`)).subarray(RIFF_HEADER_BYTES);
    const utterances = fingerprintsOfClip(pcm);
    t.equal(utterances.length, entry.phrases.length, `${sha}: one utterance per phrase`);
    t.same(
      entry.phrases.map((p) => p.fingerprint),
      utterances.map((u) => u.fingerprint),
    );
  });
}

t.test("the built-in transcripts find each phrase by its fingerprint", async (t) => {
  const transcripts = builtinTranscripts();
  t.equal(transcripts.byFingerprint.size, 5);
  for (const entry of Object.values(raw.transcripts)) {
    for (const phrase of entry.phrases) {
      t.equal(phraseForFingerprint(transcripts, parseFingerprint(phrase.fingerprint))?.phrase.display, phrase.display);
    }
  }
});
