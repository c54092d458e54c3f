/**
 * Just enough RFC 6455 framing for a bare `node:net` client: masked frames to send (built once,
 * ahead of the measured part) and a reader for the server's unmasked frames. Servers never
 * fragment the few-hundred-byte text messages the bench receives, so a fragment is an error here.
 */
import { randomFillSync } from "node:crypto";

export const Opcode = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * One complete client frame: FIN, `opcode`, the mask bit and a mask key, `payload` masked.
 * Written with `Buffer` so whole turns can be concatenated into one write.
 */
export function maskedFrame(opcode: number, payload: Uint8Array | string): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const length = data.byteLength;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const head = 2 + lengthBytes;
  const frame = Buffer.allocUnsafe(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const key = randomFillSync(frame, head, 4).subarray(head, head + 4);
  const start = head + 4;
  for (let i = 0; i < length; i++) frame[start + i] = (data[i] as number) ^ (key[i & 3] as number);
  return frame;
}

/** A masked close frame with code 1000 and no reason. */
export const maskedClose = (): Buffer => maskedFrame(Opcode.close, Uint8Array.of(0x03, 0xe8));

export interface Frame {
  opcode: number;
  payload: Buffer;
}

/** Cuts the server's byte stream into frames, however TCP splits it. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** Every frame completed by `chunk`; throws on a masked or fragmented frame. */
  push(chunk: Buffer): Frame[] {
    let buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (buf.length < 2) break;
      const b0 = buf[0] as number;
      const b1 = buf[1] as number;
      if ((b0 & 0x80) === 0 || (b0 & 0x0f) === 0) throw new Error(`Fragmented frame (first byte 0x${b0.toString(16)})`);
      if (b1 & 0x80) throw new Error("Masked frame from the server");
      let length = b1 & 0x7f;
      let head = 2;
      if (length === 126) {
        if (buf.length < 4) break;
        length = buf.readUInt16BE(2);
        head = 4;
      } else if (length === 127) {
        if (buf.length < 10) break;
        length = Number(buf.readBigUInt64BE(2));
        head = 10;
      }
      if (buf.length < head + length) break;
      frames.push({ opcode: b0 & 0x0f, payload: buf.subarray(head, head + length) });
      buf = buf.subarray(head + length);
    }
    // Keep a copy of a partial frame only: the common case (whole frames) allocates nothing.
    this.#pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    return frames;
  }
}
