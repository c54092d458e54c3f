/**
 * Text to speech over the SDK's WebSocket: `connections` connections opened with `ws` (outside the
 * measured part), each speaking in a loop for `seconds`: one speak in flight per connection, the
 * next sent when `turn.end` arrives. To speechmock a speak is what the SDK sends (`speech.config`
 * once per connection, then `synthesis.context` and `ssml` with a fresh request id), every metadata
 * switch off; the bare server is sent the `ssml` message alone and answers it with the same number
 * of binary frames and bytes, then a `turn.end` text. A speak counts when its `turn.end` arrives
 * before the deadline with exactly the expected binary frames and bytes; anything else fails.
 */
import WebSocket from "ws";
import { devKey, keyHeader, newHexId } from "./dev-credentials.ts";
import { cpuTimeMs } from "./proc.ts";
import { percentile } from "./stats.ts";
import { ttsFormat, ttsSsml } from "./tts-rest.ts";

export const ttsWsPath = "/tts/cognitiveservices/websocket/v1";

/** What one speak's answer holds: binary messages and their bytes (headers and payload, as received). */
export interface SpeakShape {
  frames: number;
  bytes: number;
  /** The audio alone: the binary messages' payloads after their headers. */
  audioBytes: number;
}

export interface TtsWsServer {
  pid: number;
  /** The WebSocket URL, query included: a fresh one per connection (speechmock's carries a new connection id). */
  url: () => string;
  /** True for speechmock (the SDK's messages); false for the bare server (one `ssml` message per speak). */
  sdk: boolean;
}

/** speechmock's URL: a key and a fresh connection id in the query, as the SDK sends them. */
export const mockTtsUrl = (baseUrl: string) => (): string =>
  `${baseUrl.replace(/^http/, "ws")}${ttsWsPath}?${keyHeader}=${devKey}&X-ConnectionId=${newHexId()}`;

/** The bare server's URL: the answer's shape in the query. */
export const bareTtsUrl = (baseUrl: string, shape: SpeakShape) => (): string =>
  `${baseUrl.replace(/^http/, "ws")}${ttsWsPath}?frames=${shape.frames}&bytes=${shape.bytes}`;

const text = (path: string, requestId: string, contentType: string, body: string): string =>
  `Path: ${path}\r\nX-RequestId: ${requestId}\r\nX-Timestamp: ${new Date().toISOString()}\r\nContent-Type: ${contentType}\r\n\r\n${body}`;

const speechConfig = JSON.stringify({
  context: { system: { name: "SpeechSDK", version: "1.52.0", build: "JavaScript", lang: "JavaScript" } },
});
const synthesisContext = JSON.stringify({
  synthesis: {
    audio: {
      metadataOptions: {
        bookmarkEnabled: false,
        punctuationBoundaryEnabled: false,
        sentenceBoundaryEnabled: false,
        sessionEndEnabled: false,
        visemeEnabled: false,
        wordBoundaryEnabled: false,
      },
      outputFormat: ttsFormat,
    },
    language: { autoDetection: false },
  },
});

const turnEnd = /(?:^|\r\n)Path:[ \t]*turn\.end\r\n/i;

type SpeakOutcome = { ok: true; ms: number; shape: SpeakShape } | { ok: false; why: string };

/** One connection of the load: opens, then speaks on request. */
class Speaker {
  #first = true;
  #frames = 0;
  #bytes = 0;
  #audioBytes = 0;
  #sentAt = 0;
  #settle: ((outcome: SpeakOutcome) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly ws: WebSocket,
    readonly sdk: boolean,
  ) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.#frames++;
        this.#bytes += data.length;
        if (data.length >= 2) this.#audioBytes += data.length - 2 - data.readUInt16BE(0);
        return;
      }
      if (turnEnd.test(data.toString("latin1", 0, 200))) {
        this.#done({
          ok: true,
          ms: performance.now() - this.#sentAt,
          shape: { frames: this.#frames, bytes: this.#bytes, audioBytes: this.#audioBytes },
        });
      }
    });
    ws.on("close", (code, reason) => this.#done({ ok: false, why: `closed ${code} ${reason.toString("utf8")}`.trim() }));
    ws.on("error", (err) => this.#done({ ok: false, why: err.message }));
  }

  static open(server: TtsWsServer, timeoutMs: number): Promise<Speaker | { ok: false; why: string }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(server.url(), { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const fail = (why: string) => {
        ws.terminate();
        resolve({ ok: false, why });
      };
      ws.once("open", () => {
        ws.removeAllListeners();
        resolve(new Speaker(ws, server.sdk));
      });
      ws.once("unexpected-response", (_req, res) => fail(`handshake answered ${res.statusCode}`));
      ws.once("error", (err) => fail(err.message));
    });
  }

  speak(timeoutMs: number): Promise<SpeakOutcome> {
    this.#frames = 0;
    this.#bytes = 0;
    this.#audioBytes = 0;
    const requestId = newHexId();
    return new Promise((resolve) => {
      if (this.ws.readyState !== WebSocket.OPEN) return resolve({ ok: false, why: "connection closed" });
      this.#settle = resolve;
      this.#timer = setTimeout(() => this.#done({ ok: false, why: `no turn.end within ${timeoutMs} ms` }), timeoutMs);
      this.#sentAt = performance.now();
      if (this.sdk && this.#first) this.ws.send(text("speech.config", requestId, "application/json", speechConfig));
      if (this.sdk) this.ws.send(text("synthesis.context", requestId, "application/json", synthesisContext));
      this.ws.send(text("ssml", requestId, "application/ssml+xml", ttsSsml));
      this.#first = false;
    });
  }

  #done(outcome: SpeakOutcome): void {
    const settle = this.#settle;
    if (settle === undefined) return;
    this.#settle = undefined;
    clearTimeout(this.#timer);
    settle(outcome);
  }
}

/** One speak on a fresh connection: the shape of speechmock's answer, which the bare server is asked to copy. */
export async function probeSpeak(server: TtsWsServer, timeoutMs = 10_000): Promise<SpeakShape> {
  const speaker = await Speaker.open(server, timeoutMs);
  if (!(speaker instanceof Speaker)) throw new Error(`TTS WebSocket probe of ${server.url()}: ${speaker.why}`);
  try {
    const outcome = await speaker.speak(timeoutMs);
    if (!outcome.ok) throw new Error(`TTS WebSocket probe of ${server.url()}: ${outcome.why}`);
    return outcome.shape;
  } finally {
    speaker.ws.close();
  }
}

/** One stretch of speaks against one server. */
export interface SpeakSample {
  completed: number;
  seconds: number;
  failures: number;
  firstFailure?: string;
  latenciesMs: number[];
  serverCpuMs: number;
  clientCpuMs: number;
}

export interface SpeakLoad {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  firstFailure?: string;
  /** CPU time per completed speak, in microseconds: the server's, and this process's (the client's). */
  serverCpuUs: number;
  clientCpuUs: number;
}

/** `connections` connections speaking in a loop for `seconds`, each answer checked against `expect`. */
export async function runSpeaks(
  server: TtsWsServer,
  expect: SpeakShape,
  connections: number,
  seconds: number,
  timeoutMs = 10_000,
): Promise<SpeakSample> {
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failures++;
    firstFailure ??= why;
  };
  const opened = await Promise.all(Array.from({ length: connections }, () => Speaker.open(server, timeoutMs)));
  const speakers: Speaker[] = [];
  for (const s of opened) {
    if (s instanceof Speaker) speakers.push(s);
    else fail(s.why);
  }
  const latenciesMs: number[] = [];
  let completed = 0;
  const cpuBefore = cpuTimeMs(server.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    speakers.map(async (speaker) => {
      while (performance.now() < deadline) {
        const outcome = await speaker.speak(timeoutMs);
        if (!outcome.ok) return fail(outcome.why);
        const { frames, bytes } = outcome.shape;
        if (frames !== expect.frames || bytes !== expect.bytes) {
          return fail(`answered ${frames} binary frames of ${bytes} bytes, expected ${expect.frames} of ${expect.bytes}`);
        }
        if (performance.now() <= deadline) {
          completed++;
          latenciesMs.push(outcome.ms);
        }
      }
    }),
  );
  const clientCpu = process.cpuUsage(clientBefore);
  const sample: SpeakSample = {
    completed,
    seconds,
    failures,
    firstFailure,
    latenciesMs,
    serverCpuMs: cpuTimeMs(server.pid) - cpuBefore,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
  };
  await Promise.all(
    speakers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            s.ws.terminate();
            resolve();
          }, 2000);
          s.ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          s.ws.close();
        }),
    ),
  );
  if (failures > 0) process.stderr.write(`bench: ${failures} failed speaks on ${server.url()}, first: ${firstFailure}\n`);
  return sample;
}

export function summarizeSpeaks(samples: readonly SpeakSample[]): SpeakLoad {
  const sum = (f: (s: SpeakSample) => number) => samples.reduce((acc, s) => acc + f(s), 0);
  const completed = sum((s) => s.completed);
  const latencies = samples.flatMap((s) => s.latenciesMs);
  return {
    perSecond: completed / sum((s) => s.seconds),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures: sum((s) => s.failures),
    firstFailure: samples.find((s) => s.firstFailure)?.firstFailure,
    serverCpuUs: (sum((s) => s.serverCpuMs) * 1000) / Math.max(1, completed),
    clientCpuUs: (sum((s) => s.clientCpuMs) * 1000) / Math.max(1, completed),
  };
}
