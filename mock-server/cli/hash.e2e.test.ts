/**
 * `speechmock hash`: the keys a transcripts file needs for a clip, from the real command on both
 * runtimes. The hashes must be the built-in transcripts' keys, which the SDK tests prove are what
 * the SDK streams, and the fingerprints those of the built-in phrases.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { root, runCommand, runtimes } from "../../test/support/spawn.ts";

const transcripts = JSON.parse(readFileSync(`${root}fixtures/transcripts.json`, "utf8")) as {
  transcripts: Record<string, { clip: string; phrases: { fingerprint: string }[] }>;
};
const scripted = Object.entries(transcripts.transcripts).map(([sha, { clip, phrases }]) => ({
  sha,
  file: `fixtures/${clip}`,
  fingerprints: phrases.map((p) => p.fingerprint),
}));
/** SHA-256 of 2 s of zeros: silence.wav is not scripted. */
const silenceSha = "4f7988030a00d082fe445e00a2ac5dab502300ff1b80e8592dd569867b60ef74";
/** The clip lines: those not indented (the utterance lines under each are). */
const clipLines = (stdout: string) => stdout.split("\n").filter((l) => /^\S/.test(l));

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    t.test("prints each clip's PCM hash, the transcripts file's key for it", async (t) => {
      const result = await runCommand(runtime, ["hash", ...scripted.map((s) => s.file)]);
      t.equal(result.code, 0, result.stderr);
      const lines = clipLines(result.stdout);
      t.same(
        lines.map((l) => l.split("  ").slice(0, 2)),
        scripted.map((s) => [s.sha, s.file]),
      );
      t.match(lines[0], /\(\d+\.\d\d s\)$/);
    });

    t.test("a file that is not a usable clip exits 2, naming it, after hashing the good ones", async (t) => {
      const result = await runCommand(runtime, ["hash", "fixtures/subscriptions.json", "no-such.wav", "fixtures/audio/hello.wav"]);
      t.equal(result.code, 2);
      t.match(result.stderr, 'speechmock: fixtures/subscriptions.json: not a WAV file: expected "RIFF" and "WAVE"');
      t.match(result.stderr, 'speechmock: Cannot read audio file "no-such.wav": ENOENT');
      t.match(result.stdout, /^e3a911a786e9745f12174a5aedca2e40d885d97583187f2eaeb14b18e48c1362 {2}fixtures\/audio\/hello\.wav/);
    });

    t.test("under each clip's line, one indented line per utterance with its span and fingerprint", async (t) => {
      const result = await runCommand(runtime, ["hash", "fixtures/audio/two-utterances.wav", "fixtures/audio/silence.wav"]);
      t.equal(result.code, 0, result.stderr);
      const two = scripted.find((s) => s.file.endsWith("two-utterances.wav"));
      t.same(result.stdout.trimEnd().split("\n"), [
        `${two?.sha}  fixtures/audio/two-utterances.wav  (4.61 s)`,
        `  utterance 1  0.04-0.92 s  ${two?.fingerprints[0]}`,
        `  utterance 2  2.72-4.32 s  ${two?.fingerprints[1]}`,
        `${silenceSha}  fixtures/audio/silence.wav  (2.00 s)`,
        "  no speech",
      ]);
    });

    t.test("--json prints one object per clip: its file, hash and utterances, as a transcripts file keys them", async (t) => {
      const result = await runCommand(runtime, ["hash", "--json", ...scripted.map((s) => s.file), "fixtures/audio/silence.wav"]);
      t.equal(result.code, 0, result.stderr);
      const objects = result.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { file: string; sha256: string; utterances: { start: number; end: number; fingerprint: string }[] });
      t.same(
        objects.map((o) => ({ file: o.file, sha: o.sha256, fingerprints: o.utterances.map((u) => u.fingerprint) })),
        [...scripted, { file: "fixtures/audio/silence.wav", sha: silenceSha, fingerprints: [] }],
      );
      t.same(
        objects.find((o) => o.file.endsWith("two-utterances.wav"))?.utterances.map((u) => [u.start, u.end]),
        [
          [0.04, 0.92],
          [2.72, 4.32],
        ],
        "spans in seconds",
      );
    });

    t.test("no file, or a serve flag, is a usage error", async (t) => {
      const none = await runCommand(runtime, ["hash"]);
      t.equal(none.code, 2);
      t.match(none.stderr, "Missing file. Expected hash <file.wav>...");
      const flag = await runCommand(runtime, ["hash", "--port", "1", "x.wav"]);
      t.equal(flag.code, 2);
      t.match(flag.stderr, "Flag --port does not apply to hash");
      const json = await runCommand(runtime, ["serve", "--json"]);
      t.equal(json.code, 2);
      t.match(json.stderr, "Flag --json does not apply to serve");
    });
  });
}
