/**
 * The synthesis output formats (tts-and-timing.md 1.3): every name the docs or the SDK know, with
 * its container, rate, bits, codec and the Content-Type the mock answers with (1.5, UNCONFIRMED
 * there: `audio/x-wav` for RIFF, `audio/mpeg` for MP3, `audio/ogg`, `audio/webm`, else
 * `application/octet-stream`).
 */

/** How the audio is wrapped: a 44-byte RIFF header, nothing, or a compressed stream's own container. */
export type Container = "riff" | "raw" | "mp3" | "ogg" | "webm" | "opus" | "silk" | "amr" | "siren" | "flac" | "g722" | "ssml";

/** How each sample is coded. Only `pcm`, `mulaw` and `alaw` are generated. */
export type Codec = "pcm" | "mulaw" | "alaw" | "mp3" | "opus" | "silk" | "siren" | "amr-wb" | "flac" | "g722" | "ssml";

export interface OutputFormat {
  /** The `X-Microsoft-OutputFormat` value, lower case as documented. */
  name: string;
  container: Container;
  sampleRate: number;
  /** Bits per coded sample: 16 for PCM, 8 for G.711; 16 as the spec's table says for the rest. */
  bitsPerSample: number;
  codec: Codec;
  /** Kilobits per second of a compressed codec, where the name says it. */
  kbps?: number;
  contentType: string;
  /** True when speechmock makes this audio (PCM, mu-law, A-law); false when it refuses the format. */
  generated: boolean;
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

const packed = (
  name: string,
  container: Container,
  codec: Codec,
  sampleRate: number,
  contentType: string,
  kbps?: number,
): OutputFormat => ({
  name,
  container,
  sampleRate,
  bitsPerSample: 16,
  codec,
  ...(kbps === undefined ? {} : { kbps }),
  contentType,
  generated: false,
});

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
  ...[16, 24, 48].map((k) => packed(`ogg-${k}khz-16bit-mono-opus`, "ogg", "opus", k * 1000, "audio/ogg")),
  packed("webm-16khz-16bit-mono-opus", "webm", "opus", 16000, "audio/webm"),
  packed("webm-24khz-16bit-mono-opus", "webm", "opus", 24000, "audio/webm"),
  packed("webm-24khz-16bit-24kbps-mono-opus", "webm", "opus", 24000, "audio/webm", 24),
  packed("audio-16khz-16bit-32kbps-mono-opus", "opus", "opus", 16000, octet, 32),
  packed("audio-24khz-16bit-48kbps-mono-opus", "opus", "opus", 24000, octet, 48),
  packed("audio-24khz-16bit-24kbps-mono-opus", "opus", "opus", 24000, octet, 24),
  packed("raw-16khz-16bit-mono-truesilk", "silk", "silk", 16000, octet),
  packed("raw-24khz-16bit-mono-truesilk", "silk", "silk", 24000, octet),
  packed("amr-wb-16000hz", "amr", "amr-wb", 16000, octet),
  packed("audio-16khz-16kbps-mono-siren", "siren", "siren", 16000, octet, 16),
  packed("riff-16khz-16kbps-mono-siren", "riff", "siren", 16000, "audio/x-wav", 16),
  packed("ssml-16khz-16bit-mono-tts", "ssml", "ssml", 16000, octet),
  packed("audio-24khz-16bit-mono-flac", "flac", "flac", 24000, octet),
  packed("audio-48khz-16bit-mono-flac", "flac", "flac", 48000, octet),
  packed("g722-16khz-64kbps", "g722", "g722", 16000, octet, 64),
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

/** Bytes of coded audio per second (the data of a RIFF file, or the whole of a raw stream). */
export const bytesPerSecond = (f: OutputFormat): number => (f.sampleRate * f.bitsPerSample) / 8;

/** The one-line refusal for a format speechmock knows but does not make. */
export const unsupportedFormatReason = (f: OutputFormat): string =>
  `speechmock cannot make ${f.name} audio yet; use a PCM, mu-law or A-law format (riff-24khz-16bit-mono-pcm, raw-8khz-8bit-mono-mulaw, ...)`;
