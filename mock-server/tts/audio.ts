/**
 * Coding synthesized PCM into an output format: 16-bit little-endian PCM, G.711 mu-law or A-law,
 * and the 44-byte RIFF header the `riff-*` formats start with. Pure.
 */
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
      throw new Error(`Cannot encode ${format.name}: speechmock makes only PCM, mu-law and A-law audio`);
  }
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
