/**
 * Coding synthesized PCM into an output format: 16-bit little-endian PCM, G.711 mu-law or A-law
 * here, MP3 and Opus by the encoders in encoders/ (loaded when first asked for); and the 44-byte
 * RIFF header the `riff-*` formats start with.
 */
import { mp3Stream } from "./encoders/mp3.ts";
import { opusStream } from "./encoders/opus-stream.ts";
import type { OutputFormat } from "./formats.ts";
import { encodeAlaw, encodeMulaw } from "./g711.ts";

/** The bytes of a 16-bit PCM block, little endian whatever the platform. */
export function pcmBytes(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i] as number, true);
  return out;
}

/** Codes a block of samples (at the format's rate) in the format's codec; headerless. */
export function encodeSamples(format: OutputFormat, pcm: Int16Array): Uint8Array {
  switch (format.codec) {
    case "pcm":
      return pcmBytes(pcm);
    case "mulaw":
      return encodeMulaw(pcm);
    case "alaw":
      return encodeAlaw(pcm);
    default:
      throw new Error(`Cannot encode ${format.name} sample by sample: it is not PCM, mu-law or A-law`);
  }
}

/**
 * The audio of `pcm` (samples at the format's rate) coded in the format, headerless (no RIFF
 * header even for `riff-*`; a compressed format's own container included), `chunkMs` of samples
 * coded at a time: each piece as soon as it is coded, so a stream sends it at once. Async because
 * the compressed encoders load lazily and their muxer answers with promises.
 */
export function codedChunks(format: OutputFormat, pcm: Int16Array, chunkMs: number): AsyncGenerator<Uint8Array> {
  const blockSamples = Math.max(1, Math.round((format.sampleRate * chunkMs) / 1000));
  if (format.codec === "mp3") return mp3Stream(pcm, format.sampleRate, format.kbps as number, blockSamples);
  if (format.codec === "opus" && (format.container === "ogg" || format.container === "webm")) {
    return opusStream(format.container, pcm, format.sampleRate, format.kbps as number, blockSamples);
  }
  return sampleChunks(format, pcm, blockSamples);
}

async function* sampleChunks(format: OutputFormat, pcm: Int16Array, blockSamples: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < pcm.length; at += blockSamples) yield encodeSamples(format, pcm.subarray(at, at + blockSamples));
}

/** WAVE format tags: PCM 1, A-law 6, mu-law 7. */
const formatTag = { pcm: 1, alaw: 6, mulaw: 7 } as const;

/**
 * The 44-byte RIFF/WAVE header for `dataBytes` of audio in `format` (PCM, A-law or mu-law, mono):
 * `RIFF`, size, `WAVE`, a 16-byte `fmt ` chunk, then the `data` chunk's header.
 */
export function riffHeaderFor(format: OutputFormat, dataBytes: number): Uint8Array {
  const tag = formatTag[format.codec as keyof typeof formatTag];
  if (tag === undefined) throw new Error(`Cannot write a RIFF header for ${format.name}`);
  const out = new Uint8Array(44);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  const blockAlign = format.bitsPerSample / 8;
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, tag, true);
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return out;
}
