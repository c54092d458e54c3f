/**
 * Opus packets with libopus compiled to WebAssembly (`opusscript`, MIT, libopus 1.4, loaded from
 * node_modules the first time Opus is asked for). WebAssembly on both runtimes, never a native
 * add-on, so the same samples give the same packets on Node and Deno.
 */
import { Buffer } from "node:buffer";
import type OpusScript from "opusscript";

/** Milliseconds of audio in a packet: 20, the usual frame for speech and what opusenc writes. */
export const frameMs = 20;

/**
 * The encoder's look-ahead in 48 kHz samples, which a decoder skips: 312 (2.5 ms + 4 ms) for the
 * `audio` application at every rate. opusscript cannot read it back (OPUS_GET_LOOKAHEAD needs a pointer).
 */
export const preSkip = 312;

/** OPUS_APPLICATION_AUDIO: the synthetic speech is tones, which the voice mode codes worse. */
const applicationAudio = 2049;

export interface OpusEncoder {
  /** Samples in one packet at the encoder's rate. */
  readonly frameSamples: number;
  /** Codes exactly `frameSamples` samples into one packet. */
  encode(frame: Int16Array): Uint8Array;
  /** Frees the encoder's WebAssembly memory. */
  close(): void;
}

let library: Promise<typeof OpusScript> | undefined;

/** A fresh encoder at a rate Opus takes (8, 12, 16, 24 or 48 kHz), mono, at `kbps`. */
export async function openOpusEncoder(sampleRate: number, kbps: number): Promise<OpusEncoder> {
  library ??= import("opusscript").then(
    (m) => m.default,
    (err: unknown) => {
      library = undefined; // not kept: the next request tries again
      throw err;
    },
  );
  const Opus = await library;
  const opus = new Opus(sampleRate as 48000, 1, applicationAudio as ConstructorParameters<typeof OpusScript>[2]);
  opus.setBitrate(kbps * 1000);
  const frameSamples = (sampleRate * frameMs) / 1000;
  return {
    frameSamples,
    // opusscript takes the samples' bytes, in the platform's order (little endian on every engine that runs this).
    encode: (frame) => new Uint8Array(opus.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), frameSamples)),
    close: () => opus.delete(),
  };
}

/** The Opus identification header (RFC 7845 5.1): mono, the pre-skip, the input rate, no gain, family 0. */
export function opusHead(sampleRate: number): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode("OpusHead"));
  head[8] = 1; // version
  head[9] = 1; // channels
  view.setUint16(10, preSkip, true);
  view.setUint32(12, sampleRate, true);
  return head;
}
