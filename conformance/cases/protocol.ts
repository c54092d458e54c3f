/** Protocol cases: the messages of a session and how the client meets the service's closes (spec 4 and 5). */
import { type Case, check } from "../case.ts";
import { accepted, closes, describeErrors, errors, list, recognized, sent, turns } from "../evidence.ts";
import { closeAtSecondTurn } from "./faults.ts";

const noDashUuid = /^[0-9a-fA-F]{32}$/;

export const protocolCases: Case[] = [
  {
    id: "protocol.config-first",
    level: "MUST",
    title: "speech.config is the first message on every connection",
    spec: "spec 4: client to service (the JS SDK sends it again before each recognize on a kept connection: allowed)",
    plan: { sessions: 2 },
    judge: (e) => {
      const connections = accepted(e).map((h) => h.connectionId as string);
      const firsts = connections.map((id) => sent(e, id)[0]?.path ?? "nothing");
      return [
        check(connections.length === 2, "the client opened two connections", () => `${connections.length}; ${describeErrors(e)}`),
        check(
          firsts.every((p) => p === "speech.config"),
          "each connection starts with speech.config",
          () => `first messages: ${list(firsts)}`,
          () => connections.flatMap((id) => sent(e, id).slice(0, 1)),
        ),
      ];
    },
  },
  {
    id: "protocol.request-ids",
    level: "MUST",
    title: "Request ids are UUIDs without dashes, and no turn reuses one",
    spec: "spec 4 and 5: X-RequestId",
    plan: { sessions: 2, turns: 2 },
    judge: (e) => {
      // speech.config may leave X-RequestId out (SDK 1.9 did; the service accepts it, journaled as a notice).
      const bad = sent(e)
        .filter((m) => !(m.path === "speech.config" && m.requestId === undefined))
        .map((m) => m.requestId)
        .filter((id) => id === undefined || !noDashUuid.test(id));
      const turnList = turns(e);
      const turnIds = turnList.map((t) => t.requestId.toLowerCase());
      const connections = new Set(turnList.map((t) => t.connectionId));
      return [
        check(bad.length === 0, "every message's X-RequestId is 32 hex digits", () => `malformed: ${list(bad.map(String))}`),
        check(
          turnIds.length === 4 && connections.size === 2,
          "four turns on two connections",
          () => `${turnIds.length} turns on ${connections.size} connections; ${describeErrors(e)}`,
          () => accepted(e),
        ),
        check(new Set(turnIds).size === turnIds.length, "each turn has a request id never used before, on any connection", () =>
          list(turnIds),
        ),
      ];
    },
  },
  {
    id: "protocol.speech-context",
    level: "SHOULD",
    title: "Each turn starts with speech.context",
    spec: "spec 4: client to service (speech.context is optional in the protocol; every Microsoft SDK sends it)",
    plan: { turns: 2 },
    judge: (e) => {
      const all = turns(e);
      const withContext = all.filter((t) =>
        sent(e, t.connectionId).some((m) => m.path === "speech.context" && m.requestId?.toLowerCase() === t.requestId.toLowerCase()),
      );
      return [
        check(all.length === 2, "both turns ran", () => `${all.length} turns; ${describeErrors(e)}`),
        check(
          withContext.length === all.length,
          "each turn has a speech.context with its request id",
          () => `${withContext.length} of ${all.length} turns`,
        ),
      ];
    },
  },
  {
    id: "protocol.client-closes",
    level: "SHOULD",
    title: "The client closes each connection it opened, with a close frame",
    spec: "RFC 6455 section 7: the closing handshake; spec 5: the service closes idle connections after 180 s",
    plan: { sessions: 2 },
    judge: (e) => {
      const opened = accepted(e).map((h) => h.connectionId?.toLowerCase());
      const ended = new Map(closes(e).map((c) => [c.connectionId.toLowerCase(), c]));
      const how = opened.map((id) => {
        const c = id === undefined ? undefined : ended.get(id);
        if (c === undefined) return "never closed";
        if (c.initiator === "server") return `closed by the mock (${c.code} ${c.reason})`;
        return c.code === 1006 ? "dropped without a close frame (1006)" : "closed";
      });
      return [
        check(opened.length === 2, "the client opened two connections", () => `${opened.length}; ${describeErrors(e)}`),
        check(
          how.every((h) => h === "closed"),
          "each one was closed by the client with a close frame",
          () => list(how),
          () => [...accepted(e), ...closes(e)].sort((a, b) => a.seq - b.seq),
        ),
      ];
    },
  },
  {
    id: "protocol.turn-end-awaited",
    level: "SHOULD",
    title: "A turn is over at turn.end: telemetry and the next turn wait for it",
    spec: "spec 4: telemetry soon after turn.end; the 2017 document: turn.end is always the last response message of a turn",
    plan: { turns: 2 },
    judge: (e) => {
      const early = e.journal.filter(
        (j) => j.type === "notice" && (j.code === "telemetry.before_turn_end" || j.code === "turn.next_before_turn_end"),
      );
      return [
        check(turns(e).length === 2, "both turns ran", () => `${turns(e).length} turns; ${describeErrors(e)}`),
        check(
          early.length === 0,
          "nothing of a turn is sent before the turn before it has ended",
          () => list(early.map((n) => (n.type === "notice" ? `${n.code}: ${n.message}` : ""))),
          early,
        ),
      ];
    },
  },
  {
    id: "protocol.wav-header",
    level: "MUST",
    title: "The first audio message of each turn carries a WAV header",
    spec: "spec 4: audio",
    plan: { turns: 2 },
    judge: (e) => {
      const riff = e.journal.filter(
        (j) => j.type === "violation" && (j.code === "ERR_RIFF_INVALID" || j.code === "ERR_AUDIO_CONTENT_TYPE"),
      );
      return [
        check(
          riff.length === 0,
          "the mock accepts each turn's first audio as 16 kHz 16-bit mono WAV",
          () => list(riff.map((v) => (v.type === "violation" ? v.message : ""))),
          riff,
        ),
        // Started, not ended: whether a turn ends is other cases' business (end-of-audio, turn-end-awaited).
        check(turns(e).length === 2, "both turns ran", () => `${turns(e).length} turns; ${describeErrors(e)}`),
      ];
    },
  },
  {
    id: "protocol.end-of-audio",
    level: "MUST",
    title: "Each turn's audio ends with an empty audio message",
    spec: "spec 4: audio (a chunk with no body ends the stream)",
    plan: { turns: 2 },
    judge: (e) => {
      const all = turns(e);
      const ended = all.filter((t) =>
        sent(e, t.connectionId).some((m) => m.path === "audio" && m.requestId === t.requestId && m.payload === 0),
      );
      return [
        check(
          all.length === 2 && ended.length === 2,
          "both turns' audio ends with an empty audio message",
          () => `${ended.length} of ${all.length} turns; ${describeErrors(e)}`,
        ),
      ];
    },
  },
  {
    id: "protocol.telemetry",
    level: "SHOULD",
    title: "A telemetry message follows each turn.end, once per request id",
    spec: "spec 4: telemetry",
    requires: ["telemetry"],
    plan: { turns: 2 },
    judge: (e) => {
      const all = turns(e);
      const counts = all.map((t) => sent(e, t.connectionId).filter((m) => m.path === "telemetry" && m.requestId === t.requestId).length);
      const notices = e.journal.filter((j) => j.type === "notice" && j.code.startsWith("telemetry."));
      return [
        check(
          all.length === 2 && counts.every((n) => n === 1),
          "each of the two turns gets exactly one telemetry message",
          () => `telemetry per turn: ${list(counts)}`,
        ),
        check(
          notices.length === 0,
          "the mock noticed nothing wrong with telemetry",
          () => list(notices.map((n) => (n.type === "notice" ? n.code : ""))),
          notices,
        ),
      ];
    },
  },
  {
    id: "protocol.recognized-text",
    level: "MUST",
    title: "The recognized text is the scripted transcript, turn after turn",
    spec: "spec 4: speech.phrase",
    plan: { turns: 2 },
    judge: (e) => {
      const texts = recognized(e).map((r) => `${r.status}: ${r.text ?? ""}`);
      const want = `Success: ${e.expectedText}`;
      return [
        check(
          texts.length === 2 && texts.every((t) => t === want),
          `both turns report ${JSON.stringify(want)}`,
          () => `reported: ${list(texts)}; ${describeErrors(e)}`,
        ),
      ];
    },
  },
  {
    id: "protocol.no-match",
    level: "MUST",
    title: "Silence is surfaced as NoMatch, not as an error or a text",
    spec: "spec 4: RecognitionStatus",
    plan: { clip: "silence" },
    judge: (e) => [
      check(
        recognized(e).length === 1 && recognized(e)[0]?.status === "NoMatch" && !recognized(e)[0]?.text,
        "the client reports NoMatch with no text",
        () => list(recognized(e)),
      ),
      check(errors(e).length === 0, "and no error", () => describeErrors(e)),
    ],
  },
  {
    id: "protocol.close-1007",
    level: "MUST",
    title: "A 1007 close is surfaced as an error and ends the session: no reconnect",
    spec: "spec 5: 1007; the JS SDK cancels on 1002, 1003, 1007",
    // On the turn's first audio message, which every client sends (speech.context is optional).
    setup: {
      faults: [{ target: "message", path: "audio", turnStart: true, action: { kind: "close", code: 1007, reason: "Quota exceeded." } }],
    },
    judge: (e) => [
      check(
        errors(e).some((x) => x.code === 1007),
        "the client reports an error with close code 1007",
        () => describeErrors(e),
      ),
      check(
        e.journal.filter((j) => j.type === "handshake").length === 1,
        "it does not connect again",
        () => `${e.journal.filter((j) => j.type === "handshake").length} handshakes`,
        () => e.journal.filter((j) => j.type === "handshake" || j.type === "close"),
      ),
      check(!recognized(e).some((r) => r.status === "Success"), "it reports no recognition", () => list(recognized(e))),
    ],
  },
  {
    id: "protocol.reconnect-after-1000",
    level: "MUST",
    title: "After a 1000 close as a turn begins, the client reconnects and recognizes the turn",
    spec: "spec 5: 1000; limits close connections with 1000",
    requires: ["reconnect"],
    plan: { turns: 2 },
    setup: {
      faults: [closeAtSecondTurn],
    },
    judge: (e) => {
      const texts = recognized(e).map((r) => r.text);
      const connections = accepted(e).map((h) => h.connectionId as string);
      return [
        check(
          e.journal.some((j) => j.type === "fault"),
          "the mock closed the connection as the second turn began",
          () => "the client sent no audio for a second turn",
        ),
        check(
          connections.length === 2 && sent(e, connections[1])[0]?.path === "speech.config",
          "the client opens a new connection, starting with speech.config",
          () => `${connections.length} connections`,
          () => e.journal.filter((j) => j.type === "handshake" || j.type === "close" || j.type === "fault"),
        ),
        check(
          texts.length === 2 && texts.every((t) => t === e.expectedText),
          "and both turns are recognized",
          () => `reported: ${list(texts.map(String))}; ${describeErrors(e)}`,
        ),
        check(errors(e).length === 0, "with no error surfaced", () => describeErrors(e)),
      ];
    },
  },
];
