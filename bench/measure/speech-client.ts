/**
 * One speech session on a bare `node:net` socket: an authenticated handshake (key, connection id in
 * the query as the SDK sends it), then one turn whose frames were built before the measured part,
 * so the bench client costs little next to the server it shares the machine with.
 */
import { connect, type Socket } from "node:net";
import { devKey, keyHeader, newHexId } from "./dev-credentials.ts";
import { type RawTarget, reasonOf, wsAccept, wsKey } from "./handshake.ts";
import { type Clip, type TurnFrames, turnFrames } from "./speech-turn.ts";
import { FrameReader, maskedClose, maskedFrame, Opcode } from "./ws-frames.ts";

export type TurnOutcome = { ok: true; latencyMs: number } | { ok: false; why: string };

const separator = "\r\n\r\n";
const pathHeader = /(?:^|\r\n)path:[ \t]*([^\r\n]*)/i;
const requestIdHeader = /(?:^|\r\n)x-requestid:[ \t]*([^\r\n]*)/i;

/** A failed open or turn, with a reason for the table. */
const failed = (why: string): { ok: false; why: string } => ({ ok: false, why });

export class SpeechClient {
  readonly #socket: Socket;
  readonly #clip: Clip;
  /** The request id of the turn prepared or in flight: a fresh one per turn, as the protocol requires. */
  #requestId = "";
  #turns = 0;
  /** Dropped once written, so N idle sessions do not keep N turns of audio in this process. */
  #frames: TurnFrames | undefined;
  readonly #displayText: string | undefined;
  readonly #reader = new FrameReader();
  #closed = false;
  #serverClose = "";
  #turn: { sentAt: number; displayText?: string; settle: (outcome: TurnOutcome) => void } | undefined;

  private constructor(socket: Socket, clip: Clip, displayText: string | undefined) {
    this.#socket = socket;
    this.#clip = clip;
    this.#displayText = displayText;
    this.prepareTurn();
  }

  /** Builds the next turn's frames (the first one also carries speech.config), outside any measured part. */
  prepareTurn(): void {
    this.#requestId = newHexId();
    this.#frames = turnFrames(this.#requestId, this.#clip, this.#turns === 0);
  }

  /**
   * Connects and completes the handshake. `displayText`: the phrase the turn must be recognised as
   * (undefined for the bare baseline, which answers with `turn.end` alone).
   */
  static open(target: RawTarget, clip: Clip, displayText: string | undefined, timeoutMs: number): Promise<SpeechClient | TurnOutcome> {
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    const client = new SpeechClient(socket, clip, displayText);
    return new Promise((resolve) => {
      let received = "";
      const fail = (why: string) => {
        socket.destroy();
        resolve(failed(why));
      };
      const onError = (err: Error) => fail(err.message);
      const onClose = () => fail("closed during the handshake");
      socket.setTimeout(timeoutMs, () => fail(`no handshake response within ${timeoutMs} ms`));
      socket.once("error", onError);
      socket.once("close", onClose);
      const onData = (chunk: Buffer) => {
        received += chunk.toString("latin1");
        const end = received.indexOf(separator);
        if (end === -1) return;
        socket.off("data", onData).off("error", onError).off("close", onClose);
        socket.setTimeout(0);
        const headers = received.slice(0, end);
        if (!headers.startsWith("HTTP/1.1 101 ") || !headers.includes(wsAccept)) {
          return fail(`${headers.slice(0, headers.indexOf("\r\n"))} ${reasonOf(headers)}`.trim());
        }
        client.#listen(Buffer.from(received.slice(end + separator.length), "latin1"));
        resolve(client);
      };
      socket.on("data", onData);
      const path = `${target.path}&X-ConnectionId=${newHexId()}`;
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${wsKey}\r\nSec-WebSocket-Version: 13\r\n${keyHeader}: ${devKey}\r\n\r\n`,
        "latin1",
      );
    });
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /**
   * Streams the turn as fast as the socket takes it, ends the audio, waits for `turn.end` (at most
   * `timeoutMs`) and sends telemetry. The latency runs from handing the end-of-audio message to the
   * socket to reading `turn.end`.
   */
  turn(timeoutMs: number): Promise<TurnOutcome> {
    const frames = this.#frames;
    if (!frames || this.#closed)
      return Promise.resolve(failed(this.#closed ? `closed before the turn ${this.#serverClose}` : "no turn prepared"));
    this.#frames = undefined;
    this.#turns++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(failed(`no turn.end within ${timeoutMs} ms`)), timeoutMs);
      const settle = (outcome: TurnOutcome) => {
        if (this.#turn === undefined) return;
        this.#turn = undefined;
        clearTimeout(timer);
        if (outcome.ok) this.#socket.write(frames.telemetry);
        resolve(outcome);
      };
      this.#socket.write(frames.stream);
      this.#turn = { sentAt: performance.now(), settle };
      this.#socket.write(frames.endOfAudio);
    });
  }

  /** The closing handshake; the socket is cut if the server has not closed within `timeoutMs`. */
  close(timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#socket.destroy(), timeoutMs);
      this.#socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.#socket.end(maskedClose());
    });
  }

  #listen(leftover: Buffer): void {
    const socket = this.#socket;
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("error", () => {}); // the close event follows and says what matters
    socket.on("close", () => {
      this.#closed = true;
      this.#turn?.settle(failed(`connection closed during the turn ${this.#serverClose}`.trim()));
    });
    if (leftover.length > 0) this.#read(leftover);
  }

  #read(chunk: Buffer): void {
    let frames: ReturnType<FrameReader["push"]>;
    try {
      frames = this.#reader.push(chunk);
    } catch (err) {
      this.#turn?.settle(failed((err as Error).message));
      this.#socket.destroy();
      return;
    }
    for (const { opcode, payload } of frames) {
      if (opcode === Opcode.text) this.#message(payload.toString("utf8"));
      else if (opcode === Opcode.close) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.#serverClose = `(server sent close ${code} ${JSON.stringify(payload.toString("utf8", 2))})`;
      } else if (opcode === Opcode.ping) this.#socket.write(maskedFrame(Opcode.pong, payload));
      else if (opcode === Opcode.binary) this.#turn?.settle(failed("binary message from the server"));
    }
  }

  /** Checks each message of the turn: its request id, the recognised text, and `turn.end`. */
  #message(text: string): void {
    const turn = this.#turn;
    if (turn === undefined) return;
    const at = performance.now();
    const split = text.indexOf(separator);
    const head = split === -1 ? text : text.slice(0, split);
    const path = pathHeader.exec(head)?.[1];
    const requestId = requestIdHeader.exec(head)?.[1];
    if (requestId?.toLowerCase() !== this.#requestId) {
      turn.settle(failed(`${path ?? "message without Path"} for request ${requestId ?? "(none)"}, expected ${this.#requestId}`));
    } else if (path === "speech.phrase" && this.#displayText !== undefined) {
      const body = parseJson(text.slice(split + separator.length)) as { DisplayText?: unknown } | undefined;
      if (typeof body?.DisplayText === "string") turn.displayText = body.DisplayText;
      else turn.settle(failed(`speech.phrase without a DisplayText: ${text.slice(split + separator.length, split + 200)}`));
    } else if (path === "turn.end") {
      const expected = this.#displayText;
      if (expected !== undefined && turn.displayText !== expected) {
        turn.settle(failed(`DisplayText ${JSON.stringify(turn.displayText ?? null)}, expected ${JSON.stringify(expected)}`));
      } else turn.settle({ ok: true, latencyMs: at - turn.sentAt });
    }
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
