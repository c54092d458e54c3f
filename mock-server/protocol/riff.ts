/**
 * The 44-byte canonical RIFF/WAVE header that starts a turn's audio. The service accepts 16 kHz,
 * 16-bit, mono PCM only. The SDK streams, so it writes RIFF size 0 and data size 0; both sizes are
 * accepted whatever their value. Field names are the canonical WAVE header's.
 */
import { ProtocolError } from "./errors.ts";

export const RIFF_HEADER_BYTES = 44;

export interface PcmFormat {
  /** 1: integer PCM. */
  readonly audioFormat: number;
  readonly numChannels: number;
  readonly sampleRate: number;
  readonly byteRate: number;
  readonly blockAlign: number;
  readonly bitsPerSample: number;
}

/** The one format the service accepts. */
export const speechPcmFormat: PcmFormat = Object.freeze({
  audioFormat: 1,
  numChannels: 1,
  sampleRate: 16_000,
  byteRate: 32_000,
  blockAlign: 2,
  bitsPerSample: 16,
});

export interface RiffHeader {
  readonly format: PcmFormat;
  /** As written; 0 from the SDK, which does not know the length of a stream. */
  readonly chunkSize: number;
  /** As written; 0 from the SDK. */
  readonly dataSize: number;
  /** Where the PCM samples start in the bytes parsed. */
  readonly dataOffset: typeof RIFF_HEADER_BYTES;
}

export type RiffField =
  | "length"
  | "ChunkID"
  | "Format"
  | "Subchunk1ID"
  | "Subchunk1Size"
  | "AudioFormat"
  | "NumChannels"
  | "SampleRate"
  | "ByteRate"
  | "BlockAlign"
  | "BitsPerSample"
  | "Subchunk2ID";

/** A `ProtocolError` with code `ERR_RIFF_INVALID` that names the field, the value found and the one expected. */
export interface RiffError extends ProtocolError {
  readonly code: "ERR_RIFF_INVALID";
  readonly problem: { readonly field: RiffField; readonly expected: string | number; readonly actual: string | number };
}

export type RiffResult = { readonly ok: true; readonly header: RiffHeader } | { readonly ok: false; readonly error: RiffError };

/** Reads the RIFF header at the start of `bytes` (anything after its 44 bytes is PCM and ignored). */
export const parseRiffHeader = (bytes: Uint8Array): RiffResult => {
  if (bytes.byteLength < RIFF_HEADER_BYTES) {
    return fail(
      "length",
      RIFF_HEADER_BYTES,
      bytes.byteLength,
      `${bytes.byteLength} bytes is shorter than the ${RIFF_HEADER_BYTES}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, RIFF_HEADER_BYTES);
  const tags: [RiffField, number, string][] = [
    ["ChunkID", 0, "RIFF"],
    ["Format", 8, "WAVE"],
    ["Subchunk1ID", 12, "fmt "],
  ];
  for (const [field, offset, expected] of tags) {
    const actual = fourCC(bytes, offset);
    if (actual !== expected) return fail(field, expected, actual);
  }
  const subchunk1Size = view.getUint32(16, true);
  if (subchunk1Size !== 16) return fail("Subchunk1Size", 16, subchunk1Size);
  const format: PcmFormat = {
    audioFormat: view.getUint16(20, true),
    numChannels: view.getUint16(22, true),
    sampleRate: view.getUint32(24, true),
    byteRate: view.getUint32(28, true),
    blockAlign: view.getUint16(32, true),
    bitsPerSample: view.getUint16(34, true),
  };
  const numbers: [RiffField, keyof PcmFormat][] = [
    ["AudioFormat", "audioFormat"],
    ["NumChannels", "numChannels"],
    ["SampleRate", "sampleRate"],
    ["ByteRate", "byteRate"],
    ["BlockAlign", "blockAlign"],
    ["BitsPerSample", "bitsPerSample"],
  ];
  for (const [field, key] of numbers) {
    if (format[key] !== speechPcmFormat[key]) return fail(field, speechPcmFormat[key], format[key]);
  }
  const subchunk2Id = fourCC(bytes, 36);
  if (subchunk2Id !== "data") return fail("Subchunk2ID", "data", subchunk2Id);
  return {
    ok: true,
    header: {
      format: speechPcmFormat,
      chunkSize: view.getUint32(4, true),
      dataSize: view.getUint32(40, true),
      dataOffset: RIFF_HEADER_BYTES,
    },
  };
};

/** The header the SDK writes for 16 kHz, 16-bit, mono PCM; sizes default to 0, as the SDK's do. */
export const writeRiffHeader = (sizes: { readonly chunkSize?: number; readonly dataSize?: number } = {}): Uint8Array => {
  const bytes = new Uint8Array(RIFF_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const f = speechPcmFormat;
  writeFourCC(bytes, 0, "RIFF");
  view.setUint32(4, sizes.chunkSize ?? 0, true);
  writeFourCC(bytes, 8, "WAVE");
  writeFourCC(bytes, 12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, f.audioFormat, true);
  view.setUint16(22, f.numChannels, true);
  view.setUint32(24, f.sampleRate, true);
  view.setUint32(28, f.byteRate, true);
  view.setUint16(32, f.blockAlign, true);
  view.setUint16(34, f.bitsPerSample, true);
  writeFourCC(bytes, 36, "data");
  view.setUint32(40, sizes.dataSize ?? 0, true);
  return bytes;
};

const fourCC = (bytes: Uint8Array, offset: number): string => String.fromCharCode(...bytes.subarray(offset, offset + 4));

const writeFourCC = (bytes: Uint8Array, offset: number, tag: string): void => {
  for (let i = 0; i < 4; i++) bytes[offset + i] = tag.charCodeAt(i);
};

const show = (value: string | number): string => (typeof value === "string" ? JSON.stringify(value) : `${value}`);

const fail = (field: RiffField, expected: string | number, actual: string | number, detail?: string): RiffResult => {
  const message = `Cannot parse RIFF header: ${detail ?? `${field} is ${show(actual)}, expected ${show(expected)}`}`;
  const error = new ProtocolError("ERR_RIFF_INVALID", message, { problem: { field, expected, actual } }) as RiffError;
  return { ok: false, error };
};
