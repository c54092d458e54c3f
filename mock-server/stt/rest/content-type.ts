/**
 * The REST API's `Content-Type`, read leniently: clients have sent `codec` (the 2017 samples) and
 * `codecs` (today's documentation), quoted and not, in any case and spacing
 * (tts-and-timing.md 4.1 and 4.2). Two containers are accepted: WAV with 16 kHz, 16-bit, mono
 * PCM, and Ogg with Opus.
 */

export type AudioContainer = "wav" | "ogg";

export type ContentTypeResult = { ok: true; container: AudioContainer } | { ok: false; detail: string };

/** What a refusal says was expected. */
export const expectedContentTypes = '"audio/wav; codecs=audio/pcm; samplerate=16000" or "audio/ogg; codecs=opus"';

const wavTypes = new Set(["audio/wav", "audio/wave", "audio/x-wav", "audio/vnd.wave"]);
const pcmCodecs = new Set(["audio/pcm", "pcm", "audio/l16"]);

/** `name=value` parameters, names lower-cased, values unquoted and lower-cased. */
function parameters(parts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).trim();
    if (name !== "" && !out.has(name)) out.set(name, value.toLowerCase());
  }
  return out;
}

const quote = (value: string): string => JSON.stringify(value.slice(0, 120));

/** Which container a request's `Content-Type` announces, or why it is refused. */
export function parseAudioContentType(value: string | undefined | null): ContentTypeResult {
  if (value === undefined || value === null || value.trim() === "") {
    return { ok: false, detail: `Missing Content-Type: expected ${expectedContentTypes}` };
  }
  const [type = "", ...rest] = value.split(";");
  const media = type.trim().toLowerCase();
  const params = parameters(rest);
  const refuse = (why: string): ContentTypeResult => ({
    ok: false,
    detail: `Unsupported Content-Type ${quote(value)}: ${why}; expected ${expectedContentTypes}`,
  });
  const rate = params.get("samplerate") ?? params.get("rate");
  if (rate !== undefined && rate !== "16000") return refuse(`sample rate ${quote(rate)}, only 16000 is accepted`);
  const codec = params.get("codecs") ?? params.get("codec");
  if (wavTypes.has(media)) {
    if (codec !== undefined && !pcmCodecs.has(codec)) return refuse(`codec ${quote(codec)} in a WAV file, only audio/pcm is accepted`);
    return { ok: true, container: "wav" };
  }
  if (media === "audio/ogg") {
    if (codec !== undefined && codec !== "opus") return refuse(`codec ${quote(codec)} in an Ogg file, only opus is accepted`);
    return { ok: true, container: "ogg" };
  }
  return refuse(`media type ${quote(media)}`);
}
