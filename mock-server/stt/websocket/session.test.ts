/**
 * SpeechSession driven directly, without sockets: a fake peer records what the session sends and
 * how it closes, a manual clock fires its timers, and a real journal records what it saw.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { ManualClock } from "../../clock.ts";
import type { MockEvent } from "../../events.ts";
import { Journal, type JournalEntry } from "../../journal.ts";
import { encodeBinaryMessage } from "../../protocol/binary-message.ts";
import { defaultLimits } from "../../protocol/limits.ts";
import { RIFF_HEADER_BYTES, writeRiffHeader } from "../../protocol/riff.ts";
import { decodeTextMessage, encodeTextMessage } from "../../protocol/text-message.ts";
import { builtinTranscripts } from "../../transcripts/builtin.ts";
import type { Transcripts } from "../../transcripts/schema.ts";
import { FingerprintIndex } from "../fingerprint-index.ts";
import type { RecognitionSettings } from "../recognition-settings.ts";
import { type SessionLimits, type SessionPeer, SpeechSession } from "./session.ts";

/** 2025-04-21T12:09:40.250Z. */
const start = 1_745_237_380_250;
const timestamp = new Date(start).toISOString();
const connectionId = "0123456789ABCDEF0123456789ABCDEF";

/** A request id as the SDK makes them: 32 hex digits, told apart by `n`. */
const rid = (n: number): string => `5e55c0de${"a1b2c3d4".repeat(2)}${n.toString(16).padStart(8, "0")}`;

// ---- audio ----------------------------------------------------------------------------------

/** The PCM of a fixture clip: the bytes after its 44-byte RIFF header. */
const pcmOf = (clip: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../fixtures/audio/${clip}`, import.meta.url))).subarray(RIFF_HEADER_BYTES);
const wavOf = (clip: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../fixtures/audio/${clip}`, import.meta.url)));

/** Ticks (100 ns) of 16 kHz 16-bit mono PCM: 625 per sample. */
const ticksOf = (pcm: Uint8Array): number => (pcm.byteLength / 2) * 625;

/** The SDK's chunk: 100 ms of 16 kHz 16-bit mono. */
const chunkBytes = 3200;
const chunksOf = (pcm: Uint8Array): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let at = 0; at < pcm.byteLength; at += chunkBytes) out.push(pcm.subarray(at, at + chunkBytes));
  return out;
};

/** A RIFF header for 8 kHz mono 16-bit: a well-formed WAV the service does not accept. */
const riff8kHz = (): Uint8Array => {
  const bytes = writeRiffHeader();
  const view = new DataView(bytes.buffer);
  view.setUint32(24, 8000, true);
  view.setUint32(28, 16_000, true);
  return bytes;
};

// ---- client messages ------------------------------------------------------------------------

interface HeaderChoice {
  /** Leave this header out. */
  readonly omit?: string;
  /** Headers added to (or replacing) the usual ones. */
  readonly extra?: Readonly<Record<string, string>>;
}

const headersOf = (path: string, requestId: string, choice: HeaderChoice, contentType?: string): Record<string, string> => {
  const headers: Record<string, string> = { Path: path, "X-RequestId": requestId, "X-Timestamp": timestamp };
  if (contentType !== undefined) headers["Content-Type"] = contentType;
  Object.assign(headers, choice.extra);
  if (choice.omit !== undefined) delete headers[choice.omit];
  return headers;
};

/** A text message with a JSON body, as the SDK sends it. */
const text = (path: string, requestId: string, body: unknown = {}, choice: HeaderChoice = {}): string =>
  encodeTextMessage({
    headers: headersOf(path, requestId, choice, "application/json"),
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** An audio message; the first of a turn carries `Content-Type: audio/x-wav`. */
const audio = (requestId: string, payload?: Uint8Array, contentType?: string, choice: HeaderChoice = {}): Uint8Array =>
  encodeBinaryMessage(
    payload
      ? { headers: headersOf("audio", requestId, choice, contentType), payload }
      : { headers: headersOf("audio", requestId, choice, contentType) },
  );

const speechConfig = (): string =>
  text("speech.config", rid(0), { context: { system: { name: "SpeechSDK", version: "1.52.0" }, os: { platform: "Node" } } });

const telemetry = (requestId: string): string => text("telemetry", requestId, { Metrics: [], ReceivedMessages: {} });

// ---- the session under test -----------------------------------------------------------------

interface Sent {
  readonly path: string | undefined;
  readonly requestId: string | undefined;
  readonly contentType: string | undefined;
  readonly headerNames: string[];
  readonly body: string;
}

/** Records what the session sends and how it closes; reports a settable amount of queued bytes. */
class FakePeer implements SessionPeer {
  readonly sent: string[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  buffered = 0;
  send(text: string): void {
    this.sent.push(text);
  }
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
  bufferedAmount(): number {
    return this.buffered;
  }
  /** Every message sent so far, decoded with the codec a client would use. */
  get messages(): Sent[] {
    return this.sent.map((raw) => {
      const { headers, body } = decodeTextMessage(raw);
      return {
        path: headers.path,
        requestId: headers.requestId,
        contentType: headers.contentType,
        headerNames: [...headers].map(([name]) => name),
        body,
      };
    });
  }
  get paths(): (string | undefined)[] {
    return this.messages.map((m) => m.path);
  }
  /** The JSON bodies of the messages with this path, in order. */
  bodies<T = Record<string, unknown>>(path: string): T[] {
    return this.messages.filter((m) => m.path === path).map((m) => JSON.parse(m.body) as T);
  }
}

const defaultSettings: RecognitionSettings = {
  mode: "interactive",
  language: "en-US",
  format: "simple",
  profanity: "masked",
  initialSilenceTimeoutMs: 5000,
};

/** The limits route.ts gives every session with the CLI's defaults. */
const defaultSessionLimits: SessionLimits = {
  idleMs: 180_000,
  lifetimeMs: 600_000,
  interactiveMaxAudioMs: 15_000,
  unmatchedHoldMs: 300,
  // All at once here; the latency has its own tests below.
  responseLatencyMs: 0,
  sendBufferBytes: 1 << 20,
  protocol: defaultLimits,
};

interface Setup {
  readonly settings?: Partial<RecognitionSettings>;
  readonly limits?: Partial<SessionLimits>;
  readonly overQuota?: () => boolean;
  readonly transcripts?: Transcripts;
}

interface Harness {
  readonly session: SpeechSession;
  readonly peer: FakePeer;
  readonly clock: ManualClock;
  readonly journal: Journal;
  readonly logs: MockEvent[];
  /** Feeds one client message. */
  send(data: string | Uint8Array): void;
  /** speech.config, as every connection starts. */
  configure(): void;
  /** One turn's audio as the SDK streams it: WAV header alone, PCM in 3200-byte chunks, then (unless told) the empty end of audio. */
  stream(requestId: string, pcm: Uint8Array, options?: { end?: boolean }): void;
}

const builtin = builtinTranscripts();

function connect(setup: Setup = {}): Harness {
  const clock = new ManualClock(start);
  const journal = new Journal(10_000, clock);
  const peer = new FakePeer();
  const logs: MockEvent[] = [];
  const session = new SpeechSession(
    {
      connectionId,
      settings: { ...defaultSettings, ...setup.settings },
      transcripts: setup.transcripts ?? builtin,
      clock,
      journal,
      logger: (event) => logs.push(event),
      limits: { ...defaultSessionLimits, ...setup.limits },
      overQuota: setup.overQuota ?? (() => false),
    },
    peer,
  );
  const send = (data: string | Uint8Array) => session.receive(data);
  return {
    session,
    peer,
    clock,
    journal,
    logs,
    send,
    configure: () => send(speechConfig()),
    stream: (requestId, pcm, options = {}) => {
      send(audio(requestId, writeRiffHeader(), "audio/x-wav"));
      for (const chunk of chunksOf(pcm)) send(audio(requestId, chunk));
      if (options.end !== false) send(audio(requestId));
    },
  };
}

type Entry<T extends JournalEntry["type"]> = Extract<JournalEntry, { type: T }>;
const entriesOf = <T extends JournalEntry["type"]>(journal: Journal, type: T): Entry<T>[] =>
  journal.entries((e) => e.type === type) as Entry<T>[];
const noticesOf = (journal: Journal): { code: string; requestId: string | undefined }[] =>
  entriesOf(journal, "notice").map((n) => ({ code: n.code, requestId: n.requestId }));

type Log<T extends MockEvent["type"]> = Extract<MockEvent, { type: T }>;
const logsOf = <T extends MockEvent["type"]>(logs: MockEvent[], type: T): Log<T>[] => logs.filter((e) => e.type === type) as Log<T>[];

const remindMe = pcmOf("remind-me.wav");
const hello = pcmOf("hello.wav");
const twoUtterances = pcmOf("two-utterances.wav");
const silence = pcmOf("silence.wav");

interface Phrase {
  RecognitionStatus: string;
  DisplayText?: string;
  Offset: number;
  Duration: number;
  NBest?: { Confidence: number; Lexical: string; ITN: string; MaskedITN: string; Display: string }[];
}
interface Hypothesis {
  Text: string;
  Offset: number;
  Duration: number;
}

// ---- turns ----------------------------------------------------------------------------------

t.test("an interactive turn on remind-me.wav", async (t) => {
  const h = connect();
  const id = rid(1);
  h.configure();
  t.strictSame(h.peer.sent, [], "speech.config is not answered");
  h.stream(id, remindMe, { end: false });
  // Its trailing silence is shorter than the segmentation silence: the end of audio ends the utterance.
  t.strictSame(
    h.peer.paths.filter((p) => p !== "speech.hypothesis"),
    ["turn.start", "speech.startDetected"],
    "before the end of audio: the start of speech and live hypotheses, no phrase",
  );
  h.send(audio(id));

  const paths = h.peer.paths;
  const hypothesisCount = paths.filter((p) => p === "speech.hypothesis").length;
  t.ok(hypothesisCount >= 2, `${hypothesisCount} hypotheses`);
  t.strictSame(
    paths,
    [
      "turn.start",
      "speech.startDetected",
      ...Array(hypothesisCount).fill("speech.hypothesis"),
      "speech.endDetected",
      "speech.phrase",
      "turn.end",
    ],
    "the messages come in the documented order",
  );

  t.test("sends every message with the turn's X-RequestId, a Path and a JSON Content-Type exactly when there is a body", async (t) => {
    for (const m of h.peer.messages) {
      t.equal(m.requestId, id, `${m.path} X-RequestId`);
      t.ok(m.path, "Path is set");
      if (m.path === "turn.end") {
        t.equal(m.body, "", "turn.end has an empty body");
        t.equal(m.contentType, undefined, "and no Content-Type");
      } else {
        t.equal(m.contentType, "application/json; charset=utf-8", `${m.path} Content-Type`);
        t.doesNotThrow(() => JSON.parse(m.body), `${m.path} body is JSON`);
        t.notOk(m.body.includes("\r\n\r\n"), "no body holds CRLFCRLF");
      }
    }
  });

  t.test("turn.start carries a 32-hex service tag", async (t) => {
    const [turnStart] = h.peer.bodies<{ context: { serviceTag: string } }>("turn.start");
    t.match(turnStart?.context.serviceTag, /^[0-9A-F]{32}$/);
  });

  t.test("speech.phrase has the exact DisplayText, simple format, and the start and end detected frame it", async (t) => {
    const phrases = h.peer.bodies<Phrase>("speech.phrase");
    t.equal(phrases.length, 1);
    const phrase = phrases[0] as Phrase;
    t.equal(phrase.RecognitionStatus, "Success");
    t.equal(phrase.DisplayText, "Remind me to buy 5 pencils.");
    t.strictSame(Object.keys(phrase).sort(), ["DisplayText", "Duration", "Offset", "RecognitionStatus"], "no NBest in simple format");
    t.ok(Number.isInteger(phrase.Offset) && Number.isInteger(phrase.Duration), "Offset and Duration are integer ticks");
    t.ok(phrase.Duration > 0);
    t.ok(phrase.Offset + phrase.Duration <= ticksOf(remindMe), "the phrase lies within the audio");
    t.strictSame(h.peer.bodies("speech.startDetected"), [{ Offset: phrase.Offset }]);
    t.strictSame(h.peer.bodies("speech.endDetected"), [{ Offset: phrase.Offset + phrase.Duration }]);
  });

  t.test("hypotheses grow word by word up to the phrase's ITN text", async (t) => {
    const hypotheses = h.peer.bodies<Hypothesis>("speech.hypothesis");
    const [phrase] = h.peer.bodies<Phrase>("speech.phrase");
    for (let i = 1; i < hypotheses.length; i++) {
      const previous = hypotheses[i - 1] as Hypothesis;
      const current = hypotheses[i] as Hypothesis;
      t.ok(current.Text.startsWith(`${previous.Text} `), `${JSON.stringify(current.Text)} extends ${JSON.stringify(previous.Text)}`);
      t.ok(current.Duration > previous.Duration, "and lasts longer");
    }
    t.equal(hypotheses.at(-1)?.Text, "remind me to buy 5 pencils");
    for (const hyp of hypotheses) {
      t.equal(hyp.Offset, phrase?.Offset, "a hypothesis starts where its phrase does");
      t.ok(hyp.Duration <= (phrase?.Duration ?? 0), "and ends within it");
    }
  });

  t.test("journals the turn's start and end, and logs one turn event", async (t) => {
    t.strictSame(
      entriesOf(h.journal, "turn").map((e) => [e.requestId, e.phase, e.status]),
      [
        [id, "start", undefined],
        [id, "end", "Success"],
      ],
    );
    const out = entriesOf(h.journal, "message").filter((e) => e.direction === "out");
    t.strictSame(
      out.map((e) => e.path),
      paths,
      "every message sent is journaled",
    );
    const audioIn = entriesOf(h.journal, "message").filter((e) => e.direction === "in" && e.path === "audio");
    t.equal(audioIn.length, 1 + chunksOf(remindMe).length + 1);
    t.equal(audioIn.at(-1)?.payload, 0, "the end of audio has an empty payload");
    t.strictSame(logsOf(h.logs, "turn"), [
      {
        type: "turn",
        connectionId,
        requestId: id,
        mode: "interactive",
        audioMs: Math.round(ticksOf(remindMe) / 10_000),
        status: "Success",
        phrases: 1,
        scripted: true,
      },
    ]);
    t.notOk(h.session.closed);
    t.strictSame(h.peer.closes, []);
  });
});

t.test("a first audio message carrying the WAV header and the PCM together is heard the same", async (t) => {
  const h = connect();
  h.configure();
  h.send(audio(rid(1), wavOf("hello.wav"), "audio/x-wav"));
  h.send(audio(rid(1)));
  t.strictSame(
    h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
    ["Hello world."],
  );
});

t.test("a Content-Type with parameters and other casing is accepted", async (t) => {
  const h = connect();
  h.configure();
  h.send(audio(rid(1), writeRiffHeader(), "Audio/X-WAV; codecs=audio/pcm; samplerate=16000"));
  for (const chunk of chunksOf(hello)) h.send(audio(rid(1), chunk));
  h.send(audio(rid(1)));
  t.notOk(h.session.closed);
  t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Hello world.");
});

t.test("speech.config again before a later turn is accepted, as the JS SDK sends it at every recognize()", async (t) => {
  const h = connect();
  h.configure();
  h.stream(rid(1), hello);
  h.send(speechConfig());
  h.stream(rid(2), remindMe);
  t.notOk(h.session.closed);
  t.strictSame(
    h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
    ["Hello world.", "Remind me to buy 5 pencils."],
  );
  t.equal(entriesOf(h.journal, "violation").length, 0);
});

t.test("detailed format adds NBest with the transcript's four forms and confidence", async (t) => {
  const h = connect({ settings: { format: "detailed" } });
  h.configure();
  h.stream(rid(1), remindMe);
  const [phrase] = h.peer.bodies<Phrase>("speech.phrase");
  t.equal(phrase?.RecognitionStatus, "Success");
  t.equal(phrase?.DisplayText, "Remind me to buy 5 pencils.");
  t.strictSame(phrase?.NBest, [
    {
      Confidence: 0.9,
      Lexical: "remind me to buy five pencils",
      ITN: "remind me to buy 5 pencils",
      MaskedITN: "remind me to buy 5 pencils",
      Display: "Remind me to buy 5 pencils.",
    },
  ]);
});

t.test("interactive mode on two-utterances.wav answers only the first utterance", async (t) => {
  const h = connect();
  h.configure();
  h.stream(rid(1), twoUtterances);
  t.strictSame(
    h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
    ["Turn on the lights."],
  );
  t.equal(h.peer.paths.at(-1), "turn.end");
});

t.test("conversation mode on two-utterances.wav gives two phrases in order with increasing offsets", async (t) => {
  const h = connect({ settings: { mode: "conversation" } });
  h.configure();
  h.stream(rid(1), twoUtterances);
  const phrases = h.peer.bodies<Phrase>("speech.phrase");
  t.strictSame(
    phrases.map((p) => [p.RecognitionStatus, p.DisplayText]),
    [
      ["Success", "Turn on the lights."],
      ["Success", "Set a timer for 10 minutes."],
    ],
  );
  const [first, second] = phrases as [Phrase, Phrase];
  t.ok(second.Offset > first.Offset, `${second.Offset} > ${first.Offset}`);
  t.ok(second.Offset >= first.Offset + first.Duration, "the second starts after the first ends");
  t.ok(second.Offset - (first.Offset + first.Duration) >= 14_000_000, "with the 1.5 s pause (at least 1.4 s) between them");
  t.strictSame(h.peer.bodies("speech.startDetected"), [{ Offset: first.Offset }], "one start of speech per turn");
  t.strictSame(h.peer.bodies("speech.endDetected"), [{ Offset: ticksOf(twoUtterances) }], "the end is the end of the audio");
  const hypotheses = h.peer.bodies<Hypothesis>("speech.hypothesis");
  t.strictSame([...new Set(hypotheses.map((x) => x.Offset))], [first.Offset, second.Offset], "each phrase has its own hypotheses");
  const firstPhraseAt = h.peer.paths.indexOf("speech.phrase");
  t.ok(
    h.peer.messages.slice(0, firstPhraseAt).every((m) => m.path !== "speech.hypothesis" || JSON.parse(m.body).Offset === first.Offset),
    "the second phrase's hypotheses come after the first phrase",
  );
  t.equal(logsOf(h.logs, "turn")[0]?.phrases, 2);
});

t.test("dictation mode ends the turn with an EndOfDictation phrase", async (t) => {
  const h = connect({ settings: { mode: "dictation" } });
  h.configure();
  h.stream(rid(1), hello);
  const phrases = h.peer.bodies<Phrase>("speech.phrase");
  t.strictSame(
    phrases.map((p) => p.RecognitionStatus),
    ["Success", "EndOfDictation"],
  );
  t.equal(phrases[0]?.DisplayText, "Hello world.");
  t.strictSame(phrases[1], { RecognitionStatus: "EndOfDictation", Offset: ticksOf(hello), Duration: 0 });
  // Both phrases come with the end of the audio, after speech.endDetected.
  t.strictSame(h.peer.paths.slice(-4), ["speech.endDetected", "speech.phrase", "speech.phrase", "turn.end"]);
  t.equal(logsOf(h.logs, "turn")[0]?.status, "Success");
});

t.test("silence", async (t) => {
  t.test("silence.wav shorter than the initial silence timeout gives NoMatch and no start of speech", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), silence);
    t.strictSame(h.peer.paths, ["turn.start", "speech.endDetected", "speech.phrase", "turn.end"]);
    t.strictSame(h.peer.bodies("speech.phrase"), [{ RecognitionStatus: "NoMatch", Offset: 0, Duration: ticksOf(silence) }]);
    t.equal(entriesOf(h.journal, "turn").at(-1)?.status, "NoMatch");
    t.equal(logsOf(h.logs, "turn")[0]?.scripted, false);
  });

  t.test("continuous silence.wav at least the initial silence timeout gives InitialSilenceTimeout at the end of audio", async (t) => {
    const h = connect({ settings: { mode: "conversation", initialSilenceTimeoutMs: 1000 } });
    h.configure();
    h.stream(rid(1), silence, { end: false });
    t.strictSame(h.peer.paths, ["turn.start"], "continuous turns wait for the end of audio");
    h.send(audio(rid(1)));
    t.strictSame(h.peer.bodies("speech.phrase"), [{ RecognitionStatus: "InitialSilenceTimeout", Offset: 0, Duration: 10_000_000 }]);
    t.strictSame(h.peer.bodies("speech.endDetected"), [{ Offset: ticksOf(silence) }]);
  });

  t.test("interactive mode answers as soon as the initial silence timeout is reached, without the end-of-audio message", async (t) => {
    const h = connect({ settings: { initialSilenceTimeoutMs: 1000 } });
    const id = rid(1);
    h.configure();
    h.send(audio(id, writeRiffHeader(), "audio/x-wav"));
    const chunks = chunksOf(silence);
    // 1000 ms is ten 100 ms chunks: nothing but turn.start after nine, the whole answer after the tenth.
    for (const chunk of chunks.slice(0, 9)) h.send(audio(id, chunk));
    t.strictSame(h.peer.paths, ["turn.start"]);
    h.send(audio(id, chunks[9] as Uint8Array));
    t.strictSame(h.peer.paths, ["turn.start", "speech.endDetected", "speech.phrase", "turn.end"]);
    t.strictSame(h.peer.bodies("speech.phrase"), [{ RecognitionStatus: "InitialSilenceTimeout", Offset: 0, Duration: 10_000_000 }]);
    t.equal(logsOf(h.logs, "turn")[0]?.status, "InitialSilenceTimeout");

    // The rest of the clip and its end were already in flight: dropped, never an error, with one notice for the turn.
    for (const chunk of chunks.slice(10)) h.send(audio(id, chunk));
    h.send(audio(id));
    t.equal(h.peer.sent.length, 4, "nothing more is sent");
    t.notOk(h.session.closed);
    const notices = noticesOf(h.journal);
    t.strictSame(notices, [{ code: "audio.after_turn_end", requestId: id }], "one audio.after_turn_end notice for the turn");
  });

  t.test("interactive mode times out on initial silence inside a first message that holds header and PCM", async (t) => {
    const h = connect({ settings: { initialSilenceTimeoutMs: 1000 } });
    h.configure();
    h.send(audio(rid(1), wavOf("silence.wav"), "audio/x-wav"));
    t.strictSame(h.peer.paths, ["turn.start", "speech.endDetected", "speech.phrase", "turn.end"]);
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.RecognitionStatus, "InitialSilenceTimeout");
    h.send(audio(rid(1)));
    t.equal(h.peer.sent.length, 4);
    // The whole 2 s clip in one message is also over the 2017 document's 8192-byte chunk.
    t.strictSame(noticesOf(h.journal), [
      { code: "audio.chunk_oversized", requestId: rid(1) },
      { code: "audio.after_turn_end", requestId: rid(1) },
    ]);
  });
});

t.test("interactive mode answers once its audio reaches the cap, without the end-of-audio message", async (t) => {
  const h = connect({ limits: { interactiveMaxAudioMs: 1000 } });
  const id = rid(1);
  h.configure();
  h.send(audio(id, writeRiffHeader(), "audio/x-wav"));
  const chunks = chunksOf(remindMe);
  for (const chunk of chunks.slice(0, 9)) h.send(audio(id, chunk));
  t.notOk(h.peer.paths.includes("speech.phrase"), "no phrase before the cap");
  h.send(audio(id, chunks[9] as Uint8Array));
  t.equal(h.peer.paths.at(-1), "turn.end");
  t.equal(logsOf(h.logs, "turn")[0]?.audioMs, 1000);
});

t.test("a mismatched request id names both ids, and says whether the turn's audio had begun", async (t) => {
  const messageOf = (h: Harness) => h.journal.entries((e) => e.type === "violation").map((e) => (e as { message: string }).message);
  const pending = connect();
  pending.configure();
  pending.send(text("speech.context", rid(1)));
  pending.send(audio(rid(2), writeRiffHeader(), "audio/x-wav"));
  t.strictSame(messageOf(pending), [
    `Cannot accept audio for request ${rid(2)}: the turn's speech.context was sent with request id ${rid(1)}`,
  ]);
  const streaming = connect();
  streaming.configure();
  streaming.stream(rid(1), hello, { end: false });
  streaming.send(audio(rid(2), hello.subarray(0, chunkBytes)));
  t.strictSame(messageOf(streaming), [
    `Cannot accept audio for request ${rid(2)}: turn ${rid(1)} is in progress and its audio has not ended`,
  ]);
});

t.test("a message that breaks a header rule is journaled with what it did carry, before its violation", async (t) => {
  const h = connect();
  h.configure();
  h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav", { omit: "X-Timestamp" }));
  const mine = h.journal.entries().slice(-3);
  t.match(mine, [
    { type: "message", direction: "in", kind: "binary", path: "audio", requestId: rid(1), payload: 44 },
    { type: "violation", code: "ERR_HEADER_MISSING", closeReason: "Missing/Empty header. X-Timestamp." },
    { type: "close", initiator: "server", code: 1002 },
  ]);
});

t.test("universal mode", async (t) => {
  t.test("speech.context with phraseDetection.mode CONVERSATION makes the turn continuous", async (t) => {
    const h = connect({ settings: { mode: "universal" } });
    h.configure();
    h.send(text("speech.context", rid(1), { phraseDetection: { mode: "CONVERSATION" }, phraseOutput: { format: "Simple" } }));
    h.stream(rid(1), twoUtterances);
    t.strictSame(
      h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
      ["Turn on the lights.", "Set a timer for 10 minutes."],
    );
    t.equal(logsOf(h.logs, "turn")[0]?.mode, "conversation");
  });

  t.test("without speech.context the turn is interactive", async (t) => {
    const h = connect({ settings: { mode: "universal" } });
    h.configure();
    h.stream(rid(1), twoUtterances);
    t.strictSame(
      h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
      ["Turn on the lights."],
    );
    t.equal(logsOf(h.logs, "turn")[0]?.mode, "interactive");
  });

  t.test("each turn takes its mode from its own speech.context", async (t) => {
    const h = connect({ settings: { mode: "universal" } });
    h.configure();
    h.send(text("speech.context", rid(1), { phraseDetection: { mode: "Dictation" } }));
    h.stream(rid(1), hello);
    h.send(text("speech.context", rid(2), { phraseDetection: { mode: "INTERACTIVE" } }));
    h.stream(rid(2), hello);
    t.strictSame(
      logsOf(h.logs, "turn").map((e) => e.mode),
      ["dictation", "interactive"],
    );
    t.equal(h.peer.bodies<Phrase>("speech.phrase").filter((p) => p.RecognitionStatus === "EndOfDictation").length, 1);
  });

  t.test("a repeated speech.context replaces the mode before the audio, not once the audio flows", async (t) => {
    const before = connect({ settings: { mode: "universal" } });
    before.configure();
    before.send(text("speech.context", rid(1), { phraseDetection: { mode: "INTERACTIVE" } }));
    before.send(text("speech.context", rid(1), { phraseDetection: { mode: "CONVERSATION" } }));
    before.stream(rid(1), twoUtterances);
    t.equal(logsOf(before.logs, "turn")[0]?.mode, "conversation", "replaced before the audio");

    const during = connect({ settings: { mode: "universal" } });
    during.configure();
    during.send(text("speech.context", rid(1), { phraseDetection: { mode: "INTERACTIVE" } }));
    during.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
    during.send(text("speech.context", rid(1), { phraseDetection: { mode: "DICTATION" } }));
    for (const chunk of chunksOf(twoUtterances)) during.send(audio(rid(1), chunk));
    during.send(audio(rid(1)));
    t.equal(logsOf(during.logs, "turn")[0]?.mode, "interactive", "kept once the audio started");
    t.strictSame(
      during.peer.bodies<Phrase>("speech.phrase").map((p) => p.RecognitionStatus),
      ["Success"],
      "one phrase, no EndOfDictation",
    );
  });

  t.test("a fixed path ignores the mode speech.context names", async (t) => {
    const h = connect({ settings: { mode: "interactive" } });
    h.configure();
    h.send(text("speech.context", rid(1), { phraseDetection: { mode: "CONVERSATION" } }));
    h.stream(rid(1), twoUtterances);
    t.equal(h.peer.bodies("speech.phrase").length, 1);
  });
});

t.test("silence that ends an utterance", async (t) => {
  // Nothing scripted: every stretch of speech the detector finds becomes one phrase of this text.
  const unscripted: Transcripts = {
    fallback: { kind: "text", text: "Something was said." },
    profaneWords: new Set(),
    bySha256: new Map(),
    byFingerprint: new FingerprintIndex(),
  };
  const phrasesOf = (h: Harness): Phrase[] => h.peer.bodies<Phrase>("speech.phrase");

  t.test("by default the 1.5 s pause of two-utterances.wav splits it into two phrases", async (t) => {
    const h = connect({ settings: { mode: "conversation" }, transcripts: unscripted });
    h.configure();
    h.stream(rid(1), twoUtterances);
    t.strictSame(
      phrasesOf(h).map((p) => p.DisplayText),
      ["Something was said.", "Something was said."],
    );
  });

  t.test("segmentationSilenceTimeoutMs longer than the pause keeps it one phrase", async (t) => {
    const h = connect({ settings: { mode: "conversation", segmentationSilenceTimeoutMs: 2000 }, transcripts: unscripted });
    h.configure();
    h.stream(rid(1), twoUtterances);
    t.equal(phrasesOf(h).length, 1);
  });

  t.test("on the universal endpoint endSilenceTimeoutMs applies to interactive turns only", async (t) => {
    const settings = { mode: "universal", endSilenceTimeoutMs: 2000 } as const;
    const short = connect({ settings: { mode: "universal" }, transcripts: unscripted });
    short.configure();
    short.stream(rid(1), twoUtterances);
    const long = connect({ settings, transcripts: unscripted });
    long.configure();
    long.stream(rid(1), twoUtterances);
    const [first] = phrasesOf(short);
    const [whole] = phrasesOf(long);
    t.ok(
      (whole?.Duration ?? 0) > (first?.Duration ?? 0) + 15_000_000,
      "the interactive turn's one phrase runs over the pause into the second utterance",
    );
    long.send(text("speech.context", rid(2), { phraseDetection: { mode: "CONVERSATION" } }));
    long.stream(rid(2), twoUtterances);
    t.equal(phrasesOf(long).length - 1, 2, "the conversation turn still splits at the pause");
  });
});

t.test("turns on one connection", async (t) => {
  t.test("a second turn with a new request id is answered under its own id", async (t) => {
    const h = connect();
    h.configure();
    h.send(text("speech.context", rid(1)));
    h.stream(rid(1), remindMe);
    h.send(telemetry(rid(1)));
    h.send(text("speech.context", rid(2)));
    h.stream(rid(2), hello);
    h.send(telemetry(rid(2)));
    const second = h.peer.messages.filter((m) => m.requestId === rid(2));
    t.equal(second[0]?.path, "turn.start");
    t.equal(second.at(-1)?.path, "turn.end");
    t.strictSame(
      h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
      ["Remind me to buy 5 pencils.", "Hello world."],
    );
    t.equal(h.peer.messages.filter((m) => m.path === "turn.end").length, 2);
    t.notOk(h.session.closed);
    t.strictSame(noticesOf(h.journal), []);
  });

  t.test("audio without a speech.context starts a turn", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), hello);
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Hello world.");
  });

  t.test("late audio without Content-Type for an ended turn is ignored with a journal notice", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), hello);
    const sent = h.peer.sent.length;
    h.send(audio(rid(1), hello.subarray(0, chunkBytes)));
    h.send(audio(rid(1)));
    t.equal(h.peer.sent.length, sent, "nothing is sent");
    t.notOk(h.session.closed);
    t.strictSame(noticesOf(h.journal), [{ code: "audio.after_turn_end", requestId: rid(1) }]);
    h.stream(rid(2), hello);
    t.equal(h.peer.bodies("speech.phrase").length, 2, "the next turn is served");
  });

  t.test("late audio of an answered turn is ignored after the next turn's speech.context and amid its audio", async (t) => {
    const h = connect({ settings: { initialSilenceTimeoutMs: 1000 } });
    h.configure();
    h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
    const late = chunksOf(silence);
    for (const chunk of late.slice(0, 10)) h.send(audio(rid(1), chunk));
    t.equal(h.peer.paths.at(-1), "turn.end", "the first turn is answered early, on initial silence");
    h.send(text("speech.context", rid(2)));
    h.send(audio(rid(1), late[10] as Uint8Array));
    h.send(audio(rid(2), writeRiffHeader(), "audio/x-wav"));
    h.send(audio(rid(1), late[11] as Uint8Array));
    for (const chunk of chunksOf(hello)) h.send(audio(rid(2), chunk));
    h.send(audio(rid(1)));
    h.send(audio(rid(2)));
    t.notOk(h.session.closed);
    t.strictSame(noticesOf(h.journal), [{ code: "audio.after_turn_end", requestId: rid(1) }]);
    t.strictSame(
      h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText ?? p.RecognitionStatus),
      ["InitialSilenceTimeout", "Hello world."],
    );
  });

  t.test("an ended turn's id with a WAV header during another turn's audio is a reuse", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), hello);
    h.stream(rid(2), hello, { end: false });
    h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
    t.strictSame(h.peer.closes, [{ code: 1002, reason: "Invalid request. Reuse of request identifiers is not allowed." }]);
    t.match(entriesOf(h.journal, "violation"), [{ code: "ERR_REQUEST_ID_REUSED", requestId: rid(2) }]);
  });

  for (const [what, reuse] of [
    ["audio with a WAV header", () => audio(rid(1), writeRiffHeader(), "audio/x-wav")],
    ["speech.context", () => text("speech.context", rid(1))],
  ] as const) {
    t.test(`reusing an ended turn's id for a new turn (${what}) closes 1002 with the documented reason`, async (t) => {
      const h = connect();
      h.configure();
      h.stream(rid(1), hello);
      const sent = h.peer.sent.length;
      h.send(reuse());
      t.strictSame(h.peer.closes, [{ code: 1002, reason: "Invalid request. Reuse of request identifiers is not allowed." }]);
      t.equal(h.peer.sent.length, sent);
      t.strictSame(
        entriesOf(h.journal, "violation").map((v) => [v.code, v.closeCode]),
        [["ERR_REQUEST_ID_REUSED", 1002]],
      );
    });
  }

  t.test("a repeated speech.context before the audio replaces the first", async (t) => {
    const h = connect({ settings: { mode: "universal" } });
    h.configure();
    h.send(text("speech.context", rid(1), { phraseDetection: { mode: "INTERACTIVE" } }));
    h.send(text("speech.context", rid(1), { phraseDetection: { mode: "CONVERSATION" } }));
    h.stream(rid(1), twoUtterances);
    t.equal(h.peer.bodies("speech.phrase").length, 2);
  });

  t.test("a speech.context for another id before any audio starts over with that id", async (t) => {
    const h = connect();
    h.configure();
    h.send(text("speech.context", rid(1)));
    h.send(text("speech.context", rid(2)));
    h.stream(rid(2), hello);
    t.notOk(h.session.closed);
    t.ok(h.peer.messages.every((m) => m.requestId === rid(2)));
  });

  t.test("messages with an unknown path are ignored with a notice", async (t) => {
    const h = connect();
    h.configure();
    h.send(text("speech.event", rid(1)));
    h.send(encodeBinaryMessage({ headers: headersOf("video", rid(1), {}), payload: new Uint8Array(8) }));
    t.strictSame(h.peer.sent, []);
    t.notOk(h.session.closed);
    t.strictSame(noticesOf(h.journal), [
      { code: "message.path_unknown", requestId: rid(1) },
      { code: "message.path_unknown", requestId: rid(1) },
    ]);
  });

  t.test("binary messages handed over as ArrayBuffers are read the same as bytes", async (t) => {
    const h = connect();
    h.configure();
    const asBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
    h.session.receive(asBuffer(audio(rid(1), writeRiffHeader(), "audio/x-wav")));
    for (const chunk of chunksOf(hello)) h.session.receive(asBuffer(audio(rid(1), chunk)));
    h.session.receive(asBuffer(audio(rid(1))));
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Hello world.");
  });

  t.test("header names are matched whatever their case", async (t) => {
    const h = connect();
    h.send(encodeTextMessage({ headers: { path: "speech.config", "x-requestid": rid(0), "x-timestamp": timestamp }, body: "{}" }));
    h.send(
      encodeBinaryMessage({
        headers: { PATH: "audio", "X-REQUESTID": rid(1), "X-TIMESTAMP": timestamp, "CONTENT-TYPE": "audio/x-wav" },
        payload: writeRiffHeader(),
      }),
    );
    t.strictSame(h.peer.paths, ["turn.start"]);
    t.notOk(h.session.closed);
  });
});

// ---- variants real clients sent (spec section 7) ----------------------------------------------

/** `message` with a blank line added at the end of its header block, as 2017-era Node clients wrote it. */
const withBlankLine = (message: Uint8Array): Uint8Array => {
  const size = ((message[0] as number) << 8) | (message[1] as number);
  const out = new Uint8Array(message.byteLength + 2);
  out.set([(size + 2) >> 8, (size + 2) & 0xff], 0);
  out.set(message.subarray(2, 2 + size), 2);
  out.set([0x0d, 0x0a], 2 + size);
  out.set(message.subarray(2 + size), 4 + size);
  return out;
};

t.test("what real clients sent and the service accepted is taken, with a notice where a document disallows it", async (t) => {
  t.test("a turn's first audio without Content-Type is taken as audio/x-wav", async (t) => {
    const h = connect();
    h.configure();
    h.send(text("speech.context", rid(1)));
    h.send(audio(rid(1), writeRiffHeader()));
    for (const chunk of chunksOf(hello)) h.send(audio(rid(1), chunk));
    h.send(audio(rid(1)));
    t.notOk(h.session.closed);
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Hello world.");
    t.strictSame(noticesOf(h.journal), [{ code: "audio.content_type_missing", requestId: rid(1) }]);
  });

  t.test("speech.config without X-RequestId is accepted; the turn after it too", async (t) => {
    const h = connect();
    h.send(text("speech.config", rid(0), {}, { omit: "X-RequestId" }));
    h.stream(rid(1), hello);
    t.notOk(h.session.closed);
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Hello world.");
    t.strictSame(noticesOf(h.journal), [{ code: "config.request_id_missing", requestId: undefined }]);
  });

  t.test("speech.config with an empty X-RequestId is taken the same", async (t) => {
    const h = connect();
    h.send(text("speech.config", rid(0), {}, { extra: { "X-RequestId": "" } }));
    t.notOk(h.session.closed);
    t.strictSame(noticesOf(h.journal), [{ code: "config.request_id_missing", requestId: undefined }]);
  });

  t.test("telemetry before speech.config is accepted, as the 2017 document allows for an interrupted turn's", async (t) => {
    const h = connect();
    h.send(telemetry(rid(9)));
    h.configure();
    h.stream(rid(1), hello);
    h.send(telemetry(rid(1)));
    t.notOk(h.session.closed);
    t.strictSame(noticesOf(h.journal), [{ code: "telemetry.unknown_request", requestId: rid(9) }]);
  });

  t.test("binary header blocks ending in a blank line are read, with one notice a turn", async (t) => {
    const h = connect();
    h.configure();
    for (const id of [rid(1), rid(2)]) {
      h.send(withBlankLine(audio(id, writeRiffHeader(), "audio/x-wav")));
      for (const chunk of chunksOf(hello)) h.send(withBlankLine(audio(id, chunk)));
      h.send(withBlankLine(audio(id)));
    }
    t.notOk(h.session.closed);
    t.strictSame(
      h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
      ["Hello world.", "Hello world."],
    );
    t.strictSame(noticesOf(h.journal), [
      { code: "message.header_blank_line", requestId: rid(1) },
      { code: "message.header_blank_line", requestId: rid(2) },
    ]);
  });

  t.test("audio messages over 8192 bytes are taken, with one notice a turn; 8192 bytes get none", async (t) => {
    const h = connect();
    h.configure();
    const wav = wavOf("hello.wav");
    for (const [id, size] of [
      [rid(1), 12_800],
      [rid(2), 8192],
      [rid(3), 32_000],
    ] as const) {
      for (let at = 0; at < wav.byteLength; at += size) h.send(audio(id, wav.subarray(at, at + size), at ? undefined : "audio/x-wav"));
      h.send(audio(id));
    }
    t.notOk(h.session.closed);
    t.strictSame(
      h.peer.bodies<Phrase>("speech.phrase").map((p) => p.DisplayText),
      ["Hello world.", "Hello world.", "Hello world."],
    );
    t.strictSame(noticesOf(h.journal), [
      { code: "audio.chunk_oversized", requestId: rid(1) },
      { code: "audio.chunk_oversized", requestId: rid(3) },
    ]);
  });
});

// ---- violations -----------------------------------------------------------------------------

interface Violation {
  readonly name: string;
  /** Valid messages sent first. */
  readonly before?: (h: Harness) => void;
  readonly message: string | Uint8Array;
  readonly code: string;
  readonly closeCode: number;
  readonly reason: string;
  /** The request id the violation entry names: the turn in progress, if any. */
  readonly requestId?: string;
}

const configured = (h: Harness) => h.configure();
const midTurn = (h: Harness) => {
  h.configure();
  h.stream(rid(1), hello.subarray(0, 4 * chunkBytes), { end: false });
};
const headerPrefix = (prefix: number, rest: number): Uint8Array => {
  const bytes = new Uint8Array(2 + rest);
  bytes[0] = prefix >> 8;
  bytes[1] = prefix & 0xff;
  return bytes;
};
const invalidPrefix = "Incorrect message format. Binary message has invalid header size prefix.";
const badRequestId = "Invalid request. X-RequestId header value was not specified in no-dash UUID format.";

const violations: Violation[] = [
  {
    name: "speech.context as the first message",
    message: text("speech.context", rid(1)),
    code: "ERR_CONFIG_NOT_FIRST",
    closeCode: 1002,
    reason: "Invalid request. speech.config must be the first message.",
  },
  {
    name: "audio as the first message",
    message: audio(rid(1), writeRiffHeader(), "audio/x-wav"),
    code: "ERR_CONFIG_NOT_FIRST",
    closeCode: 1002,
    reason: "Invalid request. speech.config must be the first message.",
  },
  ...(["Path", "X-RequestId", "X-Timestamp"] as const).flatMap((name): Violation[] => [
    {
      name: `a text message without ${name}`,
      // speech.config may leave X-RequestId out (the 2017 document); any other message may not.
      ...(name === "X-RequestId"
        ? { before: configured, message: text("speech.context", rid(1), {}, { omit: name }) }
        : { message: text("speech.config", rid(0), {}, { omit: name }) }),
      code: "ERR_HEADER_MISSING",
      closeCode: 1002,
      reason: `Missing/Empty header. ${name}.`,
    },
    {
      name: `a text message with an empty ${name}`,
      before: configured,
      message: text("speech.context", rid(1), {}, { extra: { [name]: "" } }),
      code: "ERR_HEADER_MISSING",
      closeCode: 1002,
      reason: `Missing/Empty header. ${name}.`,
    },
    {
      name: `an audio message without ${name}`,
      before: configured,
      message: audio(rid(1), writeRiffHeader(), "audio/x-wav", { omit: name }),
      code: "ERR_HEADER_MISSING",
      closeCode: 1002,
      reason: `Missing/Empty header. ${name}.`,
    },
  ]),
  ...[
    ["a dashed UUID", "5e55c0de-a1b2-c3d4-a1b2-c3d400000001"],
    ["31 hex digits", rid(1).slice(1)],
    ["33 hex digits", `${rid(1)}0`],
    ["a non-hex digit", `${rid(1).slice(0, 31)}g`],
  ].map(
    ([what, id]): Violation => ({
      name: `an X-RequestId that is ${what}`,
      message: text("speech.config", id as string),
      code: "ERR_REQUEST_ID_FORMAT",
      closeCode: 1002,
      reason: badRequestId,
    }),
  ),
  {
    name: "a request id in the wrong format on audio mid-turn",
    before: midTurn,
    message: audio("not-a-request-id", hello.subarray(0, chunkBytes)),
    code: "ERR_REQUEST_ID_FORMAT",
    closeCode: 1002,
    reason: badRequestId,
    requestId: rid(1),
  },
  {
    name: "a speech.config body that is not JSON",
    message: text("speech.config", rid(0), "{context:"),
    code: "ERR_BODY_NOT_JSON",
    closeCode: 1007,
    reason: "Incorrect message format. Body is not a JSON object.",
  },
  {
    name: "a speech.context body that is not JSON",
    before: configured,
    message: text("speech.context", rid(1), "phraseDetection=conversation"),
    code: "ERR_BODY_NOT_JSON",
    closeCode: 1007,
    reason: "Incorrect message format. Body is not a JSON object.",
  },
  {
    name: "a speech.context body that is a JSON array",
    before: configured,
    message: text("speech.context", rid(1), "[]"),
    code: "ERR_BODY_NOT_JSON",
    closeCode: 1007,
    reason: "Incorrect message format. Body is not a JSON object.",
  },
  {
    name: "a speech.context body that is JSON null",
    before: configured,
    message: text("speech.context", rid(1), "null"),
    code: "ERR_BODY_NOT_JSON",
    closeCode: 1007,
    reason: "Incorrect message format. Body is not a JSON object.",
  },
  {
    name: "a turn's first audio without Content-Type and with an 8 kHz RIFF header",
    before: configured,
    message: audio(rid(1), riff8kHz()),
    code: "ERR_RIFF_INVALID",
    closeCode: 1007,
    reason: "Unsupported audio format.",
    requestId: rid(1),
  },
  {
    name: "a turn's first audio with Content-Type audio/ogg",
    before: configured,
    message: audio(rid(1), writeRiffHeader(), "audio/ogg"),
    code: "ERR_AUDIO_CONTENT_TYPE",
    closeCode: 1007,
    reason: "Unsupported audio format.",
    requestId: rid(1),
  },
  {
    name: "a turn's first audio with an 8 kHz RIFF header",
    before: configured,
    message: audio(rid(1), riff8kHz(), "audio/x-wav"),
    code: "ERR_RIFF_INVALID",
    closeCode: 1007,
    reason: "Unsupported audio format.",
    requestId: rid(1),
  },
  {
    name: "a turn's first audio with PCM but no RIFF header",
    before: configured,
    message: audio(rid(1), hello.subarray(0, chunkBytes), "audio/x-wav"),
    code: "ERR_RIFF_INVALID",
    closeCode: 1007,
    reason: "Unsupported audio format.",
    requestId: rid(1),
  },
  {
    name: "audio for another request id mid-turn",
    before: midTurn,
    message: audio(rid(2), hello.subarray(0, chunkBytes)),
    code: "ERR_REQUEST_ID_MISMATCH",
    closeCode: 1002,
    reason: "Invalid request. X-RequestId does not match the turn in progress.",
    requestId: rid(1),
  },
  {
    name: "a new turn's first audio while another turn's audio is open",
    before: midTurn,
    message: audio(rid(2), writeRiffHeader(), "audio/x-wav"),
    code: "ERR_REQUEST_ID_MISMATCH",
    closeCode: 1002,
    reason: "Invalid request. X-RequestId does not match the turn in progress.",
    requestId: rid(1),
  },
  {
    name: "audio for another request id than the turn's speech.context",
    before: (h: Harness) => {
      configured(h);
      h.send(text("speech.context", rid(1)));
    },
    message: audio(rid(2), writeRiffHeader(), "audio/x-wav"),
    code: "ERR_REQUEST_ID_MISMATCH",
    closeCode: 1002,
    reason: "Invalid request. X-RequestId does not match the turn in progress.",
    requestId: rid(1),
  },
  {
    name: "speech.context for another request id mid-turn",
    before: midTurn,
    message: text("speech.context", rid(2)),
    code: "ERR_REQUEST_ID_MISMATCH",
    closeCode: 1002,
    reason: "Invalid request. X-RequestId does not match the turn in progress.",
    requestId: rid(1),
  },
  {
    name: "an audio payload one byte over 64 KiB",
    before: midTurn,
    message: audio(rid(1), new Uint8Array(64 * 1024 + 1)),
    code: "ERR_MESSAGE_TOO_LARGE",
    closeCode: 1009,
    reason: "Message too big.",
    requestId: rid(1),
  },
  {
    name: "a binary header size prefix of 8193",
    before: midTurn,
    message: headerPrefix(8193, 8193),
    code: "ERR_FRAME_HEADER_SIZE",
    closeCode: 1007,
    reason: invalidPrefix,
    requestId: rid(1),
  },
  {
    name: "a binary header size prefix of 65535",
    before: configured,
    message: headerPrefix(0xffff, 16),
    code: "ERR_FRAME_HEADER_SIZE",
    closeCode: 1007,
    reason: invalidPrefix,
  },
  {
    name: "a binary header size prefix longer than the message",
    before: configured,
    message: headerPrefix(100, 10),
    code: "ERR_FRAME_TRUNCATED",
    closeCode: 1007,
    reason: invalidPrefix,
  },
  {
    name: "a text message without the blank line after its headers",
    message: `Path: speech.config\r\nX-RequestId: ${rid(0)}\r\nX-Timestamp: ${timestamp}\r\n{}`,
    code: "ERR_TEXT_NO_SEPARATOR",
    closeCode: 1007,
    reason: "Incorrect message format. Text message has no blank line after its headers.",
  },
  {
    name: "a text message over 64 KiB",
    before: configured,
    message: text("telemetry", rid(1), { padding: "x".repeat(64 * 1024) }),
    code: "ERR_MESSAGE_TOO_LARGE",
    closeCode: 1009,
    reason: "Message too big.",
  },
];

t.test("protocol violations", async (t) => {
  for (const v of violations) {
    t.test(`${v.name} closes ${v.closeCode} ${JSON.stringify(v.reason)}, is journaled, and ends the session`, async (t) => {
      const h = connect();
      v.before?.(h);
      const sentBefore = h.peer.sent.length;
      t.strictSame(h.peer.closes, [], "the messages before are accepted");
      h.send(v.message);

      t.strictSame(h.peer.closes, [{ code: v.closeCode, reason: v.reason }]);
      t.ok(h.session.closed);
      t.equal(h.peer.sent.length, sentBefore, "nothing is sent for the violation");
      const [violation, ...more] = entriesOf(h.journal, "violation");
      t.strictSame(more, [], "one violation entry");
      t.match(violation, { connectionId, code: v.code, closeCode: v.closeCode, closeReason: v.reason, message: String });
      t.equal(violation?.requestId, v.requestId, "the violation names the turn in progress");
      t.match(entriesOf(h.journal, "close"), [{ code: v.closeCode, reason: v.reason, initiator: "server" }]);
      t.equal(entriesOf(h.journal, "close").length, 1);
      t.match(logsOf(h.logs, "socket.close"), [{ code: v.closeCode, reason: v.reason, initiator: "server", error: { code: v.code } }]);
      t.equal(h.clock.pendingTimers, 0, "the idle and lifetime timers are cancelled");

      // Whatever comes next is ignored: a whole valid connection's worth, and the socket's own close.
      const journaled = h.journal.size;
      h.send(speechConfig());
      h.send(text("speech.context", rid(7)));
      h.stream(rid(7), hello);
      h.send(telemetry(rid(7)));
      h.send(v.message);
      h.session.clientClosed(v.closeCode, v.reason);
      h.clock.tick(defaultSessionLimits.lifetimeMs * 2);
      t.equal(h.peer.sent.length, sentBefore, "nothing is sent afterwards");
      t.equal(h.peer.closes.length, 1, "the socket is closed once");
      t.equal(h.journal.size, journaled, "nothing more is journaled");
      t.equal(logsOf(h.logs, "socket.close").length, 1, "the close is logged once");
    });
  }

  t.test("a 64 KiB audio payload, exactly the limit, is accepted", async (t) => {
    const h = connect({ settings: { mode: "conversation" } });
    midTurn(h);
    h.send(audio(rid(1), new Uint8Array(64 * 1024)));
    t.notOk(h.session.closed);
  });

  t.test("a header size prefix of 8192, exactly the limit, is parsed", async (t) => {
    const h = connect();
    h.configure();
    const headers = `Path: audio\r\nX-RequestId: ${rid(1)}\r\nX-Timestamp: ${timestamp}\r\nX-Padding: `;
    const block = `${headers}${"p".repeat(8192 - headers.length - 2)}\r\n`;
    t.equal(block.length, 8192);
    const bytes = new Uint8Array(2 + 8192);
    bytes[0] = 0x20;
    bytes[1] = 0x00;
    for (let i = 0; i < block.length; i++) bytes[2 + i] = block.charCodeAt(i);
    h.send(bytes);
    // Parsed, then refused for what it says (a first audio without a WAV header), not for its prefix.
    t.strictSame(h.peer.closes, [{ code: 1007, reason: "Unsupported audio format." }]);
  });
});

t.test("quota", async (t) => {
  t.test("a resource out of quota gets its first message answered with close 1007 Quota exceeded.", async (t) => {
    const h = connect({ overQuota: () => true });
    h.configure();
    t.strictSame(h.peer.closes, [{ code: 1007, reason: "Quota exceeded." }]);
    t.strictSame(h.peer.sent, []);
    t.strictSame(
      entriesOf(h.journal, "violation").map((v) => [v.code, v.closeCode, v.closeReason]),
      [["ERR_QUOTA_EXCEEDED", 1007, "Quota exceeded."]],
    );
  });

  t.test("a resource that runs out of quota while connected is closed at its next message", async (t) => {
    let over = false;
    const h = connect({ overQuota: () => over });
    h.configure();
    h.stream(rid(1), hello);
    t.notOk(h.session.closed);
    over = true;
    const sent = h.peer.sent.length;
    h.send(telemetry(rid(1)));
    t.strictSame(h.peer.closes, [{ code: 1007, reason: "Quota exceeded." }]);
    t.equal(h.peer.sent.length, sent);
  });
});

// ---- telemetry ------------------------------------------------------------------------------

t.test("telemetry", async (t) => {
  t.test("sent once per turn: no notice, on any close", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), hello);
    h.send(telemetry(rid(1)));
    h.stream(rid(2), hello);
    h.send(telemetry(rid(2)));
    h.session.clientClosed(1000, "Normal closure by client");
    t.strictSame(noticesOf(h.journal), []);
    t.strictSame(h.peer.closes, [], "the client closed, so the server sends no close");
  });

  t.test("missing: a notice for each turn without one when the client closes", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), hello);
    h.stream(rid(2), hello);
    h.send(telemetry(rid(2)));
    h.stream(rid(3), hello);
    t.strictSame(noticesOf(h.journal), [], "a missing telemetry is only known at the close");
    h.session.clientClosed(1000, "Normal closure by client");
    t.strictSame(noticesOf(h.journal), [
      { code: "telemetry.missing", requestId: rid(1) },
      { code: "telemetry.missing", requestId: rid(3) },
    ]);
    t.notOk(h.peer.closes.length, "a missing telemetry never closes");
  });

  t.test("missing: a notice when the server closes too", async (t) => {
    const h = connect({ limits: { idleMs: 10_000 } });
    h.configure();
    h.stream(rid(1), hello);
    h.clock.tick(10_000);
    t.equal(h.peer.closes.length, 1);
    t.strictSame(noticesOf(h.journal), [{ code: "telemetry.missing", requestId: rid(1) }]);
  });

  t.test("repeated: a notice for the second, and the session goes on", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), hello);
    h.send(telemetry(rid(1)));
    h.send(telemetry(rid(1)));
    t.strictSame(noticesOf(h.journal), [{ code: "telemetry.repeated", requestId: rid(1) }]);
    h.stream(rid(2), hello);
    h.send(telemetry(rid(2)));
    h.session.clientClosed(1000, "Normal closure by client");
    t.equal(noticesOf(h.journal).length, 1, "no telemetry.missing for a turn that had it");
    t.strictSame(h.peer.closes, []);
  });

  t.test("unknown request: a notice for telemetry naming no ended turn", async (t) => {
    const h = connect();
    h.configure();
    h.send(telemetry(rid(9)));
    h.stream(rid(1), hello, { end: false });
    h.send(telemetry(rid(1)));
    t.strictSame(noticesOf(h.journal), [
      { code: "telemetry.unknown_request", requestId: rid(9) },
      { code: "telemetry.unknown_request", requestId: rid(1) },
    ]);
    t.notOk(h.session.closed);
    t.notOk(h.peer.paths.includes("turn.end"), "the turn has not ended");
  });
});

// ---- limits ---------------------------------------------------------------------------------

t.test("idle timeout", async (t) => {
  t.test("closes 1000 after idleMs with no message at all", async (t) => {
    const h = connect();
    h.clock.tick(179_999);
    t.notOk(h.session.closed);
    h.clock.tick(1);
    t.strictSame(h.peer.closes, [{ code: 1000, reason: "Idle timeout exceeded (180 s)." }]);
    t.match(entriesOf(h.journal, "close"), [
      { code: 1000, reason: "Idle timeout exceeded (180 s).", initiator: "server", at: start + 180_000 },
    ]);
    t.match(logsOf(h.logs, "socket.close"), [{ initiator: "server", error: { code: "LIMIT_IDLE" } }]);
    t.strictSame(entriesOf(h.journal, "violation"), [], "a limit is not a violation");
    t.equal(h.clock.pendingTimers, 0);
  });

  t.test("a message in between postpones it to idleMs after that message", async (t) => {
    const h = connect();
    h.clock.tick(100_000);
    h.configure();
    h.clock.tick(80_000);
    t.notOk(h.session.closed, "180 s after the open, but 80 s after the last message");
    h.clock.tick(50_000);
    h.send(telemetry(rid(9)));
    h.clock.tick(179_999);
    t.notOk(h.session.closed);
    h.clock.tick(1);
    t.strictSame(h.peer.closes, [{ code: 1000, reason: "Idle timeout exceeded (180 s)." }]);
    t.equal(entriesOf(h.journal, "close")[0]?.at, start + 100_000 + 80_000 + 50_000 + 180_000);
  });

  t.test("audio counts as a message, and so does one that only produces a notice", async (t) => {
    const h = connect({ limits: { idleMs: 1500 } });
    h.configure();
    h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
    for (const chunk of chunksOf(hello)) {
      h.clock.tick(1000);
      h.send(audio(rid(1), chunk));
    }
    h.send(audio(rid(1)));
    h.clock.tick(1000);
    h.send(audio(rid(1), hello.subarray(0, chunkBytes))); // late audio: a notice, and still a message
    h.clock.tick(1499);
    t.notOk(h.session.closed);
    h.clock.tick(1);
    t.strictSame(h.peer.closes, [{ code: 1000, reason: "Idle timeout exceeded (1.5 s)." }]);
  });
});

t.test("connection lifetime", async (t) => {
  t.test("closes 1000 at lifetimeMs however busy the connection is", async (t) => {
    const h = connect();
    h.configure();
    for (let n = 1; n < 10; n++) {
      h.clock.tick(60_000);
      h.send(text("speech.context", rid(n)));
    }
    h.clock.tick(59_999);
    t.notOk(h.session.closed, "at 599.999 s");
    h.clock.tick(1);
    t.strictSame(h.peer.closes, [{ code: 1000, reason: "Maximum connection lifetime exceeded (600 s)." }]);
    t.match(entriesOf(h.journal, "close"), [{ initiator: "server", at: start + 600_000 }]);
    t.match(logsOf(h.logs, "socket.close"), [{ error: { code: "LIMIT_LIFETIME" } }]);
    t.equal(h.clock.pendingTimers, 0);
  });

  t.test("closes in the middle of a turn's audio, sending nothing more", async (t) => {
    const h = connect({ limits: { lifetimeMs: 5000 } });
    h.configure();
    h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
    h.clock.tick(5000);
    t.strictSame(h.peer.closes, [{ code: 1000, reason: "Maximum connection lifetime exceeded (5 s)." }]);
    for (const chunk of chunksOf(hello)) h.send(audio(rid(1), chunk));
    h.send(audio(rid(1)));
    t.strictSame(h.peer.paths, ["turn.start"]);
  });
});

t.test("backpressure", async (t) => {
  t.test("more than sendBufferBytes queued after a turn closes 1008 once the turn's answers are sent", async (t) => {
    const h = connect();
    h.configure();
    h.peer.buffered = (1 << 20) + 1;
    h.stream(rid(1), hello);
    t.equal(h.peer.paths.at(-1), "turn.end", "the turn is answered in full first");
    t.strictSame(h.peer.closes, [{ code: 1008, reason: "Send buffer limit exceeded." }]);
    t.match(logsOf(h.logs, "socket.close"), [{ initiator: "server", error: { code: "LIMIT_SEND_BUFFER" } }]);
    t.strictSame(entriesOf(h.journal, "violation"), []);
    t.equal(h.clock.pendingTimers, 0);
  });

  t.test("exactly sendBufferBytes queued is allowed", async (t) => {
    const h = connect();
    h.configure();
    h.peer.buffered = 1 << 20;
    h.stream(rid(1), hello);
    t.notOk(h.session.closed);
  });

  t.test("the limit is the session's setting", async (t) => {
    const h = connect({ limits: { sendBufferBytes: 100 } });
    h.configure();
    h.peer.buffered = 101;
    h.stream(rid(1), hello);
    t.strictSame(h.peer.closes, [{ code: 1008, reason: "Send buffer limit exceeded." }]);
  });
});

t.test("closing", async (t) => {
  t.test("clientClosed cancels the timers, journals and logs the client's close, and ends the session", async (t) => {
    const h = connect();
    t.equal(h.clock.pendingTimers, 1, "one timer for the idle and lifetime limits");
    h.configure();
    h.stream(rid(1), hello);
    h.send(telemetry(rid(1)));
    h.session.clientClosed(1000, "Normal closure by client");
    t.equal(h.clock.pendingTimers, 0);
    t.ok(h.session.closed);
    t.strictSame(h.peer.closes, []);
    t.match(entriesOf(h.journal, "close"), [{ connectionId, code: 1000, reason: "Normal closure by client", initiator: "client" }]);
    t.match(logsOf(h.logs, "socket.close"), [{ connectionId, code: 1000, reason: "Normal closure by client", initiator: "client" }]);
    t.notOk(logsOf(h.logs, "socket.close")[0]?.error, "a client close has no error");

    const sent = h.peer.sent.length;
    const journaled = h.journal.size;
    h.stream(rid(2), hello);
    h.session.clientClosed(1006, "");
    h.clock.tick(defaultSessionLimits.lifetimeMs);
    t.equal(h.peer.sent.length, sent);
    t.equal(h.journal.size, journaled);
    t.equal(logsOf(h.logs, "socket.close").length, 1);
  });

  t.test("a server close is journaled once, even when the client's close follows", async (t) => {
    const h = connect();
    h.configure();
    h.send(text("speech.context", "not-an-id", {}));
    h.session.clientClosed(1002, "Invalid request. X-RequestId header value was not specified in no-dash UUID format.");
    t.equal(entriesOf(h.journal, "close").length, 1);
    t.equal(entriesOf(h.journal, "close")[0]?.initiator, "server");
    t.equal(logsOf(h.logs, "socket.close").length, 1);
  });

  t.test("a peer whose close throws still leaves the session closed and journaled", async (t) => {
    const h = connect();
    h.peer.close = () => {
      throw new Error("socket already gone");
    };
    h.send(text("speech.context", rid(1)));
    t.ok(h.session.closed);
    t.match(entriesOf(h.journal, "close"), [{ code: 1002, initiator: "server" }]);
  });
});

// ---- live audio -----------------------------------------------------------------------------

t.test("live audio", async (t) => {
  const quiet = new Uint8Array(3 * 32_000);
  const live = new Uint8Array(remindMe.byteLength + quiet.byteLength);
  live.set(remindMe);

  t.test("an interactive turn ends when the speaker stops, and later chunks are dropped with one notice", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), live, { end: false });
    t.equal(h.peer.paths.at(-1), "turn.end", "turn.end while the client is still streaming");
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Remind me to buy 5 pencils.");
    t.notOk(h.session.closed);
    t.strictSame(
      noticesOf(h.journal).filter((n) => n.code === "audio.after_turn_end"),
      [{ code: "audio.after_turn_end", requestId: rid(1) }],
    );
  });

  t.test("late chunks that carry Content-Type (as 2017 Node clients sent every chunk) are dropped too", async (t) => {
    const h = connect();
    h.configure();
    h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
    for (const chunk of chunksOf(live)) h.send(audio(rid(1), chunk, "audio/x-wav"));
    t.notOk(h.session.closed, "no 1002 for a chunk of a turn the service has answered");
    t.equal(h.peer.paths.filter((p) => p === "turn.end").length, 1);
  });

  t.test("a new WAV header under an ended turn's request id is still a reuse", async (t) => {
    const h = connect();
    h.configure();
    h.stream(rid(1), live, { end: false });
    h.send(audio(rid(1), writeRiffHeader()));
    t.strictSame(h.peer.closes, [{ code: 1002, reason: "Invalid request. Reuse of request identifiers is not allowed." }]);
  });

  t.test("speech.context's segmentation silence wins over the query and ends the utterance later", async (t) => {
    const answeredAt = (context?: Record<string, unknown>) => {
      const h = connect();
      h.configure();
      if (context) h.send(text("speech.context", rid(1), context));
      h.send(audio(rid(1), writeRiffHeader(), "audio/x-wav"));
      const chunks = chunksOf(live);
      for (const [i, chunk] of chunks.entries()) {
        h.send(audio(rid(1), chunk));
        if (h.peer.paths.includes("turn.end")) return i;
      }
      return -1;
    };
    const byDefault = answeredAt();
    const longer = answeredAt({
      phraseDetection: { mode: "Interactive", interactive: { segmentation: { mode: "Custom", segmentationSilenceTimeoutMs: 1500 } } },
    });
    const trailing = answeredAt({ phraseDetection: { trailingSilenceTimeout: 1200 } });
    t.ok(byDefault > 0, `by default, answered at chunk ${byDefault}`);
    t.equal(longer - byDefault, 10, "1,500 ms of segmentation silence: 1 s of audio later than the default 500 ms");
    t.equal(trailing - byDefault, 7, "an interactive turn's trailing silence of 1,200 ms: 700 ms later");
  });

  t.test("an utterance that matches nothing is answered as the fallback once the hold runs out", async (t) => {
    const unknown: Transcripts = {
      fallback: { kind: "text", text: "Something was said." },
      profaneWords: new Set(),
      bySha256: new Map(),
      byFingerprint: new FingerprintIndex(),
    };
    const h = connect({ transcripts: unknown });
    h.configure();
    h.stream(rid(1), live, { end: false });
    t.notOk(h.peer.paths.includes("speech.phrase"), "it waits for the end of the audio");
    h.clock.tick(299);
    t.notOk(h.peer.paths.includes("speech.phrase"), "for 300 ms");
    h.clock.tick(1);
    t.equal(h.peer.bodies<Phrase>("speech.phrase")[0]?.DisplayText, "Something was said.");
    t.equal(h.peer.paths.at(-1), "turn.end");
    t.equal(h.clock.pendingTimers, 1, "only the connection's limit timer is left");
  });
});

// ---- response latency ----------------------------------------------------------------------

t.test("with a response latency, speech.endDetected goes at once and the phrase and turn.end that much later", async (t) => {
  const h = connect({ limits: { responseLatencyMs: 50 } });
  h.configure();
  h.stream(rid(70), hello);
  const paths = () => h.peer.messages.map((m) => m.path);
  t.equal(paths().at(-1), "speech.endDetected", "decided: speech.endDetected is out");
  t.notOk(paths().includes("speech.phrase"), "the phrase is not");
  h.clock.tick(49);
  t.notOk(paths().includes("turn.end"), "nor turn.end, 49 ms later");
  h.clock.tick(1);
  t.same(paths().slice(-3), ["speech.endDetected", "speech.phrase", "turn.end"], "the 2017 document's order");
  h.send(telemetry(rid(70)));
  t.same(noticesOf(h.journal), [], "telemetry after turn.end is as it should be");
});

t.test("telemetry, audio or a next turn before turn.end", async (t) => {
  t.test("telemetry that comes before turn.end is journaled as telemetry.before_turn_end", async (t) => {
    const h = connect({ limits: { responseLatencyMs: 50 } });
    h.configure();
    h.stream(rid(71), hello);
    h.send(telemetry(rid(71)));
    h.clock.tick(50);
    t.same(noticesOf(h.journal), [{ code: "telemetry.before_turn_end", requestId: rid(71) }]);
    t.equal(h.peer.messages.at(-1)?.path, "turn.end", "the turn still ends");
  });

  t.test("the decided turn's own late audio is dropped with a notice", async (t) => {
    const h = connect({ limits: { responseLatencyMs: 50 } });
    h.configure();
    h.stream(rid(72), hello);
    h.send(audio(rid(72)));
    h.clock.tick(50);
    t.same(noticesOf(h.journal), [{ code: "audio.after_turn_end", requestId: rid(72) }]);
    t.same(h.peer.closes, [], "not closed");
  });

  t.test("a next turn that starts early gets the answer of the one before first, then its own", async (t) => {
    const h = connect({ limits: { responseLatencyMs: 50 } });
    h.configure();
    h.stream(rid(73), hello);
    h.stream(rid(74), hello);
    h.clock.tick(50);
    const ends = h.peer.messages.filter((m) => m.path === "turn.end").map((m) => m.requestId);
    t.same(ends, [rid(73), rid(74)]);
    t.same(h.peer.closes, [], "no violation");
    t.same(noticesOf(h.journal), [{ code: "turn.next_before_turn_end", requestId: rid(74) }]);
  });

  t.test("a close while the answer is due sends nothing more", async (t) => {
    const h = connect({ limits: { responseLatencyMs: 50 } });
    h.configure();
    h.stream(rid(75), hello);
    h.session.clientClosed(1000, "");
    const before = h.peer.sent.length;
    h.clock.tick(100);
    t.equal(h.peer.sent.length, before);
  });
});
