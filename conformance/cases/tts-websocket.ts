/**
 * Text to speech over the Speech SDK's synthesis WebSocket (tts-and-timing 2): one connection,
 * `speech.config` once, per speak `synthesis.context` and `ssml` under one request id, the speak
 * over at `turn.end`; a refused SSML closes 1007.
 */
import { type Case, check, type Evidence } from "../case.ts";
import { accepted, closes, describeErrors, errors, handshakes, issued, keyLeaks, list, sent, syntheses, synthesized } from "../evidence.ts";

const speakOnSocket = { task: "synthesize", api: "websocket" } as const;
/** The plan's default format (`defaultPlan`): RIFF, so the client adds the 44-byte header to the headerless audio (2.2). */
const riffHeaderBytes = 44;
const noDashUuid = /^[0-9a-fA-F]{32}$/;

/** Each speak the client sent: its `ssml` message's request id, and whether a `synthesis.context` with that id came before it. */
function speaksSent(e: Evidence) {
  return accepted(e).flatMap((h) => {
    const messages = sent(e, h.connectionId);
    return messages.flatMap((m, i) =>
      m.path === "ssml"
        ? [
            {
              requestId: m.requestId ?? "",
              withContext: messages.slice(0, i).some((c) => c.path === "synthesis.context" && c.requestId === m.requestId),
            },
          ]
        : [],
    );
  });
}

/** The speaks answered, each reported with its audio bytes (+ the RIFF header) and its word boundaries (the metadata entries but SessionEnd). */
function reportedChecks(e: Evidence, turns: number) {
  const made = syntheses(e);
  const got = synthesized(e);
  const want = made.map((s) => s.audioBytes + riffHeaderBytes);
  return [
    check(made.length === turns, `the mock answered ${turns} speak(s) to turn.end`, () => `${made.length}; ${describeErrors(e)}`),
    check(
      got.length === turns && got.every((s, i) => s.bytes === want[i]),
      "the client reports each with the audio payloads' bytes, plus the RIFF header",
      () => `reported: ${list(got.map((s) => s.bytes))}; sent: ${list(want)}`,
      made,
    ),
    check(
      got.length === turns &&
        got.every((s, i) => (s.words ?? 0) > 0 && (s.words === made[i]?.metadata || s.words === (made[i]?.metadata ?? 0) - 1)),
      "it asked for word boundaries and counts each one the mock sent",
      () =>
        `reported words: ${list(got.map((s) => s.words ?? "none"))}; metadata entries sent (SessionEnd among them): ${list(made.map((s) => s.metadata))}`,
    ),
  ];
}

export const ttsWebSocketCases: Case[] = [
  {
    id: "tts.websocket.synthesize",
    level: "MUST",
    title: "A speak on the synthesis WebSocket sends config, context and SSML, and reads the audio to turn.end",
    spec: "tts-and-timing 2.2, 2.3, 2.5: speech.config, synthesis.context, ssml; done at turn.end",
    requires: ["tts-websocket"],
    plan: speakOnSocket,
    judge: (e) => {
      const connections = accepted(e).map((h) => h.connectionId as string);
      const first = connections.map((id) => sent(e, id)[0]?.path ?? "nothing");
      const speaks = speaksSent(e);
      return [
        check(connections.length === 1, "the client opened one connection", () => `${connections.length}; ${describeErrors(e)}`),
        check(
          first.every((p) => p === "speech.config"),
          "it starts with speech.config",
          () => `first messages: ${list(first)}`,
        ),
        check(
          speaks.length === 1 && speaks.every((s) => s.withContext && noDashUuid.test(s.requestId)),
          "the ssml follows a synthesis.context with the same X-RequestId, 32 hex digits",
          () => list(speaks),
          () => sent(e),
        ),
        ...reportedChecks(e, 1),
      ];
    },
  },
  {
    id: "tts.websocket.several",
    level: "SHOULD",
    title: "Speaks follow one another on one connection, each with its own request id",
    spec: "tts-and-timing 2.1 and 2.5: one connection per synthesizer, reused across speaks; speaks are queued",
    requires: ["tts-websocket"],
    plan: { ...speakOnSocket, turns: 2 },
    judge: (e) => {
      const speaks = speaksSent(e);
      const ids = speaks.map((s) => s.requestId.toLowerCase());
      return [
        check(
          handshakes(e).length === 1,
          "the client opened one connection for both speaks",
          () => `${handshakes(e).length} handshakes`,
          () => handshakes(e),
        ),
        check(
          ids.length === 2 && new Set(ids).size === 2 && speaks.every((s) => s.withContext),
          "two speaks, each with a new request id and its own synthesis.context",
          () => list(speaks),
          () => sent(e),
        ),
        ...reportedChecks(e, 2),
      ];
    },
  },
  {
    id: "tts.websocket.bad-voice",
    level: "MUST",
    title: "A 1007 close for an unknown voice is surfaced as an error, and not retried",
    spec: "tts-and-timing 2.6: Unsupported voice ... closes 1007; the SDK cancels with BadRequestParameters",
    requires: ["tts-websocket"],
    plan: { ...speakOnSocket, voice: "en-US-NobodyNeural" },
    judge: (e) => [
      check(
        closes(e).some((c) => c.initiator === "server" && c.code === 1007),
        "the mock closed the connection with 1007",
        () => list(closes(e).map((c) => `${c.initiator} ${c.code} ${c.reason}`)),
      ),
      check(
        errors(e).some((x) => x.kind === "protocol" && x.code === 1007),
        "the client reports a protocol error with close code 1007",
        () => describeErrors(e),
      ),
      check(
        handshakes(e).length === 1,
        "it does not connect again",
        () => `${handshakes(e).length} handshakes`,
        () => e.journal.filter((j) => j.type === "handshake" || j.type === "close"),
      ),
      check(synthesized(e).length === 0, "it reports no synthesis", () => list(synthesized(e))),
    ],
  },
  {
    id: "tts.websocket.auth",
    level: "MUST",
    title: "The synthesis handshake carries an issued token and its own X-ConnectionId, never the key",
    spec: "tts-and-timing 2.1: auth and X-ConnectionId travel as for speech to text (spec 3)",
    requires: ["tts-websocket", "token"],
    plan: speakOnSocket,
    judge: (e) => {
      const tags = new Set(issued(e).map((r) => r.tokenTag));
      const hs = handshakes(e);
      const leaks = keyLeaks(hs);
      return [
        check(hs.length > 0, "the client opened a connection", () => describeErrors(e)),
        check(
          hs.every((h) => h.credential.kind === "token" && h.tokenTag !== undefined && tags.has(h.tokenTag)),
          "every handshake presents a token the token service issued",
          () => list(hs.map((h) => h.credential.kind)),
          () => [...issued(e), ...hs],
        ),
        check(leaks.length === 0, "no handshake carries the subscription key", () => `found: ${list(leaks)}`, hs),
        check(
          hs.every((h) => noDashUuid.test(h.connectionId ?? "")),
          "each has an X-ConnectionId of 32 hex digits",
          () => list(hs.map((h) => h.connectionId ?? "none")),
          hs,
        ),
      ];
    },
  },
];
