/**
 * One text-to-speech WebSocket connection after its handshake (tts-and-timing.md 2.2 to 2.6):
 * `speech.config`, then per speak `synthesis.context` and `ssml`, each answered with `turn.start`,
 * `response`, the audio and the metadata asked for, and `turn.end`. Several speaks share the
 * connection, one after another. The socket's limits and closing are the `Connection`'s
 * (ws/connection.ts); the synthesis is the `Synthesizer`'s. Runtime-free: tests drive it with a
 * fake peer. It never throws: a broken rule closes the socket with its code and reason.
 */
import type { Clock, Timer } from "../../clock.ts";
import type { Logger } from "../../events.ts";
import type { MessageFaultAction } from "../../faults/rules.ts";
import type { Journal, NoticeCode } from "../../journal.ts";
import { encodeBinaryMessage } from "../../protocol/binary-message.ts";
import { CloseCode, ProtocolError } from "../../protocol/errors.ts";
import { type MessageHeaders, requireHeader } from "../../protocol/headers.ts";
import type { ProtocolLimits } from "../../protocol/limits.ts";
import { decodeTextMessage, encodeTextMessage } from "../../protocol/text-message.ts";
import { type CloseCause, Connection, type ConnectionLimits, type Peer } from "../../ws/connection.ts";
import type { FrameFailure } from "../../ws/frame-errors.ts";
import { defaultMetadata, defaultOutputFormat, type MetadataOptions, parseSynthesisContext } from "./synthesis-context.ts";
import { SynthesisError, type SynthesizedTurn, type Synthesizer } from "./synthesizer.ts";
import { type PlannedFrame, planTurn } from "./turn-plan.ts";

/** A peer that also sends binary frames (the audio). */
export interface SynthesisPeer extends Peer {
  sendBinary(bytes: Uint8Array): void;
}

export interface SynthesisLimits extends ConnectionLimits {
  readonly protocol: ProtocolLimits;
  /** The most SSML one speak may carry, in UTF-8 bytes (UNCONFIRMED: 64 KiB, the spec's default). */
  readonly ssmlBytes: number;
}

export interface SynthesisSessionDeps {
  readonly connectionId: string;
  readonly clock: Clock;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly limits: SynthesisLimits;
  readonly synthesize: Synthesizer;
  /** Read at every message, so a resource can run out of quota while connected. */
  readonly overQuota: () => boolean;
  /** A fault rule of the control plane that fires on this client message, if any (already journaled). */
  readonly fault?: (path: string, turnStart: boolean) => MessageFaultAction | undefined;
}

const requestIdPattern = /^[0-9a-fA-F]{32}$/;
const utf8 = new TextEncoder();

/** One speak: its request id and what it asked for. */
interface Speak {
  readonly requestId: string;
  readonly metadata: MetadataOptions;
  readonly format: string;
  readonly ssml: string;
}

interface Sending {
  readonly speak: Speak;
  readonly turn: SynthesizedTurn;
  readonly streamId: string;
  readonly frames: readonly PlannedFrame[];
  next: number;
  audioMessages: number;
}

export class SynthesisSession {
  readonly #deps: SynthesisSessionDeps;
  readonly #peer: SynthesisPeer;
  readonly #connection: Connection;
  #configured = false;
  /** The latest `synthesis.context`: the SDK sends one before every `ssml`, with the same request id. */
  #context: { metadata: MetadataOptions; outputFormat: string | undefined } | undefined;
  /** Speaks waiting for the one being sent to end (a client that does not wait for `turn.end`). */
  readonly #queue: Speak[] = [];
  /** The speak being sent: its frames, the next one to send, and the audio frames sent so far. */
  #sending: Sending | undefined;
  /** The speak whose audio is being coded (a compressed format's, asynchronously): later speaks wait for it too. */
  #coding: Speak | undefined;
  #retry: Timer | undefined;
  readonly #used = new Set<string>();

  constructor(deps: SynthesisSessionDeps, peer: SynthesisPeer) {
    this.#deps = deps;
    this.#peer = peer;
    const { connectionId, clock, journal, logger, limits } = deps;
    this.#connection = new Connection({ connectionId, clock, journal, logger, limits, onClosing: () => this.#retry?.cancel() }, peer);
  }

  get closed(): boolean {
    return this.#connection.closed;
  }

  /** One message as the socket delivered it: a string for text, bytes for binary. */
  receive(data: string | ArrayBuffer | Uint8Array): void {
    if (this.#connection.closed) return;
    this.#connection.touched();
    try {
      if (typeof data === "string") this.#receiveText(data);
      else this.#receiveBinary(data instanceof Uint8Array ? data : new Uint8Array(data));
    } catch (err) {
      this.#fail(err);
    }
  }

  /** The WebSocket layer failed a frame and closed: a violation like any other. */
  frameFailed(failure: FrameFailure): void {
    if (this.#connection.closed) return;
    this.#record({
      type: "violation",
      connectionId: this.#deps.connectionId,
      code: failure.code,
      closeCode: failure.closeCode,
      closeReason: failure.closeReason ?? "",
      message: failure.message,
    });
    this.#connection.failedByTransport(failure.closeCode, failure.closeReason ?? "", { code: failure.code, message: failure.message });
  }

  clientClosed(code: number, reason: string): void {
    this.#connection.clientClosed(code, reason);
  }

  #receiveText(text: string): void {
    const { connectionId, limits } = this.#deps;
    let message: ReturnType<typeof decodeTextMessage>;
    try {
      message = decodeTextMessage(text, limits.protocol);
    } catch (err) {
      this.#record({ type: "message", connectionId, direction: "in", kind: "text", size: text.length });
      throw err;
    }
    const { path: rawPath, requestId: rawId } = message.headers;
    this.#record({ type: "message", connectionId, direction: "in", kind: "text", path: rawPath, requestId: rawId, size: text.length });
    const { path, requestId } = this.#common(message.headers);
    const lower = path.toLowerCase();
    if (this.#faulted(path, requestId, lower === "ssml")) return;
    switch (lower) {
      case "speech.config":
        jsonObject(message.body, "speech.config");
        this.#configured = true;
        return;
      case "synthesis.context":
        this.#requireConfigured(path);
        this.#context = parseSynthesisContext(jsonObject(message.body, "synthesis.context"));
        return;
      case "ssml":
        this.#requireConfigured(path);
        this.#ssml(requestId, message.body);
        return;
      default:
        this.#unknownPath(path, requestId, "text");
    }
  }

  #receiveBinary(bytes: Uint8Array): void {
    // No client of the synthesis protocol sends binary messages: say so, as for any unknown path.
    this.#record({ type: "message", connectionId: this.#deps.connectionId, direction: "in", kind: "binary", size: bytes.byteLength });
    this.#unknownPath("(binary)", undefined, "binary");
  }

  /**
   * A path the mock does not serve (the SDK's text streaming, `text.piece`/`text.end`, among
   * them) is ignored with a notice, as for speech to text: whether the service refuses one is
   * unconfirmed, and refusing would break a client the service may serve.
   */
  #unknownPath(path: string, requestId: string | undefined, kind: "text" | "binary"): void {
    this.#notice("message.path_unknown", `Ignored a ${kind} message with unknown path ${JSON.stringify(path.slice(0, 64))}`, requestId);
  }

  /** The headers every client message needs (as for speech to text), and the quota. */
  #common(headers: MessageHeaders): { path: string; requestId: string } {
    const path = requireHeader(headers, "Path");
    const requestId = requireHeader(headers, "X-RequestId");
    if (!requestIdPattern.test(requestId)) {
      throw new ProtocolError(
        "ERR_REQUEST_ID_FORMAT",
        `Cannot accept ${path}: X-RequestId ${JSON.stringify(requestId.slice(0, 64))} is not 32 hex digits (a UUID without dashes)`,
      );
    }
    requireHeader(headers, "X-Timestamp");
    if (this.#deps.overQuota()) {
      throw new ProtocolError("ERR_QUOTA_EXCEEDED", "Cannot serve the connection: its resource is out of call volume quota");
    }
    return { path, requestId };
  }

  #requireConfigured(path: string): void {
    if (!this.#configured) {
      throw new ProtocolError("ERR_CONFIG_NOT_FIRST", `Cannot accept ${path}: speech.config must be the first message on a connection`);
    }
  }

  /** Applies a fault rule that fires on this message; true when it closed the connection. */
  #faulted(path: string, requestId: string, turnStart: boolean): boolean {
    const fault = this.#deps.fault?.(path, turnStart);
    if (fault === undefined) return false;
    if (fault.kind === "malformed") {
      this.#connection.send(`X-RequestId: ${requestId}\r\nPath: turn.start\r\nContent-Type: application/json; charset=utf-8`);
      return false;
    }
    this.#connection.close(fault.code, fault.reason, {
      code: "FAULT_INJECTED",
      message: `A fault rule closed the connection at a ${path} message`,
    });
    return true;
  }

  #ssml(requestId: string, ssml: string): void {
    const { limits } = this.#deps;
    if (this.#used.has(requestId)) {
      throw new ProtocolError("ERR_REQUEST_ID_REUSED", `Cannot accept ssml: request id ${requestId} belongs to an earlier speak`);
    }
    this.#used.add(requestId);
    // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
    const bytes = ssml.length * 3 <= limits.ssmlBytes ? ssml.length : utf8.encode(ssml).byteLength;
    if (bytes > limits.ssmlBytes) {
      throw new SynthesisError(
        "ERR_SSML_TOO_LARGE",
        `Cannot synthesize request ${requestId}: SSML of ${bytes} bytes exceeds ${limits.ssmlBytes}`,
        "SSML message size exceeds the limit.",
      );
    }
    const context = this.#context;
    const speak: Speak = {
      requestId,
      metadata: context?.metadata ?? defaultMetadata,
      format: context?.outputFormat ?? defaultOutputFormat,
      ssml,
    };
    if (context === undefined)
      this.#notice("synthesis.context_missing", `Synthesized without synthesis.context, as ${defaultOutputFormat}`, requestId);
    if (this.#sending || this.#coding) this.#queue.push(speak);
    else this.#start(speak);
  }

  /**
   * Synthesizes a speak (a refusal closes `1007`) and starts sending its turn: at once, or when a
   * synthesizer that answers with a promise (compressed audio) has the turn.
   */
  #start(speak: Speak): void {
    const made = this.#deps.synthesize({ ssml: speak.ssml, format: speak.format });
    if (!(made instanceof Promise)) {
      this.#begin(speak, made);
      return;
    }
    this.#coding = speak;
    made.then(
      (turn) => {
        this.#coding = undefined;
        if (this.#connection.closed) return;
        try {
          this.#begin(speak, turn);
        } catch (err) {
          this.#fail(err);
        }
      },
      (err: unknown) => {
        if (!this.#connection.closed) this.#fail(err);
        this.#coding = undefined;
      },
    );
  }

  /** Sends a synthesized speak's `turn.start` and `response`, then its frames. */
  #begin(speak: Speak, turn: SynthesizedTurn): void {
    const streamId = noDashUuid();
    const frames = planTurn(turn.audio, speak.metadata);
    this.#sendText(speak.requestId, "turn.start", `{\n  "context": {\n    "serviceTag": "${noDashUuid().toLowerCase()}"\n  }\n}`);
    this.#sendText(
      speak.requestId,
      "response",
      JSON.stringify({ context: { serviceTag: noDashUuid().toLowerCase() }, audio: { type: "inline", streamId } }),
    );
    this.#sending = { speak, frames, next: 0, turn, streamId, audioMessages: 0 };
    this.#pump();
  }

  /**
   * Sends the turn's frames while the client keeps up: past half the send buffer limit it waits
   * for the client to read (a long speak is megabytes of PCM), instead of closing it as a client
   * that stopped reading.
   */
  #pump(): void {
    this.#retry = undefined;
    const sending = this.#sending;
    if (sending === undefined || this.#connection.closed) return;
    const { speak, frames, turn, streamId } = sending;
    const pause = this.#deps.limits.sendBufferBytes / 2;
    while (sending.next < frames.length) {
      if (this.#peer.bufferedAmount() > pause) {
        this.#retry = this.#deps.clock.setTimer(5, () => this.#pump());
        return;
      }
      const frame = frames[sending.next] as PlannedFrame;
      sending.next += 1;
      if (frame.kind === "metadata") this.#sendText(speak.requestId, "audio.metadata", frame.body);
      else {
        this.#sendAudio(speak.requestId, streamId, turn.contentType, frame.bytes);
        sending.audioMessages += 1;
      }
      if (this.#connection.closed) return;
    }
    this.#sendText(speak.requestId, "turn.end", "{}");
    this.#sending = undefined;
    this.#record({
      type: "synthesis",
      connectionId: this.#deps.connectionId,
      requestId: speak.requestId,
      ...turn.summary,
      format: speak.format,
      audioMessages: sending.audioMessages,
      audioBytes: turn.audio.audio.byteLength,
      audioMs: Math.round(turn.audio.durationMs),
      metadata: frames.reduce((n, f) => n + (f.kind === "metadata" ? f.entries : 0), 0),
    });
    const next = this.#queue.shift();
    if (next) {
      try {
        this.#start(next);
      } catch (err) {
        this.#fail(err);
      }
    }
  }

  #sendText(requestId: string, path: string, body: string): void {
    if (this.#connection.closed) return;
    const text = encodeTextMessage({
      headers: [
        ["X-RequestId", requestId],
        ["Content-Type", "application/json; charset=utf-8"],
        ["Path", path],
      ],
      body,
    });
    this.#connection.send(text);
    this.#record({
      type: "message",
      connectionId: this.#deps.connectionId,
      direction: "out",
      kind: "text",
      path,
      requestId,
      size: text.length,
    });
  }

  /** One binary `audio` frame; journaled only in the turn's summary (`audioMessages`), as speech to text counts a client's audio. */
  #sendAudio(requestId: string, streamId: string, contentType: string, bytes: Uint8Array): void {
    if (this.#connection.closed) return;
    const frame = encodeBinaryMessage({
      headers: [
        ["X-RequestId", requestId],
        ["Content-Type", contentType],
        ["X-StreamId", streamId],
        ["Path", "audio"],
      ],
      payload: bytes,
    });
    this.#peer.sendBinary(frame);
  }

  #notice(code: NoticeCode, message: string, requestId?: string): void {
    this.#record({ type: "notice", connectionId: this.#deps.connectionId, code, message, ...(requestId ? { requestId } : {}) });
  }

  #fail(err: unknown): void {
    if (err instanceof ProtocolError || err instanceof SynthesisError) {
      const requestId = (this.#sending?.speak ?? this.#coding)?.requestId;
      this.#record({
        type: "violation",
        connectionId: this.#deps.connectionId,
        code: err.code,
        closeCode: err.closeCode,
        closeReason: err.closeReason,
        message: err.message,
        ...(requestId ? { requestId } : {}),
      });
      this.#close(err.closeCode, err.closeReason, { code: err.code, message: err.message });
      return;
    }
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.#deps.logger({ type: "error", message: `Synthesis session ${this.#deps.connectionId}: ${message}` });
    this.#close(CloseCode.internalError, "Internal server error.", { code: "ERR_INTERNAL", message: String(err) });
  }

  #close(code: number, reason: string, cause: CloseCause): void {
    this.#connection.close(code, reason, cause);
  }

  #record(event: Parameters<Journal["record"]>[0]): void {
    this.#deps.journal.record(event);
  }
}

const noDashUuid = (): string => crypto.randomUUID().replaceAll("-", "").toUpperCase();

function jsonObject(body: string, path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new ProtocolError("ERR_BODY_NOT_JSON", `Cannot parse ${path}: body is not JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError(
      "ERR_BODY_NOT_JSON",
      `Cannot parse ${path}: body is ${Array.isArray(value) ? "an array" : typeof value}, expected a JSON object`,
    );
  }
  return value as Record<string, unknown>;
}
