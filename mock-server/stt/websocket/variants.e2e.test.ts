/**
 * What real clients sent and the service accepted (spec section 7), black-box: the real
 * `speechmock serve` under Node and under Deno, real sockets, and messages written by hand the
 * way each client wrote them. Every accepted variant completes a whole turn of remind-me.wav as
 * "Remind me to buy 5 pencils." and leaves exactly its notice in the journal (or none, where no
 * document disallows it); every rule the service does enforce next to it still closes the socket.
 * The rules' table, with sources, is in README.md ("Every rule, and where it comes from").
 */
import t from "tap";
import {
  chunkBytes,
  connect,
  newId,
  type ProtocolClient,
  readClip,
  type ServerMessage,
  sdkSpeechConfig,
} from "../../../test/support/protocol-client.ts";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import type { JournalEntry, NoticeCode } from "../../journal.ts";
import { encodeBinaryMessage } from "../../protocol/binary-message.ts";
import { encodeTextMessage } from "../../protocol/text-message.ts";

const remindMe = readClip("remind-me.wav");
const remindMeWav = new Uint8Array([...remindMe.header, ...remindMe.pcm]);
const remindMeText = "Remind me to buy 5 pencils.";
const configBody = JSON.stringify(sdkSpeechConfig);
const now = () => new Date().toISOString();

/** Bytes as a binary message, with these header lines exactly as given (names spelled as given). */
const binary = (headers: [string, string][], payload: Uint8Array = new Uint8Array(0)): Uint8Array =>
  encodeBinaryMessage({ headers, payload });

/** `message` with a blank line (CRLF) added at the end of its header block, the size prefix counting it. */
function withBlankLine(message: Uint8Array): Uint8Array {
  const size = ((message[0] as number) << 8) | (message[1] as number);
  const out = new Uint8Array(message.byteLength + 2);
  out.set([(size + 2) >> 8, (size + 2) & 0xff], 0);
  out.set(message.subarray(2, 2 + size), 2);
  out.set([0x0d, 0x0a], 2 + size);
  out.set(message.subarray(2 + size), 4 + size);
  return out;
}

/** `bytes` cut into pieces of `size`. */
const pieces = (bytes: Uint8Array, size: number): Uint8Array[] =>
  Array.from({ length: Math.ceil(bytes.byteLength / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

const headersOf = (path: string, requestId: string, extra: [string, string][] = []): [string, string][] => [
  ["Path", path],
  ["X-RequestId", requestId],
  ["X-Timestamp", now()],
  ...extra,
];

interface Variant {
  /** What the client sends differently, as a phrase. */
  what: string;
  /** Who sent it against the real service. */
  who: string;
  /** The notices the connection must leave in the journal, in order; [] for none. */
  notices: NoticeCode[];
  /** Sends speech.config and a whole turn of remind-me.wav the client's way; returns the turn's request id. */
  send(client: ProtocolClient): string;
}

const variants: Variant[] = [
  {
    what: "a turn's first audio without Content-Type",
    who: "Microsoft's JS Speech SDK up to 1.9.0",
    notices: ["audio.content_type_missing"],
    send: (c) => {
      c.sendConfig();
      const id = newId();
      c.sendContext(id);
      c.sendAudio(id, remindMe.header); // the SDK's defaults, without Content-Type
      c.sendPcm(id, remindMe.pcm);
      c.endAudio(id);
      return id;
    },
  },
  {
    what: "speech.config without X-RequestId",
    who: "2017-era Node clients; the 2017 document: it does not require one",
    notices: ["config.request_id_missing"],
    send: (c) => {
      c.sendRaw(
        encodeTextMessage({
          headers: [
            ["Path", "speech.config"],
            ["X-Timestamp", now()],
            ["Content-Type", "application/json; charset=utf-8"],
          ],
          body: configBody,
        }),
      );
      return c.sendTurn(remindMe);
    },
  },
  {
    what: "binary header blocks that end with a blank line",
    who: "2017-era Node clients",
    notices: ["message.header_blank_line"],
    send: (c) => {
      c.sendConfig();
      const id = newId();
      c.sendRaw(withBlankLine(binary(headersOf("audio", id, [["Content-Type", "audio/x-wav"]]), remindMe.header)));
      for (const pcm of pieces(remindMe.pcm, chunkBytes)) c.sendRaw(withBlankLine(binary(headersOf("audio", id), pcm)));
      c.sendRaw(withBlankLine(binary(headersOf("audio", id))));
      return id;
    },
  },
  {
    what: "lower-case header names (path, x-requestid, x-timestamp, content-type)",
    who: "Microsoft's 2017 browser SDK",
    notices: [],
    send: (c) => {
      const lower = (path: string, id: string, contentType?: string): [string, string][] => [
        ["path", path],
        ["x-requestid", id],
        ["x-timestamp", now()],
        ...(contentType ? [["content-type", contentType] as [string, string]] : []),
      ];
      c.sendRaw(encodeTextMessage({ headers: lower("speech.config", newId(), "application/json"), body: configBody }));
      const id = newId();
      c.sendRaw(encodeTextMessage({ headers: lower("speech.context", id, "application/json"), body: "{}" }));
      c.sendRaw(binary(lower("audio", id, "audio/x-wav"), remindMe.header));
      for (const pcm of pieces(remindMe.pcm, chunkBytes)) c.sendRaw(binary(lower("audio", id), pcm));
      c.sendRaw(binary(lower("audio", id)));
      return id;
    },
  },
  {
    what: "audio messages of 12,800 bytes, over the documented 8,192",
    who: "Microsoft's 2017 browser SDK",
    notices: ["audio.chunk_oversized"],
    send: (c) => {
      c.sendConfig();
      const id = newId();
      c.sendAudioHeader(id, remindMe.header);
      for (const pcm of pieces(remindMe.pcm, 12_800)) c.sendAudio(id, pcm);
      c.endAudio(id);
      return id;
    },
  },
  {
    what: "no speech.context",
    who: "many clients; optional in every document",
    notices: [],
    send: (c) => {
      c.sendConfig();
      const id = newId();
      c.sendAudioHeader(id, remindMe.header);
      c.sendPcm(id, remindMe.pcm);
      c.endAudio(id);
      return id;
    },
  },
  {
    what: "telemetry of an earlier connection's turn before speech.config",
    who: "the 2017 document: it may be sent as soon as a connection is established",
    // Allowed; its request id names no turn of this connection, which the journal says as for any telemetry.
    notices: ["telemetry.unknown_request"],
    send: (c) => {
      c.sendTelemetry(newId());
      c.sendConfig();
      return c.sendTurn(remindMe);
    },
  },
  {
    what: "a file as the 2017 browser SDK sent it: lower-case names, no Content-Type, 12,800-byte pieces of the WAV file",
    who: "Microsoft's 2017 browser SDK (FileAudioSource)",
    notices: ["audio.chunk_oversized", "audio.content_type_missing"],
    send: (c) => {
      const lower = (path: string, id: string): [string, string][] => [
        ["path", path],
        ["x-requestid", id],
        ["x-timestamp", now()],
      ];
      c.sendRaw(
        encodeTextMessage({ headers: [...lower("speech.config", newId()), ["content-type", "application/json"]], body: configBody }),
      );
      const id = newId();
      for (const piece of pieces(remindMeWav, 12_800)) c.sendRaw(binary(lower("audio", id), piece));
      c.sendRaw(binary(lower("audio", id)));
      return id;
    },
  },
  {
    what: "a file as a 2017-era Node client sent it: `name:value` lines, speech.config without X-RequestId, blank-line binary headers, 32,000-byte pieces",
    who: "ms-bing-speech-service (npm), without its 5 s of appended silence",
    notices: ["config.request_id_missing", "message.header_blank_line", "audio.chunk_oversized"],
    send: (c) => {
      const lines = (headers: [string, string][]) => `${headers.map(([name, value]) => `${name}:${value}\r\n`).join("")}\r\n`;
      c.sendRaw(
        `${lines([
          ["path", "speech.config"],
          ["x-timestamp", now()],
          ["content-type", "application/json; charset=utf-8"],
        ])}${configBody}`,
      );
      const id = newId();
      const audio = (payload: Uint8Array) => {
        const block = lines([
          ["path", "audio"],
          ["x-timestamp", now()],
          ["content-type", "audio/x-wav"],
          ["x-requestid", id],
        ]);
        c.sendRaw(new Uint8Array([block.length >> 8, block.length & 0xff, ...Array.from(block, (ch) => ch.charCodeAt(0)), ...payload]));
      };
      for (const piece of pieces(remindMeWav, 32_000)) audio(piece);
      audio(new Uint8Array(0));
      return id;
    },
  },
];

interface Refusal {
  /** What the client does wrong, next to an accepted variant. */
  what: string;
  /** Does it on a fresh, open connection. */
  commit(client: ProtocolClient): void;
  code: number;
  reason: string;
  /** The journal's violation code. */
  error: string;
}

const refusals: Refusal[] = [
  {
    what: "speech.context without X-RequestId (only speech.config may leave it out)",
    commit: (c) => {
      c.sendConfig();
      c.sendRaw(
        encodeTextMessage({
          headers: [
            ["Path", "speech.context"],
            ["X-Timestamp", now()],
          ],
          body: "{}",
        }),
      );
    },
    code: 1002,
    reason: "Missing/Empty header. X-RequestId.",
    error: "ERR_HEADER_MISSING",
  },
  {
    what: "audio without X-RequestId",
    commit: (c) => {
      c.sendConfig();
      c.sendRaw(
        binary(
          [
            ["Path", "audio"],
            ["X-Timestamp", now()],
            ["Content-Type", "audio/x-wav"],
          ],
          remindMe.header,
        ),
      );
    },
    code: 1002,
    reason: "Missing/Empty header. X-RequestId.",
    error: "ERR_HEADER_MISSING",
  },
  {
    what: "speech.config without X-Timestamp",
    commit: (c) =>
      c.sendRaw(
        encodeTextMessage({
          headers: [
            ["Path", "speech.config"],
            ["X-RequestId", newId()],
          ],
          body: configBody,
        }),
      ),
    code: 1002,
    reason: "Missing/Empty header. X-Timestamp.",
    error: "ERR_HEADER_MISSING",
  },
  {
    what: "lower-case audio without x-timestamp",
    commit: (c) => {
      c.sendConfig();
      c.sendRaw(
        binary(
          [
            ["path", "audio"],
            ["x-requestid", newId()],
          ],
          remindMe.header,
        ),
      );
    },
    code: 1002,
    reason: "Missing/Empty header. X-Timestamp.",
    error: "ERR_HEADER_MISSING",
  },
  {
    what: "a message without Path",
    commit: (c) =>
      c.sendRaw(
        encodeTextMessage({
          headers: [
            ["X-RequestId", newId()],
            ["X-Timestamp", now()],
          ],
          body: configBody,
        }),
      ),
    code: 1002,
    reason: "Missing/Empty header. Path.",
    error: "ERR_HEADER_MISSING",
  },
  {
    what: "a first audio without Content-Type whose payload is no RIFF header",
    commit: (c) => {
      c.sendConfig();
      c.sendAudio(newId(), remindMe.pcm.subarray(0, chunkBytes));
    },
    code: 1007,
    reason: "Unsupported audio format.",
    error: "ERR_RIFF_INVALID",
  },
  {
    what: "a binary header block ending in two blank lines",
    commit: (c) => {
      c.sendConfig();
      c.sendRaw(withBlankLine(withBlankLine(binary(headersOf("audio", newId(), [["Content-Type", "audio/x-wav"]]), remindMe.header))));
    },
    code: 1007,
    reason: "Incorrect message format. Malformed header line.",
    error: "ERR_HEADER_SYNTAX",
  },
  {
    what: "a blank line between binary headers",
    commit: (c) => {
      c.sendConfig();
      const block = `Path: audio\r\n\r\nX-RequestId: ${newId()}\r\nX-Timestamp: ${now()}\r\n`;
      c.sendRaw(new Uint8Array([0, block.length, ...Array.from(block, (ch) => ch.charCodeAt(0)), ...remindMe.header]));
    },
    code: 1007,
    reason: "Incorrect message format. Malformed header line.",
    error: "ERR_HEADER_SYNTAX",
  },
  {
    what: "a header given twice in different cases",
    commit: (c) =>
      c.sendRaw(`Path: speech.config\r\npath: speech.config\r\nX-RequestId: ${newId()}\r\nX-Timestamp: ${now()}\r\n\r\n${configBody}`),
    code: 1007,
    reason: "Incorrect message format. Duplicate header.",
    error: "ERR_HEADER_DUPLICATE",
  },
  {
    what: "a header line without a colon",
    commit: (c) => c.sendRaw(`Path speech.config\r\nX-RequestId: ${newId()}\r\nX-Timestamp: ${now()}\r\n\r\n${configBody}`),
    code: 1007,
    reason: "Incorrect message format. Malformed header line.",
    error: "ERR_HEADER_SYNTAX",
  },
  {
    what: "a binary header byte outside US-ASCII",
    commit: (c) => {
      c.sendConfig();
      const block = new Uint8Array([
        ...new TextEncoder().encode(`Path: audio\r\nX-RequestId: ${newId()}\r\nX-Timestamp: ${now()}\r\nX-Note: é\r\n`),
      ]);
      c.sendRaw(new Uint8Array([0, block.length, ...block]));
    },
    code: 1007,
    reason: "Incorrect message format. Binary message headers are not US-ASCII.",
    error: "ERR_HEADER_NOT_ASCII",
  },
  {
    what: "a binary header size prefix longer than the message",
    commit: (c) => {
      c.sendConfig();
      c.sendRaw(new Uint8Array([0, 100, 0x50, 0x3a]));
    },
    code: 1007,
    reason: "Incorrect message format. Binary message has invalid header size prefix.",
    error: "ERR_FRAME_TRUNCATED",
  },
  {
    what: "speech.context before speech.config",
    commit: (c) => c.sendContext(newId()),
    code: 1002,
    reason: "Invalid request. speech.config must be the first message.",
    error: "ERR_CONFIG_NOT_FIRST",
  },
  {
    what: "a text message over 64 KiB",
    commit: (c) => {
      c.sendConfig();
      c.sendText("telemetry", newId(), { padding: "x".repeat(64 * 1024) });
    },
    code: 1009,
    reason: "Message too big.",
    error: "ERR_MESSAGE_TOO_LARGE",
  },
];

const paths = (messages: readonly ServerMessage[]) => messages.map((m) => m.path);
const displayTexts = (messages: readonly ServerMessage[]) =>
  messages.filter((m) => m.path === "speech.phrase").map((m) => (m.json as { DisplayText?: string }).DisplayText);

/** The journal's entries of one type for one connection, read through the control plane. */
async function journalOf<T extends JournalEntry["type"]>(mock: SpawnedMock, type: T, connectionId: string) {
  const res = await fetch(`${mock.ready.admin}/journal?type=${type}&connectionId=${connectionId}`);
  if (res.status !== 200) throw new Error(`GET journal answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { entries: Extract<JournalEntry, { type: T }>[] }).entries;
}

/** Resolves once the mock has logged the connection's close, so its journal is complete. */
const closeLog = (mock: SpawnedMock, connectionId: string) =>
  mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === connectionId);

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop("SIGKILL"));
    const resource = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    if (!resource) throw new Error("The built-in fixtures have no enabled westus resource");
    const [key] = resource.keys;

    for (const v of variants) {
      const journaled = v.notices.length === 0 ? "no notice" : `notice ${v.notices.join(", ")}`;
      t.test(`accepted: ${v.what} (${v.who}); the turn completes, with ${journaled}`, async (t) => {
        const client = await connect(mock.ready.ws, key);
        const requestId = v.send(client);
        await client.waitFor((m) => m.path === "turn.end" && m.requestId === requestId);
        client.sendTelemetry(requestId);
        const turn = client.messages.filter((m) => m.requestId === requestId);
        t.equal(paths(turn)[0], "turn.start", "the turn starts");
        t.equal(paths(turn).at(-1), "turn.end", "and ends");
        t.same(displayTexts(turn), [remindMeText], `with the scripted text "${remindMeText}"`);
        t.same(await client.close(), { code: 1000, reason: "Normal closure by client" }, "the connection stayed open to the end");
        t.match(await closeLog(mock, client.connectionId), { code: 1000, initiator: "client" });
        const notices = await journalOf(mock, "notice", client.connectionId);
        t.same(
          notices.map((n) => n.code),
          v.notices,
          `the journal has ${journaled}`,
        );
        t.ok(
          notices.every((n) => n.type === "notice" && typeof n.message === "string" && n.message !== ""),
          "each notice says what it saw",
        );
        t.same(await journalOf(mock, "violation", client.connectionId), [], "and no violation");
      });
    }

    for (const r of refusals) {
      t.test(`refused: ${r.what} closes with ${r.code} "${r.reason}"`, async (t) => {
        const client = await connect(mock.ready.ws, key);
        r.commit(client);
        t.same(await client.closed, { code: r.code, reason: r.reason }, "the close frame");
        t.match(await closeLog(mock, client.connectionId), {
          code: r.code,
          reason: r.reason,
          initiator: "server",
          error: { code: r.error },
        });
        const violations = await journalOf(mock, "violation", client.connectionId);
        t.match(violations, [{ code: r.error, closeCode: r.code, closeReason: r.reason }], "one violation in the journal");
        t.equal(violations.length, 1);
      });
    }
  });
}
