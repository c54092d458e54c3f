import { exitCodeOf, MockError } from "../errors.ts";
import { fingerprintsOfClip } from "../stt/fingerprint.ts";
import { ticksPerSecond } from "../stt/ticks.ts";
import { pcmSha256 } from "../transcripts/lookup.ts";
import { readWavPcm } from "../transcripts/wav-file.ts";

/** What `hash` needs from the runtime: a narrow slice of the CLI host. */
export interface HashHost {
  readFile(path: string): Promise<Uint8Array>;
  stdout(line: string): void;
  stderr(line: string): void;
}

const seconds = (ticks: number): number => ticks / ticksPerSecond;

/**
 * `hash`: a clip's keys in a transcripts file. Per clip, a `sha256sum`-style line (the key of the
 * whole clip, which scripts and the README rely on) and one indented line per utterance with its
 * fingerprint (the key of a phrase); or, with `--json`, one JSON object per clip. Every file is
 * read even after one fails; the exit status is that of the last failure.
 */
export async function hashClips(host: HashHost, files: readonly string[], json: boolean): Promise<number> {
  let failed: MockError | undefined;
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await host.readFile(file);
    } catch (err) {
      const reason = (err as { code?: string }).code ?? (err as Error).name;
      failed = new MockError("ERR_FIXTURE_UNREADABLE", `Cannot read audio file ${JSON.stringify(file)}: ${reason}`);
      host.stderr(`speechmock: ${failed.message}`);
      continue;
    }
    const wav = readWavPcm(bytes);
    if (!wav.ok) {
      failed = new MockError("ERR_FIXTURE_INVALID", `${file}: ${wav.problem}`);
      host.stderr(`speechmock: ${failed.message}`);
      continue;
    }
    const sha256 = await pcmSha256(wav.pcm);
    const utterances = fingerprintsOfClip(wav.pcm).map((u) => ({
      start: seconds(u.startTicks),
      end: seconds(u.endTicks),
      fingerprint: u.fingerprint,
    }));
    if (json) {
      host.stdout(JSON.stringify({ file, sha256, utterances }));
      continue;
    }
    host.stdout(`${sha256}  ${file}  (${(wav.durationMs / 1000).toFixed(2)} s)`);
    if (utterances.length === 0) host.stdout("  no speech");
    for (const [i, u] of utterances.entries()) {
      host.stdout(`  utterance ${i + 1}  ${u.start.toFixed(2)}-${u.end.toFixed(2)} s  ${u.fingerprint}`);
    }
  }
  return failed ? exitCodeOf(failed.code) : 0;
}
