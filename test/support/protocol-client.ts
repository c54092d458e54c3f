/**
 * Test support: a speech protocol client written by hand on top of the `ws` package, for black-box
 * tests of the mock. It builds every message with the codecs of `mock-server/protocol/` (text
 * messages as strings, binary ones as bytes), so a test can send exactly what the SDK sends, or
 * exactly one thing wrong, and it records every message the server sends back.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import WebSocket from "ws";
import { encodeBinaryMessage } from "../../mock-server/protocol/binary-message.ts";
import type { HeaderInit } from "../../mock-server/protocol/headers.ts";
import { RIFF_HEADER_BYTES } from "../../mock-server/protocol/riff.ts";
import { decodeTextMessage, encodeTextMessage } from "../../mock-server/protocol/text-message.ts";
import { root } from "./spawn.ts";

export const modePaths = {
  interactive: "/speech/recognition/interactive/cognitiveservices/v1",
  conversation: "/speech/recognition/conversation/cognitiveservices/v1",
  dictation: "/speech/recognition/dictation/cognitiveservices/v1",
  universal: "/stt/speech/universal/v2",
} as const;
export type ModeName = keyof typeof modePaths;

/** A fresh id as the SDK writes them: a UUID without dashes, upper case. */
export const newId = (): string => randomUUID().replaceAll("-", "").toUpperCase();

/** A clip of fixtures/audio, split into its 44-byte RIFF header and its PCM samples. */
export function readClip(name: string): { header: Uint8Array; pcm: Uint8Array } {
  const wav = new Uint8Array(readFileSync(`${root}fixtures/audio/${name}`));
  return { header: wav.subarray(0, RIFF_HEADER_BYTES), pcm: wav.subarray(RIFF_HEADER_BYTES) };
}

/** What the JS SDK sends as `speech.config` (trimmed): a JSON object is all the mock requires. */
export const sdkSpeechConfig = {
  context: {
    system: { name: "SpeechSDK", version: "1.52.0", build: "JavaScript", lang: "JavaScript" },
    os: { platform: "Node", name: "speechmock-tests", version: "1" },
    audio: { source: { bitspersample: 16, channelcount: 1, connectivity: "Unknown", samplerate: 16000, type: "Stream" } },
  },
};

/** One decoded message from the server. */
export interface ServerMessage {
  path: string;
  requestId: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed body, or undefined for an empty one. */
  json: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface ConnectOptions {
  mode?: ModeName;
  /** Added to `language=en-US` (for example `format=detailed`). */
  query?: string;
  connectionId?: string;
}

/** PCM bytes per audio message: 100 ms of 16 kHz 16-bit mono, as the JS SDK sends. */
export const chunkBytes = 3200;

export class ProtocolClient {
  readonly ws: WebSocket;
  readonly connectionId: string;
  /** Every message the server sent, in order. */
  readonly messages: ServerMessage[] = [];
  /** Resolves once the socket has closed, with the close frame's code and reason. */
  readonly closed: Promise<Closed>;
  #waiters = new Set<() => void>();

  constructor(ws: WebSocket, connectionId: string) {
    this.ws = ws;
    this.connectionId = connectionId;
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        // The service only ever sends text; record the surprise so an assertion on paths shows it.
        this.messages.push({ path: "(binary)", requestId: "", headers: {}, body: "", json: undefined });
        return;
      }
      const decoded = decodeTextMessage(data.toString("utf8"));
      const headers = Object.fromEntries(decoded.headers);
      this.messages.push({
        path: decoded.headers.path ?? "",
        requestId: decoded.headers.requestId ?? "",
        headers,
        body: decoded.body,
        json: decoded.body === "" ? undefined : JSON.parse(decoded.body),
      });
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") })));
    // A socket the server tears down may also report an error; the close event says the rest.
    ws.on("error", () => {});
  }

  /** A raw text message (possibly malformed on purpose). */
  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  /** A text message with Path, X-RequestId, X-Timestamp (and Content-Type when there is a body). */
  sendText(path: string, requestId: string, body: unknown, extra: HeaderInit = {}): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const headers: [string, string][] = [
      ["Path", path],
      ["X-RequestId", requestId],
      ["X-Timestamp", new Date().toISOString()],
    ];
    if (text !== "") headers.push(["Content-Type", "application/json"]);
    headers.push(...headerEntries(extra));
    this.ws.send(encodeTextMessage({ headers, body: text }));
  }

  sendConfig(body: unknown = sdkSpeechConfig, requestId = newId()): void {
    this.sendText("speech.config", requestId, body);
  }

  sendContext(requestId: string, body: unknown = { phraseDetection: {}, phraseOutput: { format: "Simple" } }): void {
    this.sendText("speech.context", requestId, body);
  }

  /** An audio message; `headers` replace the defaults by name (pass `undefined` to drop one). */
  sendAudio(requestId: string, payload: Uint8Array, headers: Record<string, string | undefined> = {}): void {
    const merged: Record<string, string | undefined> = {
      Path: "audio",
      "X-RequestId": requestId,
      "X-Timestamp": new Date().toISOString(),
      ...headers,
    };
    const entries = Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined);
    this.ws.send(encodeBinaryMessage({ headers: entries, payload }));
  }

  /** The first audio of a turn: `Content-Type: audio/x-wav` and the RIFF header. */
  sendAudioHeader(requestId: string, riff: Uint8Array): void {
    this.sendAudio(requestId, riff, { "Content-Type": "audio/x-wav" });
  }

  /** PCM in SDK-sized chunks. */
  sendPcm(requestId: string, pcm: Uint8Array): void {
    for (let at = 0; at < pcm.byteLength; at += chunkBytes) this.sendAudio(requestId, pcm.subarray(at, at + chunkBytes));
  }

  /** An audio message with headers and no payload: the end of the turn's audio. */
  endAudio(requestId: string): void {
    this.sendAudio(requestId, new Uint8Array(0));
  }

  sendTelemetry(requestId: string): void {
    this.sendText("telemetry", requestId, { Metrics: [], ReceivedMessages: {} });
  }

  /** A whole turn of a clip without waiting: context, header, PCM, end of audio. */
  sendTurn(clip: { header: Uint8Array; pcm: Uint8Array }, requestId = newId(), context?: unknown): string {
    this.sendContext(requestId, context);
    this.sendAudioHeader(requestId, clip.header);
    this.sendPcm(requestId, clip.pcm);
    this.endAudio(requestId);
    return requestId;
  }

  /** Sends a whole turn, waits for its `turn.end`, sends its telemetry and returns its messages. */
  async turn(clip: { header: Uint8Array; pcm: Uint8Array }, context?: unknown, timeoutMs = 10_000): Promise<ServerMessage[]> {
    const requestId = this.sendTurn(clip, newId(), context);
    await this.waitFor((m) => m.path === "turn.end" && m.requestId === requestId, timeoutMs);
    this.sendTelemetry(requestId);
    return this.messages.filter((m) => m.requestId === requestId);
  }

  /** Resolves with the first message (past or future) that matches; rejects on close or timeout. */
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match);
        if (found) {
          done();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No matching server message within ${timeoutMs} ms; got ${this.messages.map((m) => m.path).join(", ")}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
      void this.closed.then(() => {
        if (!this.#waiters.has(check)) return;
        done();
        reject(new Error(`The socket closed before a matching message; got ${this.messages.map((m) => m.path).join(", ")}`));
      });
    });
  }

  /** Closes from the client side (if still open) and waits for the close to finish. */
  async close(code = 1000, reason = "Normal closure by client"): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    return this.closed;
  }
}

const headerEntries = (init: HeaderInit): [string, string][] =>
  (Symbol.iterator in init ? [...(init as Iterable<readonly [string, string]>)] : Object.entries(init)).map(([n, v]) => [n, v]);

/** The URL of a speech endpoint of the mock at `wsBase`. */
export const speechUrl = (wsBase: string, opts: ConnectOptions = {}): string =>
  `${wsBase}${modePaths[opts.mode ?? "interactive"]}?language=en-US${opts.query ? `&${opts.query}` : ""}`;

export type HandshakeOutcome =
  | { opened: true; client: ProtocolClient }
  | { opened: false; status: number; headers: IncomingHttpHeaders; connectionId: string };

/** Opens a connection with a subscription key in the header; reports a refused handshake instead of throwing. */
export function tryConnect(wsBase: string, key: string, opts: ConnectOptions = {}): Promise<HandshakeOutcome> {
  const connectionId = opts.connectionId ?? newId();
  const ws = new WebSocket(speechUrl(wsBase, opts), {
    headers: { "Ocp-Apim-Subscription-Key": key, "X-ConnectionId": connectionId },
    handshakeTimeout: 10_000,
  });
  const client = new ProtocolClient(ws, connectionId);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ opened: true, client }));
    ws.once("unexpected-response", (req, res) => {
      res.resume();
      req.destroy();
      resolve({ opened: false, status: res.statusCode ?? 0, headers: res.headers, connectionId });
    });
    ws.once("error", reject);
  });
}

/** Opens a connection that must be accepted. */
export async function connect(wsBase: string, key: string, opts: ConnectOptions = {}): Promise<ProtocolClient> {
  const outcome = await tryConnect(wsBase, key, opts);
  if (!outcome.opened) throw new Error(`The handshake was refused: ${outcome.status} ${outcome.headers["x-speechmock-reason"]}`);
  return outcome.client;
}

/**
 * A bare handshake to the interactive endpoint with these headers (a fresh X-ConnectionId unless
 * given): `{ status: 101 }` if it opened (the socket is then cut), else the refusal's status and
 * `X-Speechmock-Reason`.
 */
export function handshakeWith(wsBase: string, headers: Record<string, string>): Promise<{ status: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(speechUrl(wsBase), { headers: { "X-ConnectionId": newId(), ...headers }, handshakeTimeout: 10_000 });
    ws.on("open", () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.on("unexpected-response", (req, res) => {
      res.resume();
      req.destroy();
      resolve({ status: res.statusCode ?? 0, reason: res.headers["x-speechmock-reason"] as string | undefined });
    });
    ws.on("error", (err) => reject(err));
  });
}
