/**
 * `speechmock hash`: the key a transcripts file needs for a clip, from the real command on both
 * runtimes. The hashes must be the built-in transcripts' keys, which the SDK tests prove are what
 * the SDK streams.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { root, runCommand, runtimes } from "../testing/spawn.ts";

const transcripts = JSON.parse(readFileSync(`${root}fixtures/transcripts.json`, "utf8")) as {
  transcripts: Record<string, { clip: string }>;
};
const scripted = Object.entries(transcripts.transcripts).map(([sha, { clip }]) => ({ sha, file: `fixtures/${clip}` }));

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    t.test("prints each clip's PCM hash, the transcripts file's key for it", async (t) => {
      const result = await runCommand(runtime, ["hash", ...scripted.map((s) => s.file)]);
      t.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split("\n");
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

    t.test("no file, or a serve flag, is a usage error", async (t) => {
      const none = await runCommand(runtime, ["hash"]);
      t.equal(none.code, 2);
      t.match(none.stderr, "Missing file. Expected hash <file.wav>...");
      const flag = await runCommand(runtime, ["hash", "--port", "1", "x.wav"]);
      t.equal(flag.code, 2);
      t.match(flag.stderr, "Flag --port does not apply to hash");
    });
  });
}
