/**
 * The PCM of a WAV file as the Speech SDK streams it (`AudioConfig.fromWavFileInput`): the SDK
 * finds the `data` chunk and sends every byte after its header to the end of the file. Hashing
 * the same bytes gives the key a transcripts file needs for the clip.
 */
import { speechPcmFormat } from "../protocol/riff.ts";
import { samplesPerMs } from "../stt/ticks.ts";

export type WavPcm =
  | { readonly ok: true; readonly pcm: Uint8Array; readonly durationMs: number }
  | { readonly ok: false; readonly problem: string };

const fourCC = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));

export function readWavPcm(bytes: Uint8Array): WavPcm {
  if (bytes.length < 12 || fourCC(bytes, 0) !== "RIFF" || fourCC(bytes, 8) !== "WAVE") {
    return { ok: false, problem: 'not a WAV file: expected "RIFF" and "WAVE" in its first 12 bytes' };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmtSeen = false;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = fourCC(bytes, at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      if (size < 16 || at + 24 > bytes.length)
        return { ok: false, problem: `the fmt chunk at byte ${at} is ${size} bytes, expected at least 16` };
      const format = view.getUint16(at + 8, true);
      const channels = view.getUint16(at + 10, true);
      const rate = view.getUint32(at + 12, true);
      const bits = view.getUint16(at + 22, true);
      const wanted = speechPcmFormat;
      if (format !== wanted.audioFormat || channels !== wanted.numChannels || rate !== wanted.sampleRate || bits !== wanted.bitsPerSample) {
        return {
          ok: false,
          problem: `expected 16 kHz, 16-bit, mono integer PCM, found format ${format}, ${channels} channel(s), ${rate} Hz, ${bits}-bit`,
        };
      }
      fmtSeen = true;
    } else if (id === "data") {
      if (!fmtSeen) return { ok: false, problem: "the data chunk comes before any fmt chunk" };
      const pcm = bytes.subarray(at + 8);
      return { ok: true, pcm, durationMs: Math.floor(pcm.length / 2 / samplesPerMs) };
    }
    at += 8 + size + (size % 2); // chunks are padded to an even length
  }
  return { ok: false, problem: fmtSeen ? "no data chunk" : "no fmt chunk" };
}
