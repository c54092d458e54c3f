/**
 * Reading a request's body to its end before answering it. A server that answers while the client
 * is still sending and then closes makes the client's write fail (EPIPE, ECONNRESET) before it
 * reads the answer; one that reads the body first is always heard.
 */

export interface Discarded {
  /** Body bytes read. */
  readonly bytes: number;
  /** False when reading stopped at `maxBytes` (the caller should close the connection) or the client went away. */
  readonly complete: boolean;
}

/** The most a refused request's body is read before the mock stops reading and closes instead. */
export const maxDiscardBytes = 64 << 20;

/** Reads `body` to its end, keeping nothing, up to `maxBytes`. */
export async function discardBody(body: ReadableStream<Uint8Array> | null, maxBytes = maxDiscardBytes): Promise<Discarded> {
  if (body === null) return { bytes: 0, complete: true };
  const reader = body.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, complete: true };
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => {});
        return { bytes, complete: false };
      }
    }
  } catch {
    return { bytes, complete: false }; // the client went away mid-body
  }
}
