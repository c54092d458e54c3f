/**
 * One speech-to-text WebSocket connection after its handshake: the session rules of spec section
 * 4 and the turns; the socket's limits and closing are the `Connection`'s (ws/connection.ts), the
 * recognition the `Recognizer`'s. Runtime-free: it reads messages handed to it and talks back
 * through a `Peer`, so tests drive it directly with a manual clock and the runtime adapters only
 * pass bytes. It never throws: every broken rule closes the socket with its documented code.
 */
import type { Clock, Timer } from "../../clock.ts";
import type { Logger } from "../../events.ts";
import type { MessageFaultAction } from "../../faults/rules.ts";
import type { Journal, NoticeCode } from "../../journal.ts";
import { decodeBinaryMessage } from "../../protocol/binary-message.ts";
import { CloseCode, ProtocolError } from "../../protocol/errors.ts";
import { type MessageHeaders, requireHeader } from "../../protocol/headers.ts";
import type { ProtocolLimits } from "../../protocol/limits.ts";
import { parseRiffHeader, RIFF_HEADER_BYTES } from "../../protocol/riff.ts";
import { decodeTextMessage, encodeTextMessage } from "../../protocol/text-message.ts";
import type { Transcript } from "../../transcripts/lookup.ts";
import type { Transcripts } from "../../transcripts/schema.ts";
import { type CloseCause, Connection, type ConnectionLimits, type Peer } from "../../ws/connection.ts";
import type { FrameFailure } from "../../ws/frame-errors.ts";
import type { TurnMode } from "../endpoints.ts";
import { jsSha256, type PcmHasherFactory } from "../pcm-hash.ts";
import { type RecognitionSettings, turnTimeouts } from "../recognition-settings.ts";
import { Recognizer } from "../recognize.ts";
import type { ServiceMessage } from "../responses.ts";
import { ticksPerMs } from "../ticks.ts";
import type { VadOptions } from "../vad.ts";

/** How a session talks back; the runtime adapter wraps its socket in one. */
export type SessionPeer = Peer;

export interface SessionLimits extends ConnectionLimits {
  /**
   * An interactive turn is answered after at most this much audio even if its audio has not
   * ended, as the service does ("up to 15 seconds" for single-shot recognition).
   */
  readonly interactiveMaxAudioMs: number;
  /**
   * An utterance that matches no known one waits this long for the end of the audio, where the
   * whole clip's hash may still name it, before it is answered as the fallback. A clip streamed
   * faster than real time ends well within it; a live speaker barely notices it.
   */
  readonly unmatchedHoldMs: number;
  /**
   * The service's processing time: once a turn is decided (its audio ended, or a live utterance
   * ended), `speech.endDetected` goes at once and the phrase and `turn.end` this much later, so
   * a client that sends telemetry or the next turn before `turn.end` is seen doing it.
   */
  readonly responseLatencyMs: number;
  readonly protocol: ProtocolLimits;
}

export interface SessionDeps {
  readonly connectionId: string;
  readonly settings: RecognitionSettings;
  readonly transcripts: Transcripts;
  /** A script the control plane queued for the next turn, taken when a turn is answered. */
  readonly nextScripted?: () => Transcript | undefined;
  readonly clock: Clock;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly limits: SessionLimits;
  /** Read at every message, so a resource can run out of quota while connected. */
  readonly overQuota: () => boolean;
  readonly vad?: Partial<VadOptions>;
  /** The runtime's incremental SHA-256; the JavaScript one by default. */
  readonly pcmHasher?: PcmHasherFactory;
  /** A fault rule of the control plane that fires on this client message, if any (already journaled). */
  readonly fault?: (path: string, turnStart: boolean) => MessageFaultAction | undefined;
}

const requestIdPattern = /^[0-9a-fA-F]{32}$/;
/** The 2017 document's "maximum size of a single audio chunk"; larger ones are taken, with a notice. */
const documentedChunkBytes = 8192;

interface OpenTurn {
  readonly requestId: string;
  mode: TurnMode;
  /** The turn's `speech.context`, if it sent one: its timeouts win over the handshake's query. */
  context?: Record<string, unknown>;
  /** Set by the turn's first audio message; until then only `speech.context` has been seen. */
  recognizer?: Recognizer;
  /** Runs while an utterance waits for a decision (see `unmatchedHoldMs`). */
  hold?: Timer;
  /** The decided turn's answer, due after `responseLatencyMs`; `run` sends it now. */
  answer?: { timer: Timer; run(): void };
  /** Audio messages of the turn until its turn.end (the first, with the WAV header, included) and their payload bytes. */
  audioMessages: number;
  audioBytes: number;
  /** On the mock's clock: the turn's first audio, and when its answer was decided. */
  startedAt?: number;
  decidedAt?: number;
}

export class SpeechSession {
  readonly #deps: SessionDeps;
  readonly #connection: Connection;
  #configured = false;
  #turn: OpenTurn | undefined;
  /** Request ids of ended turns, each with what has come for it since (`TELEMETRY`, `LATE_AUDIO` bits). */
  readonly #ended = new Map<string, number>();

  constructor(deps: SessionDeps, peer: SessionPeer) {
    this.#deps = deps;
    const { connectionId, clock, journal, logger, limits } = deps;
    this.#connection = new Connection({ connectionId, clock, journal, logger, limits, onClosing: () => this.#settle() }, peer);
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

  /** The WebSocket layer failed a frame (see ws/frame-errors.ts) and closed: a violation like any other. */
  frameFailed(failure: FrameFailure): void {
    if (this.#connection.closed) return;
    this.#record({
      type: "violation",
      connectionId: this.#deps.connectionId,
      code: failure.code,
      closeCode: failure.closeCode,
      closeReason: failure.closeReason ?? "",
      message: failure.message,
      ...(this.#turn ? { requestId: this.#turn.requestId } : {}),
    });
    this.#connection.failedByTransport(failure.closeCode, failure.closeReason ?? "", { code: failure.code, message: failure.message });
  }

  /** The client closed (or the transport died): stop the timers and settle the journal. */
  clientClosed(code: number, reason: string): void {
    this.#connection.clientClosed(code, reason);
  }

  #receiveText(text: string): void {
    const message = this.#accept("text", text.length, () => decodeTextMessage(text, this.#deps.limits.protocol));
    const { path, requestId } = this.#common(message.headers);
    if (this.#faulted(path, requestId)) return;
    switch (path.toLowerCase()) {
      case "speech.config":
        // Again on a configured connection too: the JS SDK sends it at the start of every
        // recognize() on a connection it keeps ("force a re-transmission of config and context").
        jsonObject(message.body, "speech.config");
        this.#configured = true;
        return;
      case "speech.context":
        this.#requireConfigured(path);
        this.#context(requestId, jsonObject(message.body, "speech.context"));
        return;
      case "telemetry":
        // Even before speech.config: the 2017 document lets a client send an interrupted turn's telemetry
        // on its next connection "as soon as a connection is established".
        this.#telemetry(requestId);
        return;
      default:
        this.#requireConfigured(path);
        this.#notice("message.path_unknown", `Ignored a text message with unknown path ${JSON.stringify(path)}`, requestId);
    }
  }

  #receiveBinary(bytes: Uint8Array): void {
    const message = this.#accept(
      "binary",
      bytes.byteLength,
      () => decodeBinaryMessage(bytes, this.#deps.limits.protocol),
      (m) => m.payload.byteLength,
    );
    const { path, requestId } = this.#common(message.headers);
    // A turn's first audio message: the one message of a turn every client sends (speech.context is optional).
    const turnStart = !(this.#turn?.requestId === requestId && this.#turn.recognizer !== undefined);
    if (this.#faulted(path, requestId, turnStart)) return;
    this.#requireConfigured(path);
    if (message.trailingBlankLine) {
      this.#noticeOnce("message.header_blank_line", "Read a binary message whose header block ends with a blank line", requestId);
    }
    if (path.toLowerCase() !== "audio") {
      this.#notice("message.path_unknown", `Ignored a binary message with unknown path ${JSON.stringify(path)}`, requestId);
      return;
    }
    const size = message.payload.byteLength;
    if (size > documentedChunkBytes) {
      this.#noticeOnce("audio.chunk_oversized", `Took a ${size}-byte audio message, over ${documentedChunkBytes}`, requestId);
    }
    this.#audio(requestId, message.headers, message.payload);
  }

  /**
   * Decodes a client message and journals it: before its headers are checked, so a message that
   * breaks a rule is on record too, and with its size alone when it cannot even be decoded.
   */
  #accept<M extends { readonly headers: MessageHeaders }>(
    kind: "text" | "binary",
    size: number,
    decode: () => M,
    payloadOf?: (message: M) => number,
  ): M {
    const { connectionId } = this.#deps;
    let message: M;
    try {
      message = decode();
    } catch (err) {
      this.#record({ type: "message", connectionId, direction: "in", kind, size });
      throw err;
    }
    const { path, requestId } = message.headers;
    if (payloadOf)
      this.#record({ type: "message", connectionId, direction: "in", kind, path, requestId, size, payload: payloadOf(message) });
    else this.#record({ type: "message", connectionId, direction: "in", kind, path, requestId, size });
    return message;
  }

  /** Applies a fault rule that fires on this message; true when it closed the connection. */
  #faulted(path: string, requestId: string, turnStart = false): boolean {
    const fault = this.#deps.fault?.(path, turnStart);
    if (fault === undefined) return false;
    if (fault.kind === "malformed") {
      // No blank line after the headers: a client's parser must cope, or fail visibly.
      this.#connection.send(`X-RequestId: ${requestId}\r\nPath: speech.hypothesis\r\nContent-Type: application/json; charset=utf-8`);
      return false;
    }
    this.#close(fault.code, fault.reason, { code: "FAULT_INJECTED", message: `A fault rule closed the connection at a ${path} message` });
    return true;
  }

  /**
   * The headers every client message needs, and the quota. `speech.config` may come without
   * X-RequestId (its request id is then ""): the 2017 document says it "does not require" one.
   */
  #common(headers: MessageHeaders): { path: string; requestId: string } {
    const path = requireHeader(headers, "Path");
    const idless = (headers.requestId ?? "") === "" && path.toLowerCase() === "speech.config";
    const requestId = idless ? "" : requireHeader(headers, "X-RequestId");
    if (!idless && !requestIdPattern.test(requestId)) {
      throw new ProtocolError(
        "ERR_REQUEST_ID_FORMAT",
        `Cannot accept ${path}: X-RequestId ${JSON.stringify(requestId.slice(0, 64))} is not 32 hex digits (a UUID without dashes)`,
      );
    }
    requireHeader(headers, "X-Timestamp");
    if (this.#deps.overQuota()) {
      throw new ProtocolError("ERR_QUOTA_EXCEEDED", "Cannot serve the connection: its resource is out of call volume quota");
    }
    if (idless) this.#notice("config.request_id_missing", "Accepted speech.config without X-RequestId");
    return { path, requestId };
  }

  #requireConfigured(path: string): void {
    if (!this.#configured) {
      throw new ProtocolError("ERR_CONFIG_NOT_FIRST", `Cannot accept ${path}: speech.config must be the first message on a connection`);
    }
  }

  /**
   * A message of another turn while the decided one's answer is still due: the answer goes first,
   * as a service that has finished processing would have sent it. Returns whether a turn is still
   * answering `requestId` itself (audio or telemetry that came before its `turn.end`).
   */
  #answerDue(requestId: string): boolean {
    const answer = this.#turn?.answer;
    if (answer === undefined) return false;
    if (this.#turn?.requestId === requestId) return true;
    const previous = this.#turn?.requestId;
    answer.run();
    this.#notice("turn.next_before_turn_end", `Received request ${requestId} before turn.end of ${previous}`, requestId);
    return false;
  }

  #context(requestId: string, context: Record<string, unknown>): void {
    this.#answerDue(requestId);
    const turn = this.#turn;
    if (turn?.requestId === requestId) {
      // A repeated context before the audio replaces the first; once audio flows the turn's mode is set.
      if (turn.recognizer === undefined) {
        turn.mode = this.#modeOf(context);
        turn.context = context;
      }
      return;
    }
    if (turn?.recognizer) throw mismatch("speech.context", requestId, turn.requestId);
    if (this.#ended.has(requestId)) throw reused("speech.context", requestId);
    this.#turn = { requestId, mode: this.#modeOf(context), context, audioMessages: 0, audioBytes: 0 };
  }

  #audio(requestId: string, headers: MessageHeaders, payload: Uint8Array): void {
    const current = this.#turn;
    if (current?.requestId === requestId) {
      // Counted up to turn.end, the decided turn's audio still in flight too; what comes later has its notice.
      current.audioMessages += 1;
      current.audioBytes += payload.byteLength;
    }
    if (this.#answerDue(requestId)) {
      // The decided turn's own audio, still in flight: dropped, as after its turn.end.
      this.#noticeOnce("audio.after_turn_end", "Ignored audio for a turn that has already been decided", requestId);
      return;
    }
    if (this.#ended.has(requestId)) {
      // Audio still coming after the service answered (a live stream ends a turn early) is
      // dropped; a new turn, known by its WAV header, may not take the id. Not by Content-Type:
      // old SDKs send none on a first audio, and 2017 Node clients send one on every chunk.
      if (startsWithRiff(payload)) throw reused("audio", requestId);
      // One notice per turn: a long tail in flight would otherwise fill the journal.
      const seen = this.#ended.get(requestId) as number;
      if (!(seen & LATE_AUDIO)) {
        this.#ended.set(requestId, seen | LATE_AUDIO);
        this.#notice("audio.after_turn_end", "Ignored audio for a turn that has already ended", requestId);
      }
      return;
    }
    const turn = this.#turn;
    if (turn !== undefined && turn.requestId !== requestId) {
      if (turn.recognizer !== undefined) throw mismatch("audio", requestId, turn.requestId);
      throw new ProtocolError(
        "ERR_REQUEST_ID_MISMATCH",
        `Cannot accept audio for request ${requestId}: the turn's speech.context was sent with request id ${turn.requestId}`,
      );
    }
    const open = turn ?? { requestId, mode: this.#modeOf(undefined), audioMessages: 1, audioBytes: payload.byteLength };
    this.#turn = open;
    if (open.recognizer === undefined) {
      this.#startAudio(open, headers, payload);
      return;
    }
    this.#deliver(open, payload.byteLength === 0 ? open.recognizer.end() : open.recognizer.push(payload));
  }

  /** The first audio of a turn: a WAV header for the one accepted format, maybe followed by PCM. */
  #startAudio(turn: OpenTurn, headers: MessageHeaders, payload: Uint8Array): void {
    const contentType = headers.contentType;
    if (contentType === undefined || contentType === "") {
      // Microsoft's JS SDK up to 1.9.0 and its 2017 browser SDK sent none; the RIFF header below still decides.
      this.#notice("audio.content_type_missing", "Took a turn's first audio, without Content-Type, as audio/x-wav", turn.requestId);
    } else if (contentType.split(";")[0]?.trim().toLowerCase() !== "audio/x-wav") {
      throw new ProtocolError(
        "ERR_AUDIO_CONTENT_TYPE",
        `Cannot accept the first audio of turn ${turn.requestId}: Content-Type ${JSON.stringify(contentType.slice(0, 64))}, expected "audio/x-wav"`,
      );
    }
    const riff = parseRiffHeader(payload);
    if (!riff.ok) throw riff.error;
    const { settings, limits, transcripts, nextScripted, pcmHasher, vad } = this.#deps;
    const timeouts = turnTimeouts(settings, turn.mode, turn.context);
    turn.recognizer = new Recognizer(
      {
        mode: turn.mode,
        format: settings.format,
        profanity: settings.profanity,
        initialSilenceTimeoutMs: timeouts.initialSilenceTimeoutMs,
        segmentationSilenceMs: timeouts.segmentationSilenceMs,
        interactiveMaxAudioMs: limits.interactiveMaxAudioMs,
      },
      { transcripts, hasher: (pcmHasher ?? jsSha256)(), ...(nextScripted ? { nextScripted } : {}), ...(vad ? { vad } : {}) },
    );
    turn.startedAt = this.#deps.clock.now();
    this.#send(turn.requestId, "turn.start", JSON.stringify({ context: { serviceTag: noDashUuid() } }));
    this.#record({ type: "turn", connectionId: this.#deps.connectionId, requestId: turn.requestId, phase: "start" });
    if (payload.byteLength > RIFF_HEADER_BYTES) this.#deliver(turn, turn.recognizer.push(payload.subarray(RIFF_HEADER_BYTES)));
  }

  /**
   * Sends what the recognizer settled. A finished turn gets its `turn.end` at once, whether or not
   * the client is still streaming; an utterance that waits for a decision starts the hold.
   */
  #deliver(turn: OpenTurn, messages: readonly ServiceMessage[]): void {
    const recognizer = turn.recognizer as Recognizer;
    if (recognizer.finished) {
      turn.decidedAt ??= this.#deps.clock.now();
      // speech.endDetected at once, the rest after the processing time: the 2017 document's order
      // (endDetected, phrase, turn.end), and what a client that does not wait for turn.end trips on.
      for (const m of messages) if (m.path === "speech.endDetected") this.#send(turn.requestId, m.path, m.body);
      const answer = () => {
        for (const m of messages) if (m.path !== "speech.endDetected") this.#send(turn.requestId, m.path, m.body);
        this.#endTurn(turn, recognizer);
      };
      const latency = this.#deps.limits.responseLatencyMs;
      if (latency <= 0) {
        answer();
        return;
      }
      const run = () => {
        if (turn.answer === undefined) return;
        turn.answer.timer.cancel();
        turn.answer = undefined;
        answer();
      };
      turn.answer = { timer: this.#deps.clock.setTimer(latency, run), run };
      return;
    }
    for (const m of messages) this.#send(turn.requestId, m.path, m.body);
    // Mid-turn, only at a phrase: a continuous turn may never end, but its hypotheses are small.
    if (messages.some((m) => m.path === "speech.phrase")) this.#connection.checkBackpressure();
    if (recognizer.holding && turn.hold === undefined) {
      turn.hold = this.#deps.clock.setTimer(this.#deps.limits.unmatchedHoldMs, () => {
        turn.hold = undefined;
        if (this.#turn === turn && !this.#connection.closed) this.#deliver(turn, recognizer.expireHold());
      });
    }
  }

  #endTurn(turn: OpenTurn, recognizer: Recognizer): void {
    const { connectionId, logger } = this.#deps;
    turn.hold?.cancel();
    this.#turn = undefined;
    this.#ended.set(turn.requestId, 0);
    this.#send(turn.requestId, "turn.end", "");
    const summary = recognizer.summary();
    const now = this.#deps.clock.now();
    const audioMs = Math.round(summary.audioTicks / ticksPerMs);
    const texts = summary.results.flatMap((r) => (r.text === undefined ? [] : [r.text]));
    this.#record({
      type: "turn",
      connectionId,
      requestId: turn.requestId,
      phase: "end",
      status: summary.status,
      mode: turn.mode,
      ...(texts.length > 0 ? { text: texts.join(" ") } : {}),
      match: summary.results[0]?.match ?? "silence",
      results: summary.results,
      audioMessages: turn.audioMessages,
      audioBytes: turn.audioBytes,
      audioMs,
      elapsedMs: now - (turn.startedAt ?? now),
      latencyMs: now - (turn.decidedAt ?? now),
    });
    logger({
      type: "turn",
      connectionId,
      requestId: turn.requestId,
      mode: turn.mode,
      audioMs,
      status: summary.status,
      phrases: summary.phrases,
      scripted: summary.scripted,
    });
    this.#connection.checkBackpressure();
  }

  #telemetry(requestId: string): void {
    if (this.#answerDue(requestId)) {
      this.#notice("telemetry.before_turn_end", "Received telemetry for a turn before its turn.end", requestId);
      return;
    }
    const seen = this.#ended.get(requestId);
    if (seen === undefined) {
      this.#notice("telemetry.unknown_request", "Received telemetry for a request id with no ended turn", requestId);
    } else if (seen & TELEMETRY) {
      this.#notice("telemetry.repeated", "Received telemetry twice for one turn", requestId);
    } else {
      this.#ended.set(requestId, seen | TELEMETRY);
    }
  }

  /** Interactive unless the path or (on the universal endpoint) `speech.context` says otherwise. */
  #modeOf(context: Record<string, unknown> | undefined): TurnMode {
    const { mode } = this.#deps.settings;
    if (mode !== "universal") return mode;
    const named = (context?.phraseDetection as { mode?: unknown } | undefined)?.mode;
    const lower = typeof named === "string" ? named.toLowerCase() : "";
    return lower === "conversation" || lower === "dictation" ? lower : "interactive";
  }

  #send(requestId: string, path: string, body: string): void {
    if (this.#connection.closed) return;
    const headers: [string, string][] = [["X-RequestId", requestId]];
    if (body !== "") headers.push(["Content-Type", "application/json; charset=utf-8"]);
    headers.push(["Path", path]);
    const text = encodeTextMessage({ headers, body });
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

  #notice(code: NoticeCode, message: string, requestId?: string): void {
    this.#record({ type: "notice", connectionId: this.#deps.connectionId, code, message, ...(requestId ? { requestId } : {}) });
  }

  /** The request id each once-a-turn notice was last journaled for. */
  readonly #noticedFor = new Map<NoticeCode, string>();

  /** A notice for what a client may do on every message: journaled once a turn, not once a chunk. */
  #noticeOnce(code: NoticeCode, message: string, requestId: string): void {
    if (this.#noticedFor.get(code) === requestId) return;
    this.#noticedFor.set(code, requestId);
    this.#notice(code, message, requestId);
  }

  #fail(err: unknown): void {
    if (err instanceof ProtocolError) {
      this.#record({
        type: "violation",
        connectionId: this.#deps.connectionId,
        code: err.code,
        closeCode: err.closeCode,
        closeReason: err.closeReason,
        message: err.message,
        ...(this.#turn ? { requestId: this.#turn.requestId } : {}),
      });
      this.#close(err.closeCode, err.closeReason, { code: err.code, message: err.message });
      return;
    }
    // A bug in the mock: say so on this connection only; everyone else keeps being served.
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.#deps.logger({ type: "error", message: `Speech session ${this.#deps.connectionId}: ${message}` });
    this.#close(CloseCode.internalError, "Internal server error.", { code: "ERR_INTERNAL", message: String(err) });
  }

  #close(code: number, reason: string, cause: CloseCause): void {
    this.#connection.close(code, reason, cause);
  }

  /** As the connection closes: no more holds, and every turn without telemetry noted. */
  #settle(): void {
    this.#turn?.hold?.cancel();
    this.#turn?.answer?.timer.cancel();
    for (const [requestId, seen] of this.#ended) {
      if (!(seen & TELEMETRY)) this.#notice("telemetry.missing", "No telemetry message arrived for this turn", requestId);
    }
  }

  #record(event: Parameters<Journal["record"]>[0]): void {
    this.#deps.journal.record(event);
  }
}

/** What has come for an ended turn. */
const TELEMETRY = 1;
const LATE_AUDIO = 2;

const noDashUuid = (): string => crypto.randomUUID().replaceAll("-", "").toUpperCase();

const mismatch = (what: string, requestId: string, current: string) =>
  new ProtocolError(
    "ERR_REQUEST_ID_MISMATCH",
    `Cannot accept ${what} for request ${requestId}: turn ${current} is in progress and its audio has not ended`,
  );

const reused = (what: string, requestId: string) =>
  new ProtocolError("ERR_REQUEST_ID_REUSED", `Cannot accept ${what}: request id ${requestId} belongs to a turn that has already ended`);

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

/** Whether audio begins with a WAV header's "RIFF" tag. */
const startsWithRiff = (payload: Uint8Array): boolean =>
  payload.byteLength >= 4 && payload[0] === 0x52 && payload[1] === 0x49 && payload[2] === 0x46 && payload[3] === 0x46;
