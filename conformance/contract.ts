/**
 * The client contract: what the runner gives a client (environment variables) and what the client
 * reports back (one JSON object per line on stdout). The client is a thin agent: it follows a
 * plan and reports what it saw; the runner owns the cases and judges.
 */
import * as z from "../mock-server/zod.ts";

/** Environment variables the runner sets for each case. */
export const env = {
  /** The case being run, e.g. `token.reuse` (for the client's logs; the plan says what to do). */
  caseId: "SPEECHMOCK_CASE",
  /** Full token service URL: `http://127.0.0.1:PORT/sts/v1.0/issueToken`. */
  stsUrl: "SPEECHMOCK_STS_URL",
  /** Full speech endpoint: `ws://127.0.0.1:PORT/speech/recognition/conversation/cognitiveservices/v1?language=en-US`. */
  wsUrl: "SPEECHMOCK_WS_URL",
  region: "SPEECHMOCK_REGION",
  /** The subscription key to get tokens with. */
  key: "SPEECHMOCK_KEY",
  /** A 16 kHz, 16-bit mono WAV file to recognize. */
  audio: "SPEECHMOCK_AUDIO",
  /** Sessions to run one after the other: each opens its own connection (default 1). */
  sessions: "SPEECHMOCK_SESSIONS",
  /** Recognitions of the audio per session, on that session's connection (default 1). */
  turns: "SPEECHMOCK_TURNS",
  /**
   * When each session starts: comma-separated milliseconds from the client's start (wall time,
   * already scaled). A session starts then, or as soon as the one before ends if that is later;
   * sessions beyond the list start right after the one before. Empty: one after the other.
   */
  startsMs: "SPEECHMOCK_STARTS_MS",
  /**
   * Multiply every duration the client takes from the service's rules by this: the token
   * lifetime (10 min) and refresh point (9 min), `Retry-After`, backoff and timeouts. The mock's
   * clock runs 1/scale times as fast, so 10 minutes of token lifetime pass in 6 s at 0.01.
   */
  timeScale: "SPEECHMOCK_TIME_SCALE",
  /**
   * Which API recognizes: `websocket` (the default) over `SPEECHMOCK_WS_URL`, or `rest`: one
   * POST of the whole clip per turn to `SPEECHMOCK_REST_URL` (the REST API for short audio).
   */
  api: "SPEECHMOCK_API",
  /** The REST endpoint for short audio: `http://127.0.0.1:PORT/speech/recognition/conversation/cognitiveservices/v1?language=en-US`. */
  restUrl: "SPEECHMOCK_REST_URL",
  /**
   * `single` (the default): a turn is one recognition, over at its first phrase (recognizeOnce),
   * reported as one `recognized` event. `continuous`: a turn recognizes every phrase of the
   * audio, each reported as its own `recognized` event as it arrives, in order, until `turn.end`.
   */
  mode: "SPEECHMOCK_MODE",
  /**
   * `simple` (the default) or `detailed`: ask the service for the detailed format the way the
   * library does (`format=detailed` in the URL) and report each phrase's `nbest`.
   */
  format: "SPEECHMOCK_FORMAT",
  /**
   * `fast` (the default): send the audio as fast as the client likes. `real-time`: as a
   * microphone would, each chunk (100 ms of audio or less) when its audio has been spoken, in
   * wall time (not scaled), still reading what the service sends meanwhile.
   */
  pace: "SPEECHMOCK_PACE",
  /**
   * What the client does in each turn: `recognize` (the default) the audio, `synthesize` the text
   * (over `SPEECHMOCK_API`: `rest` posts SSML to `SPEECHMOCK_TTS_REST_URL`, `websocket` speaks it
   * on `SPEECHMOCK_TTS_WS_URL` as the Speech SDK does), or `voices`: list the voices once per
   * session from `SPEECHMOCK_VOICES_URL`. Sessions, turns, starts and the token rules are the same.
   */
  task: "SPEECHMOCK_TASK",
  /** REST synthesis: `http://127.0.0.1:PORT/cognitiveservices/v1`. */
  ttsRestUrl: "SPEECHMOCK_TTS_REST_URL",
  /** The SDK's synthesis WebSocket: `ws://127.0.0.1:PORT/tts/cognitiveservices/websocket/v1`. */
  ttsWsUrl: "SPEECHMOCK_TTS_WS_URL",
  /** The voices list: `http://127.0.0.1:PORT/cognitiveservices/voices/list`. */
  voicesUrl: "SPEECHMOCK_VOICES_URL",
  /**
   * The plain text to synthesize. The client wraps it in SSML itself
   * (`<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="LOCALE"><voice name="VOICE">TEXT</voice></speak>`),
   * escaping it as XML: it may hold `&`, `<`, `>` and quotes.
   */
  text: "SPEECHMOCK_TEXT",
  /** The voice's short name, e.g. `en-US-JennyNeural`; its locale is its first two parts. */
  voice: "SPEECHMOCK_VOICE",
  /** The `X-Microsoft-OutputFormat` to ask for, e.g. `riff-24khz-16bit-mono-pcm`. */
  outputFormat: "SPEECHMOCK_OUTPUT_FORMAT",
} as const;

export type ContractEnv = Record<(typeof env)[keyof typeof env], string>;

/** Kinds of failure a client reports; the judge compares them with what the mock did. */
export const errorKinds = ["auth", "quota", "throttled", "server", "timeout", "network", "protocol"] as const;
export type ErrorKind = (typeof errorKinds)[number];

/** Capabilities a client may declare it lacks, to have the cases that need them skipped. */
export const capabilities = [
  "token",
  "refresh",
  "retry",
  "reconnect",
  "telemetry",
  /** `SPEECHMOCK_MODE=continuous`. */
  "continuous",
  /** `SPEECHMOCK_FORMAT=detailed`. */
  "detailed",
  /** `SPEECHMOCK_PACE=real-time`. */
  "live",
  /** `SPEECHMOCK_API=rest`. */
  "rest",
  /** `SPEECHMOCK_TASK=synthesize` over REST (`SPEECHMOCK_API=rest`). */
  "tts",
  /** `SPEECHMOCK_TASK=synthesize` over the SDK's synthesis WebSocket. */
  "tts-websocket",
  /** `SPEECHMOCK_TASK=voices`: a library may list voices without synthesizing over REST (the Speech SDK). */
  "voices",
] as const;
export type Capability = (typeof capabilities)[number];

const optionalInt = z.optional(z.int());

/** One NBest entry of a detailed result, as the client saw it (the service's `Display`, `Lexical`, `Confidence`...). */
const nbestEntry = z.object({
  display: z.optional(z.string()),
  lexical: z.optional(z.string()),
  itn: z.optional(z.string()),
  maskedItn: z.optional(z.string()),
  confidence: z.optional(z.number()),
});

/** One line of a client's stdout. Extra fields are ignored; a missing or wrong one breaks the contract. */
export const clientEvent = z.discriminatedUnion("event", [
  /** A token was obtained from the token service. */
  z.object({ event: z.literal("token") }),
  /** A WebSocket connection was opened (each reconnect again). */
  z.object({ event: z.literal("connected") }),
  /**
   * A recognition finished (one phrase in continuous mode): `Success` with its text, or
   * `NoMatch`. With the detailed format, its NBest list too; offsets and durations in ticks.
   */
  z.object({
    event: z.literal("recognized"),
    status: z.string(),
    text: z.optional(z.string()),
    nbest: z.optional(z.array(nbestEntry)),
    offset: optionalInt,
    duration: optionalInt,
  }),
  /**
   * A synthesis finished and its audio reached the caller whole. `bytes`: the audio as the caller
   * gets it: the REST body as it is, or over the WebSocket the audio frames' payloads joined, with
   * the 44-byte RIFF header in front when a `riff-*` format was asked (as the SDK adds it).
   * `words`: word-boundary metadata entries received (WebSocket), when the client asked for them;
   * punctuation boundaries count too when asked for, as the service sends them as `WordBoundary`.
   */
  z.object({ event: z.literal("synthesized"), bytes: z.int(), words: optionalInt }),
  /** The voices list was read: how many voices, and their short names. */
  z.object({ event: z.literal("voices"), count: z.int(), names: z.optional(z.array(z.string())) }),
  /** The client gave up on something and surfaced it to its caller. */
  z.object({
    event: z.literal("error"),
    kind: z.enum(errorKinds),
    /** The HTTP status (token service or handshake) behind it. */
    status: optionalInt,
    /** The WebSocket close code behind it. */
    code: optionalInt,
    message: z.optional(z.string()),
  }),
  /** The client does not implement this; cases needing it are SKIPPED. */
  z.object({ event: z.literal("unsupported"), capability: z.enum(capabilities) }),
]);

export type ClientEvent = z.output<typeof clientEvent>;

export type LineParse = { ok: true; event: ClientEvent } | { ok: false; problem: string };

/** One stdout line: a JSON object with a known `event`, or a precise reason it is not. */
export function parseEventLine(line: string): LineParse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, problem: `Not JSON: ${JSON.stringify(line.slice(0, 120))}. Expected one JSON object per line (logs go to stderr)` };
  }
  const parsed = z.safeParse(clientEvent, value);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `field ${issue.path.join(".")}` : "the line";
  return { ok: false, problem: `Invalid event ${JSON.stringify(line.slice(0, 120))}: ${where}: ${issue?.message}` };
}
