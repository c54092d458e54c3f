/**
 * Test support: a WebSocket client that sends any frame, valid or not, on a raw TCP socket: the
 * bytes a library would refuse to send (unmasked frames, RSV bits, reserved opcodes, invalid
 * UTF-8, a length the payload never reaches). Every wait has a deadline, so a hang fails a test
 * instead of stalling it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import type { SpawnedMock } from "./spawn.ts";

export interface Frame {
  opcode: number;
  payload?: Uint8Array;
  fin?: boolean;
  /** RSV1..3 as bits 4..6 of the first byte: 0x40, 0x20, 0x10. */
  rsv?: number;
  /** Clients must mask; `false` sends the frame unmasked. */
  masked?: boolean;
  /** The length the header announces, when it is not the payload's (a frame cut short). */
  announcedLength?: number;
}

/** One frame's bytes, as RFC 6455 section 5.2 lays them out. */
export function encodeFrame({ opcode, payload = new Uint8Array(), fin = true, rsv = 0, masked = true, announcedLength }: Frame): Buffer {
  const length = announcedLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | rsv | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/** What ended a connection, as the client saw it: a close frame, or TCP closing without one. */
export type Ending = { kind: "close"; code: number; reason: string } | { kind: "dropped" } | { kind: "open" };

export const newConnectionId = () => randomUUID().replaceAll("-", "").toUpperCase();

/** A speech WebSocket opened by hand: the handshake's bytes, then whatever frames a test sends. */
export class RawWebSocket {
  #buffer = Buffer.alloc(0);
  #closed = false;
  /** Pong frames read so far. */
  pongs = 0;
  #wake: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly connectionId: string,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  /** Connects and completes a valid key handshake; throws unless the mock answers 101. */
  static async open(mock: SpawnedMock, opts: { timeoutMs?: number } = {}): Promise<RawWebSocket> {
    const { hostname, port } = new URL(mock.ready.url);
    const key = mock.ready.resources.find((r) => r.state === "enabled" && r.region === mock.ready.region)?.keys[0] ?? "";
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: hostname, port: Number(port) }, () => resolve(s));
      s.once("error", reject);
    });
    const ws = new RawWebSocket(socket, newConnectionId());
    socket.write(
      `GET /speech/recognition/interactive/cognitiveservices/v1?language=en-US HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
        `Ocp-Apim-Subscription-Key: ${key}\r\nX-ConnectionId: ${ws.connectionId}\r\n\r\n`,
    );
    await ws.#until(() => ws.#buffer.includes("\r\n\r\n"), opts.timeoutMs ?? 3_000, "handshake response");
    const end = ws.#buffer.indexOf("\r\n\r\n");
    const head = ws.#buffer.subarray(0, end).toString("latin1");
    ws.#buffer = ws.#buffer.subarray(end + 4);
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.destroy();
      throw new Error(`The handshake was refused: ${head.split("\r\n")[0]}`);
    }
    return ws;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frame: Frame | Buffer): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(Buffer.isBuffer(frame) ? frame : encodeFrame(frame));
  }

  /** Stops reading: what the server sends queues up in the kernel and then in the server. */
  pauseReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Reads frames (reading again if paused) until a close frame (answering it, as a client must) or the end of TCP, skipping
   * the server's data and pong frames; `open` if neither came within `ms`.
   */
  async ending(ms = 3_000): Promise<Ending> {
    this.socket.resume();
    const deadline = Date.now() + ms;
    for (;;) {
      const frame = this.#nextFrame();
      if (frame?.opcode === 0x8) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        const reason = frame.payload.subarray(2).toString("utf8");
        this.send({ opcode: 0x8, payload: frame.payload.subarray(0, 2) });
        return { kind: "close", code, reason };
      }
      if (frame?.opcode === 0xa) this.pongs++;
      if (frame) continue;
      if (this.#closed) return { kind: "dropped" };
      if (Date.now() >= deadline) return { kind: "open" };
      await this.#until(() => this.#hasFrame(), deadline - Date.now(), "frame").catch(() => {});
    }
  }

  #hasFrame(): boolean {
    return this.#frameLength() !== undefined;
  }

  /** The whole length of the first frame in the buffer, if it is all there (server frames are unmasked). */
  #frameLength(): number | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    let len = (b[1] as number) & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      len = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    return b.length >= offset + len ? offset + len : undefined;
  }

  #nextFrame(): { opcode: number; payload: Buffer } | undefined {
    const total = this.#frameLength();
    if (total === undefined) return undefined;
    const b = this.#buffer;
    const lenByte = (b[1] as number) & 0x7f;
    const offset = lenByte === 126 ? 4 : lenByte === 127 ? 10 : 2;
    const frame = { opcode: (b[0] as number) & 0x0f, payload: Buffer.from(b.subarray(offset, total)) };
    this.#buffer = b.subarray(total);
    return frame;
  }

  async #until(ready: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ready() && !this.#closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
