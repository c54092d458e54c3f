/**
 * Test support: the real Microsoft Speech SDK (Node) driven against a running mock. Every value
 * returned here is what the SDK itself reports: its callbacks, its events, and the URL it says it
 * connected to (`SpeechServiceConnection_Url`, which carries its `X-ConnectionId`).
 */
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

export interface SdkRecognition {
  result: sdk.SpeechRecognitionResult;
  /** The cancellation the result carries (`CancellationDetails.fromResult`), if it was canceled. */
  cancellation?: { reason: sdk.CancellationReason; errorCode: sdk.CancellationErrorCode; errorDetails: string };
  /** The `canceled` events the recognizer raised. */
  canceledEvents: { reason: sdk.CancellationReason; errorCode: sdk.CancellationErrorCode; errorDetails: string }[];
  url: URL;
  connectionId: string;
}

/**
 * Runs `recognizeOnceAsync` over a tenth of a second of silence (16 kHz, 16-bit mono) and closes
 * the recognizer. Used for refusals: the mock speaks no protocol after the handshake yet.
 */
export async function recognizeOnce(config: sdk.SpeechConfig, timeoutMs = 10_000): Promise<SdkRecognition> {
  const audio = sdk.AudioInputStream.createPushStream();
  audio.write(new ArrayBuffer(3_200));
  audio.close();
  const recognizer = recognizerFor(config, audio);
  const canceledEvents: SdkRecognition["canceledEvents"] = [];
  recognizer.canceled = (_sender, e) => canceledEvents.push({ reason: e.reason, errorCode: e.errorCode, errorDetails: e.errorDetails });
  try {
    const result = await withTimeout(
      new Promise<sdk.SpeechRecognitionResult>((resolve, reject) => recognizer.recognizeOnceAsync(resolve, reject)),
      timeoutMs,
      "finish recognizeOnceAsync",
    );
    let cancellation: SdkRecognition["cancellation"];
    if (result.reason === sdk.ResultReason.Canceled) {
      const details = sdk.CancellationDetails.fromResult(result);
      cancellation = { reason: details.reason, errorCode: details.ErrorCode, errorDetails: details.errorDetails };
    }
    return { result, cancellation, canceledEvents, ...attemptedUrl(recognizer) };
  } finally {
    await closeRecognizer(recognizer);
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
