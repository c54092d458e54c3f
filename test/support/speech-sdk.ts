/**
 * Test support: the real Microsoft Speech SDK (Node) driven against a running mock. Every value
 * returned here is what the SDK itself reports: its callbacks, its events, and the URL it says it
 * connected to (`SpeechServiceConnection_Url`, which carries its `X-ConnectionId`).
 */
import { readFileSync } from "node:fs";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";

/** A recognizer with an empty push stream: no microphone on Node, and no audio is needed to connect. */
function recognizerFor(config: sdk.SpeechConfig, audio = sdk.AudioInputStream.createPushStream()): sdk.SpeechRecognizer {
  return new sdk.SpeechRecognizer(config, sdk.AudioConfig.fromStreamInput(audio));
}

/** The URL of the SDK's last connection attempt and the connection id it sent (`X-ConnectionId`). */
function attemptedUrl(recognizer: sdk.SpeechRecognizer): { url: URL; connectionId: string } {
  const url = new URL(recognizer.properties.getProperty(sdk.PropertyId.SpeechServiceConnection_Url));
  return { url, connectionId: url.searchParams.get("X-ConnectionId") ?? "" };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The Speech SDK did not ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function closeRecognizer(recognizer: sdk.SpeechRecognizer): Promise<void> {
  return new Promise((resolve) => recognizer.close(resolve, () => resolve()));
}

export interface SdkConnection {
  /** `openConnection` called its success callback. */
  opened: boolean;
  /** What `openConnection` passed to its error callback, if it failed. */
  error?: string;
  /** The URL the SDK reports it connected to, and its `X-ConnectionId`. */
  url: URL;
  connectionId: string;
  /** Session ids of the `connected` and `disconnected` events received so far. */
  connected: string[];
  disconnected: string[];
  /** `closeConnection()` then `recognizer.close()`, so the test process can exit. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a recognizer's connection with `Connection.openConnection()` and resolves once the SDK
 * calls back: success after the WebSocket handshake, or failure after its own retries.
 */
export async function openSdkConnection(config: sdk.SpeechConfig, timeoutMs = 10_000): Promise<SdkConnection> {
  const recognizer = recognizerFor(config);
  const connection = sdk.Connection.fromRecognizer(recognizer);
  const connected: string[] = [];
  const disconnected: string[] = [];
  connection.connected = (e) => connected.push(e.sessionId);
  connection.disconnected = (e) => disconnected.push(e.sessionId);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => connection.closeConnection(resolve, () => resolve()));
      connection.close();
      await closeRecognizer(recognizer);
    })();
    return closing;
  };
  try {
    const outcome = await withTimeout(
      new Promise<{ opened: boolean; error?: string }>((resolve) =>
        connection.openConnection(
          () => resolve({ opened: true }),
          (error) => resolve({ opened: false, error: String(error) }),
        ),
      ),
      timeoutMs,
      "answer openConnection",
    );
    return { ...outcome, ...attemptedUrl(recognizer), connected, disconnected, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface SdkCancellation {
  reason: sdk.CancellationReason;
  errorCode: sdk.CancellationErrorCode;
  errorDetails: string;
}

export interface SdkRecognition {
  result: sdk.SpeechRecognitionResult;
  /** The cancellation the result carries (`CancellationDetails.fromResult`), if it was canceled. */
  cancellation?: SdkCancellation;
  /** The `canceled` events the recognizer raised. */
  canceledEvents: SdkCancellation[];
  url: URL;
  connectionId: string;
}

/** `recognizeOnceAsync` on a recognizer, then close it; the result and cancellations as the SDK reports them. */
async function recognizeOnceWith(recognizer: sdk.SpeechRecognizer, timeoutMs: number): Promise<SdkRecognition> {
  const canceledEvents: SdkCancellation[] = [];
  recognizer.canceled = (_sender, e) => canceledEvents.push({ reason: e.reason, errorCode: e.errorCode, errorDetails: e.errorDetails });
  try {
    const result = await withTimeout(
      new Promise<sdk.SpeechRecognitionResult>((resolve, reject) => recognizer.recognizeOnceAsync(resolve, reject)),
      timeoutMs,
      "finish recognizeOnceAsync",
    );
    let cancellation: SdkCancellation | undefined;
    if (result.reason === sdk.ResultReason.Canceled) {
      const details = sdk.CancellationDetails.fromResult(result);
      cancellation = { reason: details.reason, errorCode: details.ErrorCode, errorDetails: details.errorDetails };
    }
    return { result, cancellation, canceledEvents, ...attemptedUrl(recognizer) };
  } finally {
    await closeRecognizer(recognizer);
  }
}

/**
 * Runs `recognizeOnceAsync` over a tenth of a second of silence (16 kHz, 16-bit mono) and closes
 * the recognizer. Used for refusals, where the audio never reaches the mock.
 */
export async function recognizeOnce(config: sdk.SpeechConfig, timeoutMs = 10_000): Promise<SdkRecognition> {
  const audio = sdk.AudioInputStream.createPushStream();
  audio.write(new ArrayBuffer(3_200));
  audio.close();
  return recognizeOnceWith(recognizerFor(config, audio), timeoutMs);
}

/** The SDK reading a WAV file itself, as an application with a recording would give it one. */
const wavInput = (wavPath: string) => sdk.AudioConfig.fromWavFileInput(readFileSync(wavPath));

/** Runs `recognizeOnceAsync` over a WAV file and closes the recognizer. */
export async function recognizeFile(config: sdk.SpeechConfig, wavPath: string, timeoutMs = 15_000): Promise<SdkRecognition> {
  return recognizeOnceWith(new sdk.SpeechRecognizer(config, wavInput(wavPath)), timeoutMs);
}

/** One `recognizing` or `recognized` event, in the order the recognizer raised it. */
export interface SdkRecognitionEvent {
  type: "recognizing" | "recognized";
  reason: sdk.ResultReason;
  text: string;
  /** In 100 ns ticks, as the SDK reports them. */
  offset: number;
  duration: number;
  /** The service's message as the SDK keeps it (`result.json`). */
  json: string;
}

export interface SdkContinuousRecognition {
  /** `recognizing` and `recognized` events, interleaved in the order they were raised. */
  events: SdkRecognitionEvent[];
  canceledEvents: SdkCancellation[];
  /** Session ids of `sessionStarted` and `sessionStopped`. */
  sessionStarted: string[];
  sessionStopped: string[];
  url: URL;
  connectionId: string;
}

/**
 * Runs continuous recognition over a WAV file until the SDK raises `sessionStopped` (after the
 * service's `turn.end` for the end of the file, or after a cancellation), then stops it and
 * closes the recognizer.
 */
export async function continuousFile(config: sdk.SpeechConfig, wavPath: string, timeoutMs = 20_000): Promise<SdkContinuousRecognition> {
  const recognizer = new sdk.SpeechRecognizer(config, wavInput(wavPath));
  const events: SdkRecognitionEvent[] = [];
  const canceledEvents: SdkCancellation[] = [];
  const sessionStarted: string[] = [];
  const sessionStopped: string[] = [];
  const record = (type: SdkRecognitionEvent["type"]) => (_sender: sdk.Recognizer, e: sdk.SpeechRecognitionEventArgs) =>
    events.push({
      type,
      reason: e.result.reason,
      text: e.result.text,
      offset: e.result.offset,
      duration: e.result.duration,
      json: e.result.json,
    });
  recognizer.recognizing = record("recognizing");
  recognizer.recognized = record("recognized");
  recognizer.canceled = (_sender, e) => canceledEvents.push({ reason: e.reason, errorCode: e.errorCode, errorDetails: e.errorDetails });
  recognizer.sessionStarted = (_sender, e) => sessionStarted.push(e.sessionId);
  const stopped = new Promise<void>((resolve) => {
    recognizer.sessionStopped = (_sender, e) => {
      sessionStopped.push(e.sessionId);
      resolve();
    };
  });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => recognizer.startContinuousRecognitionAsync(resolve, (e) => reject(new Error(e)))),
      timeoutMs,
      "start continuous recognition",
    );
    await withTimeout(stopped, timeoutMs, "raise sessionStopped");
    await withTimeout(
      new Promise<void>((resolve, reject) => recognizer.stopContinuousRecognitionAsync(resolve, (e) => reject(new Error(e)))),
      timeoutMs,
      "stop continuous recognition",
    );
    return { events, canceledEvents, sessionStarted, sessionStopped, ...attemptedUrl(recognizer) };
  } finally {
    await closeRecognizer(recognizer);
  }
}

/**
 * The members of a Speech SDK module that `recognizePcm` uses, typed by shape so one helper drives
 * any version: today's (`microsoft-cognitiveservices-speech-sdk`) and 1.9.0 (`speech-sdk-1.9`),
 * whose `fromWavFileInput` needs a browser's `FileReader` and so cannot read a file on Node.
 */
export interface SpeechSdkParts<Config, Audio, Stream extends { write(data: ArrayBuffer): void; close(): void }, Result> {
  AudioInputStream: { createPushStream(): Stream };
  AudioConfig: { fromStreamInput(stream: Stream): Audio };
  SpeechRecognizer: new (
    config: Config,
    audio: Audio,
  ) => {
    recognizeOnceAsync(done: (result: Result) => void, failed: (error: string) => void): void;
    close(done?: () => void, failed?: (error: string) => void): void;
  };
}

/**
 * Runs `recognizeOnceAsync` with the given SDK module over 16 kHz, 16-bit mono PCM pushed into a
 * push stream (the SDK writes its own WAV header), then closes the recognizer; resolves with the
 * SDK's own result object.
 */
export async function recognizePcm<Config, Audio, Stream extends { write(data: ArrayBuffer): void; close(): void }, Result>(
  sdkModule: SpeechSdkParts<Config, Audio, Stream, Result>,
  config: Config,
  pcm: Uint8Array,
  timeoutMs = 15_000,
): Promise<Result> {
  const stream = sdkModule.AudioInputStream.createPushStream();
  stream.write(pcm.slice().buffer);
  stream.close();
  const recognizer = new sdkModule.SpeechRecognizer(config, sdkModule.AudioConfig.fromStreamInput(stream));
  try {
    return await withTimeout(
      new Promise<Result>((resolve, reject) => recognizer.recognizeOnceAsync(resolve, (error) => reject(new Error(error)))),
      timeoutMs,
      "finish recognizeOnceAsync",
    );
  } finally {
    // Today's close() calls back when done; 1.9.0's is synchronous and takes no callbacks.
    if (recognizer.close.length === 0) recognizer.close();
    else await new Promise<void>((resolve) => recognizer.close(resolve, () => resolve()));
  }
}

/** A token from the mock's issueToken, fetched as an application's backend would. */
export async function fetchToken(stsUrl: string, key: string): Promise<string> {
  const res = await fetch(stsUrl, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`issueToken answered ${res.status}: ${body}`);
  return body;
}

/** The `exp` claim of a JWT, in seconds since the epoch (read, not verified). */
export function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
  if (typeof payload.exp !== "number") throw new Error("The token has no numeric exp claim");
  return payload.exp;
}
