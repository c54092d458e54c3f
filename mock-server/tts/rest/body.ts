/**
 * Reading an SSML body within a limit, and streaming synthesized audio out as it is coded.
 */

import { concatBytes } from "../../bytes.ts";
import type { Synthesis } from "../synthesize.ts";

export type SsmlBody = { ok: true; text: string; bytes: number } | { ok: false; bytes: number; complete: boolean };

/**
 * Reads a request body as UTF-8 text, at most `maxBytes`; past that it stops reading (the caller
 * answers and closes the connection). A body that fails mid-way counts as over the limit, unread.
 */
export async function readSsmlBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<SsmlBody> {
  if (body === null) return { ok: true, text: "", bytes: 0 };
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, bytes, complete: false };
      }
      parts.push(value);
    }
  } catch {
    return { ok: false, bytes, complete: false };
  }
  return { ok: true, text: new TextDecoder().decode(concatBytes(parts)), bytes };
}

/** Milliseconds of audio per chunk of a streamed answer. */
export const chunkMs = 100;

/**
 * The audio as a stream, a chunk of `chunkMs` per read (the RIFF header, when the format has one,
 * goes with the first), so the body goes out chunked as it is coded, as the service's does. A
 * client that goes away stops the encoder (`cancel`), which frees what it holds.
 */
export function audioStream(synthesis: Synthesis): ReadableStream<Uint8Array> {
  const chunks = synthesis.chunks(chunkMs);
  const { format, pcm } = synthesis;
  const dataBytes = (pcm.length * format.bitsPerSample) / 8;
  let header = synthesis.riffHeader(dataBytes);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (header !== undefined) {
        controller.enqueue(header);
        header = undefined;
      }
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** The Content-Type of a plain-text refusal. */
export const textHeaders = { "Content-Type": "text/plain; charset=utf-8" } as const;
