/**
 * Opus in Ogg (RFC 7845) or WebM, streamed: packets from `opus.ts`, put in their container by
 * `mediabunny` (MPL-2.0, loaded from node_modules the first time Opus is asked for). Both
 * containers are written strictly in order (WebM "append only": no duration, no cues, as a live
 * stream), so each piece goes out as soon as the muxer writes it. Deterministic: the WebM muxer
 * writes no dates or random ids (track UID 1), and the Ogg serial it draws at random is pinned.
 */
import type * as Mediabunny from "mediabunny";
import { concatBytes } from "../../bytes.ts";
import { OggSerialPin } from "./ogg-serial.ts";
import { type OpusEncoder, openOpusEncoder, opusHead, preSkip } from "./opus.ts";

export type OpusContainer = "ogg" | "webm";

/** The Ogg serial of every stream: "SPMK". */
export const oggSerial = 0x53504d4b;

let library: Promise<typeof Mediabunny> | undefined;

/** Thrown when the muxer seeks back: these containers are meant to be written in order. */
export class MuxOrderError extends Error {
  override name = "MuxOrderError";
}

/**
 * 16-bit mono samples as Opus at `kbps` in `container`, coded about `blockSamples` at a time:
 * each non-empty piece the muxer wrote meanwhile. The last packet is padded with silence; Ogg
 * marks the padding to be dropped (the last page's granule position); WebM keeps it (< 20 ms).
 */
export async function* opusStream(
  container: OpusContainer,
  pcm: Int16Array,
  sampleRate: number,
  kbps: number,
  blockSamples: number,
): AsyncGenerator<Uint8Array> {
  // A failed import is not kept: the next request tries again.
  library ??= import("mediabunny").catch((err: unknown) => {
    library = undefined;
    throw err;
  });
  const mb = await library;
  const encoder = await openOpusEncoder(sampleRate, kbps);
  const written: Uint8Array[] = [];
  let position = 0;
  const target = new mb.StreamTarget(
    new WritableStream<Mediabunny.StreamTargetChunk>({
      write(chunk) {
        if (chunk.position !== position) {
          throw new MuxOrderError(`Cannot stream ${container}: the muxer wrote at byte ${chunk.position}, expected ${position}`);
        }
        position += chunk.data.byteLength;
        written.push(chunk.data);
      },
    }),
  );
  const blockSeconds = blockSamples / sampleRate;
  const format =
    container === "ogg"
      ? new mb.OggOutputFormat({ maximumPageDuration: blockSeconds })
      : new mb.WebMOutputFormat({ appendOnly: true, minimumClusterDuration: 1 });
  const output = new mb.Output({ format, target });
  const source = new mb.EncodedAudioPacketSource("opus");
  output.addAudioTrack(source);
  const pin = container === "ogg" ? new OggSerialPin(oggSerial) : undefined;
  const take = (): Uint8Array => {
    const all = concatBytes(written.splice(0));
    return pin ? pin.push(all) : all;
  };
  let finished = false;
  try {
    await output.start();
    const frames = packets(encoder, pcm, sampleRate);
    const perBlock = Math.max(1, Math.round(blockSamples / encoder.frameSamples));
    const decoderConfig = { codec: "opus", numberOfChannels: 1, sampleRate, description: opusHead(sampleRate) };
    let index = 0;
    for (const { data, timestamp, duration } of frames) {
      const packet = new mb.EncodedPacket(data, "key", timestamp, duration);
      await source.add(packet, index === 0 ? { decoderConfig } : undefined);
      index += 1;
      if (index % perBlock === 0) {
        const out = take();
        if (out.byteLength > 0) yield out;
      }
    }
    source.close();
    await output.finalize();
    finished = true;
    const out = take();
    pin?.end();
    if (out.byteLength > 0) yield out;
  } finally {
    encoder.close();
    // A stream left early (the client went away): let the muxer drop what it holds.
    if (!finished) await output.cancel().catch(() => {});
  }
}

/**
 * The packets of `pcm`, `frameMs` each. The encoder's look-ahead delays its output by the
 * pre-skip, so that much silence more is coded, or the last milliseconds would be lost; the last
 * packet's duration counts only up to there, for the muxer to trim the padding (Ogg's last granule).
 */
function* packets(encoder: OpusEncoder, pcm: Int16Array, sampleRate: number) {
  const frame = encoder.frameSamples;
  const total = pcm.length + Math.round((preSkip * sampleRate) / 48000);
  const count = Math.ceil(total / frame);
  for (let i = 0; i < count; i++) {
    let block = pcm.subarray(Math.min(pcm.length, i * frame), Math.min(pcm.length, (i + 1) * frame));
    if (block.length < frame) {
      const padded = new Int16Array(frame);
      padded.set(block);
      block = padded;
    }
    const samples = Math.min(frame, total - i * frame);
    yield { data: encoder.encode(block), timestamp: (i * frame) / sampleRate, duration: samples / sampleRate };
  }
}
