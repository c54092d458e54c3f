/**
 * SynthesisSession driven directly: a fake peer records what it sends and how it closes, a
 * manual clock fires its timers, a fake synthesizer makes one second of silence per speak (or
 * refuses it), and a real journal records what the session saw.
 */
import t from "tap";
import { ManualClock } from "../../clock.ts";
import { Journal, type JournalEntry } from "../../journal.ts";
import { decodeBinaryMessage } from "../../protocol/binary-message.ts";
import { defaultLimits } from "../../protocol/limits.ts";
import { decodeTextMessage, encodeTextMessage } from "../../protocol/text-message.ts";
import { type SynthesisLimits, type SynthesisPeer, SynthesisSession, type SynthesisSessionDeps } from "./session.ts";
import { SynthesisError, type Synthesizer } from "./synthesizer.ts";

const connectionId = "0123456789ABCDEF0123456789ABCDEF";
const rid = (n: number): string => `5e55c0de${"a1b2c3d4".repeat(2)}${n.toString(16).padStart(8, "0")}`;

const limits: SynthesisLimits = {
  idleMs: 180_000,
  lifetimeMs: 600_000,
  sendBufferBytes: 1 << 20,
  protocol: { ...defaultLimits, textMessageBytes: 1 << 20 },
  ssmlBytes: 64 * 1024,
};

const message = (path: string, requestId: string, body: string, contentType = "application/json") =>
  encodeTextMessage({
    headers: { Path: path, "X-RequestId": requestId, "X-Timestamp": new Date(0).toISOString(), "Content-Type": contentType },
    body,
  });

const config = (n: number) => message("speech.config", rid(n), JSON.stringify({ context: { system: { name: "SpeechSDK" } } }));
const context = (n: number, metadataOptions: Record<string, unknown> = {}) =>
  message(
    "synthesis.context",
    rid(n),
    JSON.stringify({ synthesis: { audio: { metadataOptions, outputFormat: "raw-16khz-16bit-mono-pcm" } } }),
  );
const ssml = (n: number, body = "<speak/>") => message("ssml", rid(n), body, "application/ssml+xml");

/** One second of 16 kHz 16-bit silence with one word in it; `refuse` makes it throw as a bad voice. */
const fakeSynthesizer =
  (seen: string[] = []): Synthesizer =>
  ({ ssml, format }) => {
    seen.push(format);
    if (ssml.includes("nobody"))
      throw new SynthesisError("ERR_VOICE_UNKNOWN", "Cannot synthesize: Unsupported voice nobody.", "Unsupported voice nobody.");
    return {
      audio: {
        audio: new Uint8Array(32_000),
        durationMs: 1000,
        blockAlign: 2,
        marks: [{ type: "WordBoundary", offsetMs: 250, durationMs: 300, text: "word" }],
      },
      contentType: "audio/x-wav",
      summary: { voice: "en-US-JennyNeural", textLength: 4 },
    };
  };

function setup(overrides: Partial<SynthesisSessionDeps> = {}) {
  const clock = new ManualClock(1_745_237_380_250);
  const journal = new Journal(1000, clock);
  const sent: { kind: "text" | "binary"; path: string; requestId: string; body: string; streamId?: string }[] = [];
  const closes: { code: number; reason: string }[] = [];
  let buffered = 0;
  const peer: SynthesisPeer = {
    send: (text) => {
      const m = decodeTextMessage(text);
      sent.push({ kind: "text", path: m.headers.path ?? "", requestId: m.headers.requestId ?? "", body: m.body });
    },
    sendBinary: (bytes) => {
      const m = decodeBinaryMessage(bytes);
      sent.push({
        kind: "binary",
        path: m.headers.path ?? "",
        requestId: m.headers.requestId ?? "",
        body: "",
        streamId: m.headers.get("X-StreamId"),
      });
    },
    close: (code, reason) => closes.push({ code, reason }),
    bufferedAmount: () => buffered,
  };
  const session = new SynthesisSession(
    { connectionId, clock, journal, logger: () => {}, limits, synthesize: fakeSynthesizer(), overQuota: () => false, ...overrides },
    peer,
  );
  return {
    clock,
    journal,
    sent,
    closes,
    session,
    setBuffered: (n: number) => {
      buffered = n;
    },
    of: (type: JournalEntry["type"]) => journal.entries((e) => e.type === type),
  };
}

t.test("a speak: turn.start, response, metadata, audio, SessionEnd, turn.end, all with its request id", async (t) => {
  const s = setup();
  s.session.receive(config(1));
  s.session.receive(context(1, { wordBoundaryEnabled: "true", sessionEndEnabled: true }));
  s.session.receive(ssml(1));
  const paths = s.sent.map((m) => m.path);
  t.same(paths.slice(0, 4), ["turn.start", "response", "audio", "audio"], "the first two chunks hold no boundary");
  t.same(paths.slice(4, 6), ["audio.metadata", "audio"], "the word at 250 ms, just before the chunk from 200 ms");
  t.same(paths.slice(-2), ["audio.metadata", "turn.end"]);
  t.equal(paths.filter((p) => p === "audio").length, 10);
  t.ok(s.sent.every((m) => m.requestId === rid(1)));
  const streamId = (JSON.parse(s.sent[1]?.body ?? "") as { audio: { streamId: string } }).audio.streamId;
  t.ok(
    s.sent.filter((m) => m.kind === "binary").every((m) => m.streamId === streamId),
    "audio frames carry the response's stream id",
  );
  t.same(s.closes, []);
  t.match(s.of("synthesis"), [
    { requestId: rid(1), format: "raw-16khz-16bit-mono-pcm", audioMessages: 10, audioBytes: 32_000, audioMs: 1000, metadata: 2 },
  ]);
  t.same(s.of("turn"), [], "no recognition turn entries: the synthesis entry is the speak's record");
});

t.test("speech.config must come first", async (t) => {
  const s = setup();
  s.session.receive(ssml(1));
  t.same(s.closes, [{ code: 1002, reason: "Invalid request. speech.config must be the first message." }]);
  t.match(s.of("violation"), [{ code: "ERR_CONFIG_NOT_FIRST" }]);
});

t.test("an ssml without synthesis.context is synthesized with the defaults, and noticed", async (t) => {
  const formats: string[] = [];
  const s = setup({ synthesize: fakeSynthesizer(formats) });
  s.session.receive(config(1));
  s.session.receive(ssml(1));
  t.same(formats, ["raw-16khz-16bit-mono-pcm"]);
  t.match(s.of("notice"), [{ code: "synthesis.context_missing", requestId: rid(1) }]);
  t.equal(s.sent.at(-1)?.path, "turn.end");
});

t.test("a refused speak closes 1007 with the synthesizer's reason, before any turn.start", async (t) => {
  const s = setup();
  s.session.receive(config(1));
  s.session.receive(context(1));
  s.session.receive(ssml(1, "<speak><voice name='nobody'/></speak>"));
  t.same(s.sent, []);
  t.same(s.closes, [{ code: 1007, reason: "Unsupported voice nobody." }]);
  t.match(s.of("violation"), [{ code: "ERR_VOICE_UNKNOWN", closeCode: 1007 }]);
  t.match(s.of("close"), [{ code: 1007, initiator: "server" }]);
});

t.test("SSML over the limit closes 1007 with the size reason", async (t) => {
  const s = setup();
  s.session.receive(config(1));
  s.session.receive(ssml(1, `<speak>${"é".repeat(33_000)}</speak>`));
  t.same(s.closes, [{ code: 1007, reason: "SSML message size exceeds the limit." }], "counted in UTF-8 bytes");
});

t.test("a request id used by an earlier speak is refused", async (t) => {
  const s = setup();
  s.session.receive(config(1));
  s.session.receive(ssml(1));
  s.session.receive(ssml(1));
  t.same(s.closes, [{ code: 1002, reason: "Invalid request. Reuse of request identifiers is not allowed." }]);
});

t.test("unknown paths, the SDK's text streaming among them, are noticed and ignored", async (t) => {
  const s = setup();
  s.session.receive(config(1));
  s.session.receive(message("synthesis.control", rid(2), '{"action":"stop"}'));
  s.session.receive(message("text.piece", rid(3), "Hello", "text/plain"));
  s.session.receive(new Uint8Array([0, 0]));
  t.same(s.closes, []);
  t.equal(s.of("notice").filter((e) => (e as { code: string }).code === "message.path_unknown").length, 3);
});

t.test("a client that does not read pauses the audio; a speak sent meanwhile waits its turn", async (t) => {
  const s = setup();
  s.session.receive(config(1));
  s.setBuffered(1 << 20);
  s.session.receive(ssml(1));
  t.same(
    s.sent.map((m) => m.path),
    ["turn.start", "response"],
    "nothing more while a megabyte is unread",
  );
  s.session.receive(ssml(2));
  s.clock.tick(50);
  t.equal(s.sent.length, 2, "still waiting");
  s.setBuffered(0);
  s.clock.tick(5);
  const ends = s.sent.filter((m) => m.path === "turn.end").map((m) => m.requestId);
  t.same(ends, [rid(1), rid(2)], "both speaks answered, in order");
  const starts = s.sent.map((m, i) => (m.path === "turn.start" ? i : -1)).filter((i) => i >= 0);
  t.ok((starts[1] as number) > s.sent.findIndex((m) => m.path === "turn.end"), "the second starts after the first's turn.end");
  t.same(s.closes, [], "not closed for the backlog");
});

t.test("a resource out of quota closes 1007 Quota exceeded.", async (t) => {
  const s = setup({ overQuota: () => true });
  s.session.receive(config(1));
  t.same(s.closes, [{ code: 1007, reason: "Quota exceeded." }]);
});

t.test("a synthesizer that answers with a promise (compressed audio): the turn starts when it settles; later speaks wait", async (t) => {
  const pending: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const sync = fakeSynthesizer();
  const synthesize: Synthesizer = (request) =>
    new Promise((resolve, reject) => {
      pending.push({ resolve: () => resolve(sync(request)), reject });
    });
  const s = setup({ synthesize });
  s.session.receive(config(1));
  s.session.receive(ssml(1));
  s.session.receive(ssml(2));
  t.same(s.sent, [], "nothing before the audio is coded");
  t.equal(pending.length, 1, "the second speak waits for the first");
  pending[0]?.resolve();
  await new Promise((r) => setImmediate(r));
  t.equal(s.sent.filter((m) => m.path === "turn.end").length, 1, "the first speak answered");
  t.equal(pending.length, 2, "then the second is synthesized");
  pending[1]?.reject(new SynthesisError("ERR_FORMAT_UNSUPPORTED", "Cannot synthesize: no", "Unsupported output format."));
  await new Promise((r) => setImmediate(r));
  t.same(s.closes, [{ code: 1007, reason: "Unsupported output format." }], "a rejection closes as a throw does");
  t.match(s.of("violation"), [{ code: "ERR_FORMAT_UNSUPPORTED", requestId: rid(2) }]);
});

t.test("a socket closed while the audio is coded sends nothing when it is ready", async (t) => {
  let finish: () => void = () => {};
  const sync = fakeSynthesizer();
  const s = setup({ synthesize: (request) => new Promise((resolve) => (finish = () => resolve(sync(request)))) });
  s.session.receive(config(1));
  s.session.receive(ssml(1));
  s.session.clientClosed(1000, "");
  finish();
  await new Promise((r) => setImmediate(r));
  t.same(s.sent, []);
});
