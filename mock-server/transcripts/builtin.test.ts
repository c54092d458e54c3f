import { readdirSync, readFileSync, statSync } from "node:fs";
import t from "tap";
import raw from "../../fixtures/transcripts.json" with { type: "json" };
import { root } from "../../test/support/spawn.ts";
import { parseRiffHeader, RIFF_HEADER_BYTES, speechPcmFormat } from "../protocol/riff.ts";
import { builtinTranscripts } from "./builtin.ts";
import { pcmSha256, transcriptFor } from "./lookup.ts";

const dir = `${root}fixtures/audio`;

// What each clip says, written out here rather than read from the file under test. `null`: not scripted.
const expected: Record<string, readonly string[] | null> = {
  "hello.wav": ["Hello world."],
  "remind-me.wav": ["Remind me to buy 5 pencils."],
  "silence.wav": null,
  "two-utterances.wav": ["Turn on the lights.", "Set a timer for 10 minutes."],
  "weather.wav": ["What is the weather like in Seattle today?"],
};

const clips = readdirSync(dir)
  .filter((f) => f.endsWith(".wav"))
  .sort();
const read = (clip: string): Uint8Array => new Uint8Array(readFileSync(`${dir}/${clip}`));
const samples = (pcm: Uint8Array): Int16Array => new Int16Array(pcm.slice().buffer);

t.test("the built-in transcripts file parses, with a NoMatch fallback", async (t) => {
  const transcripts = builtinTranscripts();
  t.same(transcripts.fallback, { kind: "noMatch" });
  t.equal(transcripts.bySha256.size, 4);
});

t.test("every clip in fixtures/audio has an expected transcript in this test", async (t) => {
  t.same(clips, Object.keys(expected).sort());
});

for (const clip of clips) {
  t.test(`${clip} is 16 kHz, 16-bit, mono PCM with a canonical 44-byte header`, async (t) => {
    const wav = read(clip);
    const parsed = parseRiffHeader(wav);
    if (!parsed.ok) return t.fail(parsed.error.message);
    t.same(parsed.header.format, speechPcmFormat);
    t.equal(parsed.header.dataSize, wav.byteLength - RIFF_HEADER_BYTES, "the data chunk runs to the end of the file");
    t.equal(parsed.header.chunkSize, wav.byteLength - 8);
  });

  t.test(`${clip} hashed and looked up gives ${expected[clip] ? "its sentences" : "the fallback"}`, async (t) => {
    const sha = await pcmSha256(read(clip).subarray(RIFF_HEADER_BYTES));
    const transcript = transcriptFor(builtinTranscripts(), sha);
    const want = expected[clip];
    if (want === null || want === undefined) {
      t.same(transcript, { kind: "noMatch" });
    } else {
      t.equal(transcript.kind, "phrases");
      t.same(transcript.kind === "phrases" ? transcript.phrases.map((p) => p.display) : [], want);
    }
  });
}

t.test("every scripted hash belongs to a clip, and its `clip` field names that clip", async (t) => {
  const byHash = new Map<string, string>();
  for (const clip of clips) byHash.set(await pcmSha256(read(clip).subarray(RIFF_HEADER_BYTES)), clip);
  for (const [sha, entry] of Object.entries(raw.transcripts)) {
    t.equal(entry.clip, `audio/${byHash.get(sha)}`, sha);
  }
});

t.test("the spoken clips are not silent and silence.wav is 2 s of zeros", async (t) => {
  for (const clip of clips.filter((c) => c !== "silence.wav")) {
    const peak = samples(read(clip).subarray(RIFF_HEADER_BYTES)).reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    t.ok(peak > 3000, `${clip} peaks at ${peak}`);
  }
  const silence = samples(read("silence.wav").subarray(RIFF_HEADER_BYTES));
  t.equal(silence.length, 2 * 16_000);
  t.ok(
    silence.every((s) => s === 0),
    "every sample is 0",
  );
});

t.test("two-utterances.wav has at least 1.4 s of digital silence between speech", async (t) => {
  const s = samples(read("two-utterances.wav").subarray(RIFF_HEADER_BYTES));
  let longest = 0;
  let run = 0;
  let speechAfter = false;
  for (const sample of s) {
    run = sample === 0 ? run + 1 : 0;
    if (run > longest) longest = run;
    if (sample !== 0 && longest >= 1.4 * 16_000) speechAfter = true;
  }
  t.ok(longest >= 1.4 * 16_000, `longest run of zeros is ${longest / 16_000} s`);
  t.ok(speechAfter, "speech follows the gap");
});

t.test("the clips stay small (under 400 KB in all)", async (t) => {
  const total = clips.reduce((sum, c) => sum + statSync(`${dir}/${c}`).size, 0);
  t.ok(total < 400_000, `${total} bytes`);
});
