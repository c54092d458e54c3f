/**
 * The speech protocol, black-box: the real `speechmock serve` under Node and under Deno, real
 * sockets, and a client that speaks the protocol by hand (`test/support/protocol-client.ts`, built on
 * the `ws` package and the codecs). Whole turns, modes and formats; every kind of violation
 * closes its own connection with the documented code and reason and leaves the others alone; the
 * limits (quota, idle, lifetime, query parameters, a client that stops reading).
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { connect, newId, type ProtocolClient, readClip, type ServerMessage, tryConnect } from "../../../test/support/protocol-client.ts";
import { type ReadyLine, runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { encodeTextMessage } from "../../protocol/text-message.ts";

/** A tap test object, as its subtest callbacks receive it. */
type Assert = Parameters<Parameters<typeof t.test>[0]>[0];

const hello = readClip("hello.wav");
const remindMe = readClip("remind-me.wav");
const weather = readClip("weather.wav");
const twoUtterances = readClip("two-utterances.wav");

const keyOf = (ready: ReadyLine, name: string): string => {
  const resource = ready.resources.find((r) => r.name === name);
  if (!resource) throw new Error(`No resource ${name} in the ready line`);
  return resource.keys[0];
};

const paths = (messages: readonly ServerMessage[]) => messages.map((m) => m.path);
const phrases = (messages: readonly ServerMessage[]) =>
  messages.filter((m) => m.path === "speech.phrase").map((m) => m.json as Record<string, unknown>);

/** The server's `socket.close` log line for a connection. */
const closeLog = (mock: SpawnedMock, connectionId: string, timeoutMs?: number) =>
  mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === connectionId, timeoutMs);

/** A connection that has sent its speech.config, as every client does first. */
async function configured(mock: SpawnedMock, query?: string): Promise<ProtocolClient> {
  const client = await connect(mock.ready.ws, keyOf(mock.ready, "speechmock-westus"), query ? { query } : {});
  client.sendConfig();
  return client;
}

/** Completes a turn of hello.wav on `client` and checks what it heard. */
async function helloTurn(t: Assert, client: ProtocolClient, what: string): Promise<void> {
  const messages = await client.turn(hello);
  t.equal(paths(messages).at(-1), "turn.end", `${what}: the turn ended`);
  t.same(
    phrases(messages).map((p) => p.DisplayText),
    ["Hello world."],
    `${what}: it heard "Hello world."`,
  );
}

/** hello.wav's RIFF header claiming 8 kHz: a well-formed WAV header the service does not take. */
function riffAt8kHz(): Uint8Array {
  const header = hello.header.slice();
  const view = new DataView(header.buffer);
  view.setUint32(24, 8_000, true); // SampleRate
  view.setUint32(28, 16_000, true); // ByteRate
  return header;
}

interface Violation {
  /** What the client does wrong, as a phrase. */
  what: string;
  /** Does it on a fresh, open connection (which has sent nothing yet). */
  commit(client: ProtocolClient): Promise<void> | void;
  code: number;
  reason: string;
  /** The `error.code` of the server's log line. */
  error: string;
}

const violations: Violation[] = [
  {
    what: "audio before speech.config",
    commit: (c) => c.sendAudioHeader(newId(), hello.header),
    code: 1002,
    reason: "Invalid request. speech.config must be the first message.",
    error: "ERR_CONFIG_NOT_FIRST",
  },
  {
    what: "an X-RequestId with dashes",
    commit: (c) => {
      c.sendConfig();
      c.sendContext(randomUUID());
    },
    code: 1002,
    reason: "Invalid request. X-RequestId header value was not specified in no-dash UUID format.",
    error: "ERR_REQUEST_ID_FORMAT",
  },
  {
    what: "a message without X-Timestamp",
    commit: (c) =>
      c.sendRaw(
        encodeTextMessage({
          headers: [
            ["Path", "speech.config"],
            ["X-RequestId", newId()],
            ["Content-Type", "application/json"],
          ],
          body: "{}",
        }),
      ),
    code: 1002,
    reason: "Missing/Empty header. X-Timestamp.",
    error: "ERR_HEADER_MISSING",
  },
  {
    what: "a speech.config body that is not a JSON object",
    commit: (c) => c.sendConfig("[1, 2]"),
    code: 1007,
    reason: "Incorrect message format. Body is not a JSON object.",
    error: "ERR_BODY_NOT_JSON",
  },
  {
    what: "a RIFF header for 8 kHz audio",
    commit: (c) => {
      c.sendConfig();
      c.sendAudioHeader(newId(), riffAt8kHz());
    },
    code: 1007,
    reason: "Unsupported audio format.",
    error: "ERR_RIFF_INVALID",
  },
  {
    what: "first audio with Content-Type audio/mpeg",
    commit: (c) => {
      c.sendConfig();
      c.sendAudio(newId(), hello.header, { "Content-Type": "audio/mpeg" });
    },
    code: 1007,
    reason: "Unsupported audio format.",
    error: "ERR_AUDIO_CONTENT_TYPE",
  },
  {
    what: "a new turn that reuses an ended turn's request id",
    commit: async (c) => {
      c.sendConfig();
      const [first] = await c.turn(hello);
      c.sendAudioHeader(first?.requestId ?? "", hello.header);
    },
    code: 1002,
    reason: "Invalid request. Reuse of request identifiers is not allowed.",
    error: "ERR_REQUEST_ID_REUSED",
  },
  {
    what: "audio for another request id while a turn's audio is open",
    commit: (c) => {
      c.sendConfig();
      c.sendAudioHeader(newId(), hello.header);
      c.sendAudioHeader(newId(), hello.header);
    },
    code: 1002,
    reason: "Invalid request. X-RequestId does not match the turn in progress.",
    error: "ERR_REQUEST_ID_MISMATCH",
  },
  {
    what: "an audio message of 64 KiB + 1 byte of PCM",
    commit: (c) => {
      c.sendConfig();
      const id = newId();
      c.sendAudioHeader(id, hello.header);
      c.sendAudio(id, new Uint8Array(64 * 1024 + 1));
    },
    code: 1009,
    reason: "Message too big.",
    error: "ERR_MESSAGE_TOO_LARGE",
  },
  {
    what: "a binary message whose header size prefix says 8193",
    commit: (c) => {
      c.sendConfig();
      const bytes = new Uint8Array(2 + 8193 + 100).fill(0x41);
      bytes[0] = 8193 >> 8;
      bytes[1] = 8193 & 0xff;
      c.sendRaw(bytes);
    },
    code: 1007,
    reason: "Incorrect message format. Binary message has invalid header size prefix.",
    error: "ERR_FRAME_HEADER_SIZE",
  },
  {
    what: "a text message without a blank line (CRLFCRLF) after its headers",
    commit: (c) => c.sendRaw(`Path: speech.config\r\nX-RequestId: ${newId()}\r\nX-Timestamp: ${new Date().toISOString()}\r\n{}`),
    code: 1007,
    reason: "Incorrect message format. Text message has no blank line after its headers.",
    error: "ERR_TEXT_NO_SEPARATOR",
  },
];

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const settled = await Promise.allSettled([
      spawnMock(runtime),
      spawnMock(runtime, ["--idle-timeout", "0.3"]),
      spawnMock(runtime, ["--max-connection-lifetime", "0.5"]),
      spawnMock(runtime, ["--quota-exceeded", "refuse"]),
    ]);
    const all = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) {
      await Promise.all(all.map((m) => m.stop("SIGKILL"))); // leave none behind
      throw failed.reason;
    }
    const [main, idle, lifetime, refuse] = all as [SpawnedMock, SpawnedMock, SpawnedMock, SpawnedMock];
    t.teardown(() => Promise.all(all.map((m) => m.stop("SIGKILL"))));

    t.test("a whole turn of remind-me.wav gets turn.start to turn.end, all for its request id", async (t) => {
      const client = await configured(main);
      const messages = await client.turn(remindMe);
      const requestId = messages[0]?.requestId;
      const hypothesisCount = paths(client.messages).filter((p) => p === "speech.hypothesis").length;
      t.ok(hypothesisCount >= 3, `${hypothesisCount} hypotheses`);
      t.same(paths(client.messages), [
        "turn.start",
        "speech.startDetected",
        ...Array(hypothesisCount).fill("speech.hypothesis"),
        "speech.endDetected",
        "speech.phrase",
        "turn.end",
      ]);
      t.match(requestId, /^[0-9A-F]{32}$/);
      for (const m of client.messages) {
        t.equal(m.requestId, requestId, `${m.path} carries the turn's X-RequestId`);
        t.equal(m.headers["Content-Type"], m.path === "turn.end" ? undefined : "application/json; charset=utf-8", `${m.path} Content-Type`);
      }
      const body = (path: string) => client.messages.find((m) => m.path === path)?.json as Record<string, unknown>;
      t.match(body("turn.start"), { context: { serviceTag: /^[0-9A-F]{32}$/ } });
      // Live hypotheses come from the speech heard so far, so they may grow by more than a word.
      const hypotheses = client.messages.filter((m) => m.path === "speech.hypothesis").map((m) => (m.json as { Text: string }).Text);
      t.ok(
        hypotheses.every((h, i) => i === 0 || h.startsWith(`${hypotheses[i - 1]} `)),
        "each hypothesis extends the one before",
        { hypotheses },
      );
      t.equal(hypotheses.at(-1), "remind me to buy 5 pencils", "and they end with the whole ITN text");
      const phrase = body("speech.phrase");
      t.same(Object.keys(phrase).sort(), ["DisplayText", "Duration", "Offset", "RecognitionStatus"], "a simple phrase");
      t.equal(phrase.RecognitionStatus, "Success");
      t.equal(phrase.DisplayText, "Remind me to buy 5 pencils.");
      t.equal(body("speech.startDetected").Offset, phrase.Offset, "speech starts where the phrase does");
      t.equal(body("speech.endDetected").Offset, (phrase.Offset as number) + (phrase.Duration as number), "and ends where it ends");
      t.equal(client.messages.at(-1)?.body, "", "turn.end has an empty body");
      const log = await main.waitForLog((l) => l.event === "turn" && l.requestId === requestId);
      t.match(log, { connectionId: client.connectionId, mode: "interactive", status: "Success", phrases: 1, scripted: true });
      t.same(await client.close(), { code: 1000, reason: "Normal closure by client" });
      t.match(await closeLog(main, client.connectionId), { code: 1000, initiator: "client" });
    });

    t.test("two turns on one connection are answered each under its own request id", async (t) => {
      const client = await configured(main);
      const first = await client.turn(remindMe);
      const second = await client.turn(weather);
      t.not(first[0]?.requestId, second[0]?.requestId);
      t.equal(first.length + second.length, client.messages.length, "every message belongs to one of the turns");
      for (const turn of [first, second]) {
        t.equal(turn[0]?.path, "turn.start");
        t.equal(turn.at(-1)?.path, "turn.end");
      }
      t.same(
        phrases(first).map((p) => p.DisplayText),
        ["Remind me to buy 5 pencils."],
      );
      t.same(
        phrases(second).map((p) => p.DisplayText),
        ["What is the weather like in Seattle today?"],
      );
      await client.close();
    });

    t.test("conversation mode hears both utterances of two-utterances.wav as two phrases", async (t) => {
      const client = await connect(main.ready.ws, keyOf(main.ready, "speechmock-westus"), { mode: "conversation" });
      client.sendConfig();
      const messages = await client.turn(twoUtterances);
      // Consecutive hypotheses collapsed: their number depends on each phrase's length.
      const shape = paths(messages).filter((p, i, all) => p !== "speech.hypothesis" || all[i - 1] !== p);
      t.same(shape, [
        "turn.start",
        "speech.startDetected",
        "speech.hypothesis",
        "speech.phrase",
        "speech.hypothesis",
        "speech.endDetected",
        "speech.phrase",
        "turn.end",
      ]);
      const [one, two] = phrases(messages);
      t.match(one, { RecognitionStatus: "Success", DisplayText: "Turn on the lights." });
      t.match(two, { RecognitionStatus: "Success", DisplayText: "Set a timer for 10 minutes." });
      t.ok((two?.Offset as number) >= (one?.Offset as number) + (one?.Duration as number), "the second phrase starts after the first ends");
      const log = await main.waitForLog((l) => l.event === "turn" && l.connectionId === client.connectionId);
      t.match(log, { mode: "conversation", phrases: 2 });
      await client.close();
    });

    t.test("format=detailed adds NBest with the lexical, ITN, masked ITN and display forms", async (t) => {
      const client = await configured(main, "format=detailed");
      const [phrase] = phrases(await client.turn(remindMe));
      t.match(phrase, { RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils.", Offset: Number, Duration: Number });
      t.same(phrase?.NBest, [
        {
          Confidence: 0.9,
          Lexical: "remind me to buy five pencils",
          ITN: "remind me to buy 5 pencils",
          MaskedITN: "remind me to buy 5 pencils",
          Display: "Remind me to buy 5 pencils.",
        },
      ]);
      await client.close();
    });

    for (const v of violations) {
      t.test(`${v.what} closes with ${v.code} "${v.reason}", and another connection keeps working`, async (t) => {
        const bystander = await configured(main);
        const client = await connect(main.ready.ws, keyOf(main.ready, "speechmock-westus"));
        await v.commit(client);
        t.same(await client.closed, { code: v.code, reason: v.reason }, "the close frame");
        t.match(
          await closeLog(main, client.connectionId),
          { code: v.code, reason: v.reason, initiator: "server", error: { code: v.error, message: String } },
          "the server's log line",
        );
        await helloTurn(t, bystander, "the other connection");
        await bystander.close();
      });
    }

    t.test('a key out of quota is accepted, then its speech.config is closed with 1007 "Quota exceeded."', async (t) => {
      const outcome = await tryConnect(main.ready.ws, keyOf(main.ready, "speechmock-quota"));
      if (!outcome.opened) return t.fail(`refused: ${outcome.status}`);
      const { client } = outcome;
      t.match(await main.waitForLog((l) => l.event === "handshake" && l.connectionId === client.connectionId), {
        status: 101,
        decision: "accept",
        resource: "speechmock-quota",
      });
      client.sendConfig();
      t.same(await client.closed, { code: 1007, reason: "Quota exceeded." });
      t.match(await closeLog(main, client.connectionId), { initiator: "server", error: { code: "ERR_QUOTA_EXCEEDED" } });
    });

    t.test("with --quota-exceeded refuse, a key out of quota is refused 403 at the handshake", async (t) => {
      const outcome = await tryConnect(refuse.ready.ws, keyOf(refuse.ready, "speechmock-quota"));
      if (outcome.opened) {
        await outcome.client.close();
        return t.fail("the handshake was accepted");
      }
      t.equal(outcome.status, 403);
      t.equal(outcome.headers["x-speechmock-reason"], "auth.quota_exceeded");
      const client = await configured(refuse);
      await helloTurn(t, client, "an enabled key on the same server");
      await client.close();
    });

    t.test('with --idle-timeout 0.3, a connection that sends nothing is closed with 1000 "Idle timeout exceeded (0.3 s)."', async (t) => {
      const client = await connect(idle.ready.ws, keyOf(idle.ready, "speechmock-westus"));
      client.sendConfig();
      t.same(await client.closed, { code: 1000, reason: "Idle timeout exceeded (0.3 s)." });
      t.match(await closeLog(idle, client.connectionId), { initiator: "server", error: { code: "LIMIT_IDLE" } });
    });

    t.test("with --max-connection-lifetime 0.5, even a connection streaming audio is closed with 1000", async (t) => {
      // 100 ms of audio every 200 ms, as a live source streams it, until the server closes.
      const streamUntilClosed = async () => {
        const client = await connect(lifetime.ready.ws, keyOf(lifetime.ready, "speechmock-westus"), { mode: "conversation" });
        client.sendConfig();
        const requestId = newId();
        client.sendAudioHeader(requestId, hello.header);
        const chunk = hello.pcm.subarray(0, 3200);
        let sent = 0;
        const streaming = setInterval(() => {
          if (client.ws.readyState !== client.ws.OPEN) return;
          client.sendAudio(requestId, chunk);
          sent++;
        }, 200);
        const closed = await Promise.race([client.closed, new Promise<null>((r) => setTimeout(() => r(null), 10_000).unref())]);
        clearInterval(streaming);
        const log = await closeLog(lifetime, client.connectionId);
        return { closed, sent, log };
      };
      // On Deno, a chunk that crosses the close frame on the wire makes Deno reset the connection
      // (1006; see the lingering close in runtime/deno.ts). A loaded machine can delay either side
      // enough for that, so Deno gets two more tries; the mock must close for the lifetime each time.
      const tries = runtime === "deno" ? 3 : 1;
      for (let attempt = 1; ; attempt++) {
        const { closed, sent, log } = await streamUntilClosed();
        t.match(log, { initiator: "server", error: { code: "LIMIT_LIFETIME" } }, `try ${attempt}: the mock closed for the lifetime`);
        if (closed?.code === 1006 && attempt < tries) {
          t.comment(`try ${attempt}: a chunk crossed the close frame, Deno reset the connection (1006); trying again`);
          continue;
        }
        t.same(closed, { code: 1000, reason: "Maximum connection lifetime exceeded (0.5 s)." });
        t.ok(sent > 0, `${sent} audio messages were sent before the close`);
        break;
      }
    });

    for (const query of ["format=verbose", "profanity=x", "initialSilenceTimeoutMs=abc"]) {
      t.test(`a handshake with ${query} is refused 400 request.parameter_invalid`, async (t) => {
        const outcome = await tryConnect(main.ready.ws, keyOf(main.ready, "speechmock-westus"), { query });
        if (outcome.opened) {
          await outcome.client.close();
          return t.fail("the handshake was accepted");
        }
        t.equal(outcome.status, 400);
        t.equal(outcome.headers["x-speechmock-reason"], "request.parameter_invalid");
        t.match(await main.waitForLog((l) => l.event === "handshake" && l.connectionId === outcome.connectionId), {
          status: 400,
          decision: "reject",
          reason: "request.parameter_invalid",
        });
      });
    }

    // Last: it makes the server write megabytes.
    t.test('a client that stops reading is closed with 1008 "Send buffer limit exceeded."', async (t) => {
      const bystander = await configured(main);
      const client = await configured(main);
      // ws.pause() pauses the underlying socket (`ws._socket.pause()`) and keeps ws from resuming it.
      client.ws.pause();
      let logged: Record<string, unknown> | undefined;
      const log = closeLog(main, client.connectionId, 60_000).then((l) => {
        logged = l;
        return l;
      });
      // Whole turns, as fast as the socket takes them, until the server gives up. The kernel's
      // socket buffers absorb several MiB of answers before the server's own queue grows.
      let turns = 0;
      const deadline = Date.now() + 60_000;
      while (logged === undefined && Date.now() < deadline) {
        for (let i = 0; i < 20; i++) client.sendTurn(hello);
        turns += 20;
        while (client.ws.bufferedAmount > 4_000_000 && logged === undefined) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setImmediate(r));
      }
      t.match(
        await log,
        {
          code: 1008,
          reason: "Send buffer limit exceeded.",
          initiator: "server",
          error: { code: "LIMIT_SEND_BUFFER", message: /^\d+ bytes are queued unread by the client, more than 1048576$/ },
        },
        `closed after ${turns} turns were sent`,
      );
      client.ws.resume();
      // On Deno this relies on the adapter's lingering close (runtime/deno.ts): without it the
      // audio still in flight from this client made Deno drop the connection, close frame unsent.
      t.same(
        await client.closed,
        { code: 1008, reason: "Send buffer limit exceeded." },
        "the client reads the close frame once it reads again",
      );
      await helloTurn(t, bystander, "a connection that kept reading");
      await bystander.close();
    });
  });
}
