/**
 * The synthesis output formats (tts-and-timing.md 1.3): every name the docs or the SDK know, with
 * its container, rate, bits, codec and the Content-Type the mock answers with (1.5, UNCONFIRMED
 * there: `audio/x-wav` for RIFF, `audio/mpeg` for MP3, `audio/ogg`, `audio/webm`, else
 * `application/octet-stream`). Made: PCM, G.711, MP3, Opus in Ogg and WebM (tts/encoders/); the
 * others are refused, each with the reason it is not made.
 */

/** How the audio is wrapped: a 44-byte RIFF header, nothing, or a compressed stream's own container. */
export type Container = "riff" | "raw" | "mp3" | "ogg" | "webm" | "opus" | "silk" | "amr" | "siren" | "flac" | "g722" | "ssml";

/** How each sample is coded. `pcm`, `mulaw`, `alaw`, `mp3` and `opus` (in Ogg or WebM) are generated. */
export type Codec = "pcm" | "mulaw" | "alaw" | "mp3" | "opus" | "silk" | "siren" | "amr-wb" | "flac" | "g722" | "ssml";

export interface OutputFormat {
  /** The `X-Microsoft-OutputFormat` value, lower case as documented. */
  name: string;
  container: Container;
  sampleRate: number;
  /** Bits per coded sample: 16 for PCM, 8 for G.711; 16 as the spec's table says for the rest. */
  bitsPerSample: number;
  codec: Codec;
  /**
   * Kilobits per second of a compressed codec: the name's, else (Ogg and WebM Opus) the SDK's byte
   * rate for the name times 8 (SDK AudioOutputFormat; spec 1.3's B/s column), the rate the encoder is set to.
   */
  kbps?: number;
  contentType: string;
  /** True when speechmock makes this audio; false when it refuses the format (then `refusal` says why). */
  generated: boolean;
  /** Why a format is not made, and what to ask for instead: the end of `unsupportedFormatReason`. */
  refusal?: string;
}

const octet = "application/octet-stream";

const pcm = (name: string, container: "riff" | "raw", sampleRate: number): OutputFormat => ({
  name,
  container,
  sampleRate,
  bitsPerSample: 16,
  codec: "pcm",
  contentType: container === "riff" ? "audio/x-wav" : octet,
  generated: true,
});

const g711 = (container: "riff" | "raw", codec: "mulaw" | "alaw"): OutputFormat => ({
  name: `${container}-8khz-8bit-mono-${codec}`,
  container,
  sampleRate: 8000,
  bitsPerSample: 8,
  codec,
  contentType: container === "riff" ? "audio/x-wav" : octet,
  generated: true,
});

/** A compressed format: made when `refusal` is undefined, else refused with it. */
const packed = (
  name: string,
  container: Container,
  codec: Codec,
  sampleRate: number,
  contentType: string,
  kbps: number | undefined,
  refusal?: string,
): OutputFormat => ({
  name,
  container,
  sampleRate,
  bitsPerSample: 16,
  codec,
  ...(kbps === undefined ? {} : { kbps }),
  contentType,
  generated: refusal === undefined,
  ...(refusal === undefined ? {} : { refusal }),
});

// Why each refused family is not made. No maintained encoder library that runs on both Node and
// Deno exists for SILK, AMR-WB, Siren (G.722.1) or G.722; FLAC would need one too (its SDK-only
// names are lossless PCM anyway); bare Opus needs framing the spec could not confirm.
const bareOpus = (container: string) =>
  `the service's framing of bare Opus frames is unconfirmed, and Opus frames without a container cannot be decoded; ask for ${container}`;
const noEncoder = (codec: string, instead: string) => `no maintained ${codec} encoder runs on both Node and Deno; ask for ${instead}`;

/** `-24khz-` / `-22050hz-` in a name, in hertz. */
const rateOf = (tag: string): number => (tag.endsWith("khz") ? Number(tag.slice(0, -3)) * 1000 : Number(tag.slice(0, -2)));

const list: OutputFormat[] = [
  g711("raw", "mulaw"),
  g711("raw", "alaw"),
  g711("riff", "mulaw"),
  g711("riff", "alaw"),
  ...["8khz", "16khz", "22050hz", "24khz", "44100hz", "48khz"].flatMap((tag) => [
    pcm(`raw-${tag}-16bit-mono-pcm`, "raw", rateOf(tag)),
    pcm(`riff-${tag}-16bit-mono-pcm`, "riff", rateOf(tag)),
  ]),
  ...(
    [
      [16, 32],
      [16, 64],
      [16, 128],
      [24, 48],
      [24, 96],
      [24, 160],
      [48, 96],
      [48, 192],
    ] as const
  ).map(([k, kbps]) => packed(`audio-${k}khz-${kbps}kbitrate-mono-mp3`, "mp3", "mp3", k * 1000, "audio/mpeg", kbps)),
  // The SDK's byte rates: 8192, 8192 and 12000 B/s for Ogg; 4000, 6000 and 3000 for WebM.
  ...(
    [
      [16, 64],
      [24, 64],
      [48, 96],
    ] as const
  ).map(([k, kbps]) => packed(`ogg-${k}khz-16bit-mono-opus`, "ogg", "opus", k * 1000, "audio/ogg", kbps)),
  packed("webm-16khz-16bit-mono-opus", "webm", "opus", 16000, "audio/webm", 32),
  packed("webm-24khz-16bit-mono-opus", "webm", "opus", 24000, "audio/webm", 48),
  packed("webm-24khz-16bit-24kbps-mono-opus", "webm", "opus", 24000, "audio/webm", 24),
  packed("audio-16khz-16bit-32kbps-mono-opus", "opus", "opus", 16000, octet, 32, bareOpus("ogg-16khz-16bit-mono-opus")),
  packed("audio-24khz-16bit-48kbps-mono-opus", "opus", "opus", 24000, octet, 48, bareOpus("ogg-24khz-16bit-mono-opus")),
  packed("audio-24khz-16bit-24kbps-mono-opus", "opus", "opus", 24000, octet, 24, bareOpus("webm-24khz-16bit-24kbps-mono-opus")),
  packed("raw-16khz-16bit-mono-truesilk", "silk", "silk", 16000, octet, undefined, noEncoder("SILK", "raw-16khz-16bit-mono-pcm")),
  packed("raw-24khz-16bit-mono-truesilk", "silk", "silk", 24000, octet, undefined, noEncoder("SILK", "raw-24khz-16bit-mono-pcm")),
  packed("amr-wb-16000hz", "amr", "amr-wb", 16000, octet, undefined, noEncoder("AMR-WB", "ogg-16khz-16bit-mono-opus")),
  packed("audio-16khz-16kbps-mono-siren", "siren", "siren", 16000, octet, 16, noEncoder("Siren", "raw-16khz-16bit-mono-pcm")),
  packed("riff-16khz-16kbps-mono-siren", "riff", "siren", 16000, "audio/x-wav", 16, noEncoder("Siren", "riff-16khz-16bit-mono-pcm")),
  packed(
    "ssml-16khz-16bit-mono-tts",
    "ssml",
    "ssml",
    16000,
    octet,
    undefined,
    "its container (SSML with audio segments) is undocumented; ask for riff-16khz-16bit-mono-pcm",
  ),
  packed(
    "audio-24khz-16bit-mono-flac",
    "flac",
    "flac",
    24000,
    octet,
    undefined,
    noEncoder("FLAC", "riff-24khz-16bit-mono-pcm (lossless too)"),
  ),
  packed(
    "audio-48khz-16bit-mono-flac",
    "flac",
    "flac",
    48000,
    octet,
    undefined,
    noEncoder("FLAC", "riff-48khz-16bit-mono-pcm (lossless too)"),
  ),
  packed("g722-16khz-64kbps", "g722", "g722", 16000, octet, 64, noEncoder("G.722", "riff-16khz-16bit-mono-pcm")),
];

/** Every documented output format by name. */
export const outputFormats: ReadonlyMap<string, OutputFormat> = new Map(list.map((f) => [f.name, f]));

/**
 * The format a header names, or `undefined`. Matched without regard to case (the SDK sends the
 * documented lower case; whether the service is case-blind is unconfirmed, and accepting is kinder).
 */
export function outputFormatNamed(name: string | undefined): OutputFormat | undefined {
  if (name === undefined) return undefined;
  return outputFormats.get(name.trim().toLowerCase());
}

/** Bytes of coded audio per second of a PCM or G.711 format (the data of a RIFF file, or the whole of a raw stream). */
export const bytesPerSecond = (f: OutputFormat): number => (f.sampleRate * f.bitsPerSample) / 8;

/** The one-line refusal for a format speechmock knows but does not make: the format, and why. */
export const unsupportedFormatReason = (f: OutputFormat): string =>
  `speechmock cannot make ${f.name} audio: ${f.refusal ?? "it is not one speechmock makes"}`;

/** Whether a format's samples are coded one by one (PCM, G.711: sliced anywhere on a sample), not as a compressed stream. */
export const isSampleCodec = (f: OutputFormat): boolean => f.codec === "pcm" || f.codec === "mulaw" || f.codec === "alaw";
