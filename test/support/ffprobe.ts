/**
 * ffprobe, Debian's decoder front end, as the judge of audio the mock makes: what it reads in a
 * file's streams and how long it finds it. Tests that need it fail without it under CI (which
 * installs it, .ci/run), and only note its absence elsewhere.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ffprobeInstalled = spawnSync("sh", ["-c", "command -v ffprobe"]).status === 0;

/** Without ffprobe: a failure in CI, a comment elsewhere. */
export function noFfprobe(t: { fail(message: string): void; comment(message: string): void }): void {
  if (process.env.CI) t.fail("ffprobe is not installed, and CI must run the decode checks");
  else t.comment("ffprobe is not installed: its decode check skipped");
}

export interface Probed {
  /** ffprobe's exit status: 0 when it read the file. */
  status: number | null;
  stderr: string;
  streams: { codec_name?: string; sample_rate?: string; channels?: number; bit_rate?: string }[];
  /** Seconds: the container's duration, else where the last packet ends (a live WebM has no duration). */
  seconds: number;
}

/** What ffprobe reads in `bytes`: streams, and the length from the container or the packets. Several may run at once. */
export async function probeAudio(bytes: Uint8Array): Promise<Probed> {
  const dir = await mkdtemp(join(tmpdir(), "speechmock-probe-"));
  try {
    const file = join(dir, "audio");
    await writeFile(file, bytes);
    const entries = "stream=codec_name,sample_rate,channels,bit_rate:format=duration:packet=pts_time,duration_time";
    const out = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile("ffprobe", ["-v", "error", "-show_entries", entries, "-of", "json", file], (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    if (out.status !== 0) return { status: out.status, stderr: out.stderr, streams: [], seconds: 0 };
    const json = JSON.parse(out.stdout) as {
      streams: Probed["streams"];
      format?: { duration?: string };
      packets?: { pts_time?: string; duration_time?: string }[];
    };
    const ends = (json.packets ?? []).map((p) => Number(p.pts_time ?? 0) + Number(p.duration_time ?? 0));
    const seconds = json.format?.duration !== undefined ? Number(json.format.duration) : Math.max(0, ...ends);
    return { status: 0, stderr: out.stderr, streams: json.streams, seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The input rate an Opus stream's identification header names (RFC 7845 5.1), in Ogg or WebM; undefined without one. */
export function opusHeadRate(bytes: Uint8Array): number | undefined {
  const at = Buffer.from(bytes).indexOf("OpusHead");
  if (at < 0 || at + 16 > bytes.length) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 12, true);
}
