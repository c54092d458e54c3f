/**
 * The text-to-speech WebSocket spoken by hand (the `ws` package and the mock's own codecs) against
 * the real server on Node and on Deno: the handshake gate, message order and headers, the metadata
 * switches as strings and as booleans, several speaks on one connection, and the `1007` closes.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import WebSocket from "ws";
import { ffprobeInstalled, noFfprobe, probeAudio } from "../../../test/support/ffprobe.ts";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { decodeBinaryMessage } from "../../protocol/binary-message.ts";
import { decodeTextMessage, encodeTextMessage } from "../../protocol/text-message.ts";

const newId = () => randomUUID().replaceAll("-", "").toUpperCase();

interface Received {
  kind: "text" | "binary";
  headers: Record<string, string>;
  /** Header names in the order sent. */
  order: string[];
  path: string;
  body: string;
  payload: Uint8Array;
}

/** A client of the synthesis protocol: sends what the SDK sends, keeps everything the mock sends. */
class SynthesisClient {
  readonly received: Received[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #wake = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary) => {
      const decoded = isBinary ? decodeBinaryMessage(new Uint8Array(data)) : decodeTextMessage(data.toString("utf8"));
      const entries = [...decoded.headers];
      this.received.push({
        kind: isBinary ? "binary" : "text",
        headers: Object.fromEntries(entries),
        order: entries.map(([name]) => name),
        path: decoded.headers.path ?? "",
        body: "body" in decoded ? decoded.body : "",
        payload: "payload" in decoded ? decoded.payload.slice() : new Uint8Array(),
      });
      for (const wake of this.#wake) wake();
    });
    ws.on("error", () => {});
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") })));
  }

  static open(url: string): Promise<SynthesisClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("open", () => resolve(new SynthesisClient(ws)));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`Handshake answered ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  send(path: string, requestId: string, body: string, contentType = "application/json"): void {
    this.ws.send(
      encodeTextMessage({
        headers: [
          ["Path", path],
          ["X-RequestId", requestId],
          ["X-Timestamp", new Date().toISOString()],
          ["Content-Type", contentType],
        ],
        body,
      }),
    );
  }

  /** One speak as the SDK sends it (`speech.config` first when asked), resolved at its `turn.end`. */
  async speak(
    ssml: string,
    metadataOptions: Record<string, unknown>,
    opts: { config?: boolean; format?: string } = {},
  ): Promise<Received[]> {
    const requestId = newId();
    const from = this.received.length;
    if (opts.config)
      this.send("speech.config", requestId, JSON.stringify({ context: { system: { name: "SpeechSDK", version: "1.52.0" } } }));
    const context = {
      synthesis: {
        audio: { metadataOptions, outputFormat: opts.format ?? "raw-16khz-16bit-mono-pcm" },
        language: { autoDetection: false },
      },
    };
    this.send("synthesis.context", requestId, JSON.stringify(context));
    this.send("ssml", requestId, ssml, "application/ssml+xml");
    await this.until(() => this.received.slice(from).some((m) => m.path === "turn.end" && m.headers["X-RequestId"] === requestId));
    return this.received.slice(from);
  }

  until(done: () => boolean, ms = 8_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake.delete(wake);
        reject(new Error(`Timed out; received ${this.received.map((m) => m.path).join(", ")}`));
      }, ms);
      const wake = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#wake.delete(wake);
        resolve();
      };
      this.#wake.add(wake);
      this.ws.once("close", () => wake());
    });
  }
}

const ssml = (text: string, voice = "en-US-JennyNeural") =>
  `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US"><voice name="${voice}">${text}</voice></speak>`;

const allOff = {
  bookmarkEnabled: false,
  punctuationBoundaryEnabled: "false",
  sentenceBoundaryEnabled: "false",
  sessionEndEnabled: true,
  visemeEnabled: false,
  wordBoundaryEnabled: "false",
};

type Entry = { Type: string; Data: { Offset: number; [k: string]: unknown } };
const metadataOf = (messages: Received[]): Entry[] =>
  messages.filter((m) => m.path === "audio.metadata").flatMap((m) => (JSON.parse(m.body) as { Metadata: Entry[] }).Metadata);

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock: SpawnedMock = await spawnMock(runtime);
    t.teardown(() => mock.stop());
    const key = (mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled") ?? mock.ready.resources[0])?.keys[0];
    const url = (path = "/tts/cognitiveservices/websocket/v1", query = `Ocp-Apim-Subscription-Key=${key}&X-ConnectionId=${newId()}`) =>
      `${mock.ready.ws}${path}?${query}`;

    t.test("the handshake goes through the same gate as speech to text", async (t) => {
      const status = (u: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(u);
          ws.once("unexpected-response", (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
          ws.once("open", () => {
            resolve(101);
            ws.close();
          });
          ws.on("error", () => {});
        });
      t.equal(await status(url(undefined, `X-ConnectionId=${newId()}`)), 403, "no credential: 403");
      t.equal(await status(url(undefined, `Ocp-Apim-Subscription-Key=0000&X-ConnectionId=${newId()}`)), 403, "an unknown key: 403");
      t.equal(await status(url(undefined, `Ocp-Apim-Subscription-Key=${key}`)), 400, "no X-ConnectionId: 400");
      t.equal(await status(url()), 101, "a key and a connection id: accepted");
      t.equal(await status(url("/cognitiveservices/websocket/v1")), 101, "the older path too");
      const post = await fetch(url().replace(/^ws/, "http"), { method: "POST" });
      t.equal(post.status, 405, "POST: 405");
      t.equal(post.headers.get("allow"), "GET", "with Allow: GET");
    });

    t.test("a speak is answered turn.start, response, audio with metadata before it, SessionEnd, turn.end", async (t) => {
      const client = await SynthesisClient.open(url());
      t.teardown(() => client.ws.close());
      const options = {
        ...allOff,
        wordBoundaryEnabled: "true",
        punctuationBoundaryEnabled: "true",
        bookmarkEnabled: true,
        visemeEnabled: true,
      };
      const messages = await client.speak(ssml('Hello <bookmark mark="middle"/>big world.'), options, { config: true });
      const paths = messages.map((m) => m.path);
      t.same(paths.slice(0, 2), ["turn.start", "response"], "turn.start, then response");
      t.equal(paths.at(-1), "turn.end", "turn.end last");
      t.equal(paths.at(-2), "audio.metadata", "SessionEnd's metadata just before it");
      const requestId = messages[0]?.headers["X-RequestId"];
      t.ok(
        messages.every((m) => m.headers["X-RequestId"] === requestId),
        "every message carries the speak's X-RequestId",
      );
      for (const m of messages.filter((m) => m.kind === "text")) {
        t.same(m.order, ["X-RequestId", "Content-Type", "Path"], `${m.path}: X-RequestId, Content-Type, Path`);
        t.equal(m.headers["Content-Type"], "application/json; charset=utf-8");
      }
      t.match(JSON.parse(messages[0]?.body ?? ""), { context: { serviceTag: /^[0-9a-f]{32}$/ } }, "turn.start has a serviceTag");
      const response = JSON.parse(messages[1]?.body ?? "") as { audio: { type: string; streamId: string } };
      t.match(response, { audio: { type: "inline", streamId: /^[0-9A-F]{32}$/ } }, "response names the audio stream");
      const audio = messages.filter((m) => m.kind === "binary");
      t.ok(audio.length > 3, "the audio comes in several frames");
      for (const m of audio) {
        t.same(m.order, ["X-RequestId", "Content-Type", "X-StreamId", "Path"], "audio frame headers in order");
        t.equal(m.headers["X-StreamId"], response.audio.streamId, "audio frames carry the stream id");
        t.equal(m.headers["Content-Type"], "audio/x-wav");
      }
      const pcm = audio.reduce((n, m) => n + m.payload.byteLength, 0);
      t.not(String.fromCharCode(...(audio[0]?.payload.subarray(0, 4) ?? [])), "RIFF", "headerless: no RIFF header");
      const entries = metadataOf(messages);
      const sessionEnd = entries.find((e) => e.Type === "SessionEnd");
      t.equal(
        sessionEnd?.Data.Offset,
        Math.round((pcm / 32) * 10_000),
        "SessionEnd's offset is the audio's length in ticks (16 kHz 16-bit)",
      );
      t.same(
        entries.filter((e) => e.Type === "WordBoundary").map((e) => (e.Data.text as { Text: string }).Text),
        ["Hello", "big", "world", "."],
        "word and punctuation boundaries in order",
      );
      t.ok(
        entries.some((e) => e.Type === "Bookmark" && e.Data.Bookmark === "middle"),
        "the bookmark",
      );
      t.ok(
        entries.filter((e) => e.Type === "Viseme").every((e) => e.Data.IsLastAnimation === true && e.Data.AnimationChunk === ""),
        "visemes with IsLastAnimation true and an empty AnimationChunk",
      );
      t.notOk(
        entries.some((e) => e.Type === "SentenceBoundary"),
        "no sentence boundaries: not asked for",
      );
      // Each boundary comes just before the audio frame whose time span holds its offset.
      let ticksSent = 0;
      let ok = true;
      for (const m of messages) {
        if (m.kind === "binary") ticksSent += (m.payload.byteLength / 32) * 10_000;
        else if (m.path === "audio.metadata") {
          for (const e of (JSON.parse(m.body) as { Metadata: Entry[] }).Metadata) {
            if (e.Type !== "SessionEnd" && e.Data.Offset < ticksSent) ok = false;
          }
        }
      }
      t.ok(ok, "no boundary comes after the audio that holds it");
      const offsets = entries.filter((e) => e.Type !== "SessionEnd").map((e) => e.Data.Offset);
      t.same(
        offsets,
        [...offsets].sort((a, b) => a - b),
        "offsets in order",
      );
    });

    t.test("metadata switches as booleans work like the SDK's strings; none asked, only SessionEnd", async (t) => {
      const client = await SynthesisClient.open(url());
      t.teardown(() => client.ws.close());
      const asBooleans = await client.speak(
        ssml("One sentence. Another one."),
        {
          wordBoundaryEnabled: true,
          sentenceBoundaryEnabled: true,
          sessionEndEnabled: "true",
        },
        { config: true },
      );
      const types = new Set(metadataOf(asBooleans).map((e) => e.Type));
      t.ok(types.has("WordBoundary") && types.has("SentenceBoundary") && types.has("SessionEnd"), "words, sentences, SessionEnd");
      t.same(
        metadataOf(asBooleans)
          .filter((e) => e.Type === "SentenceBoundary")
          .map((e) => (e.Data.text as { Text: string }).Text),
        ["One sentence.", "Another one."],
        "one SentenceBoundary a sentence",
      );
      const quiet = await client.speak(ssml("Nothing asked."), { ...allOff, sessionEndEnabled: "false" });
      t.same(metadataOf(quiet), [], "no metadata at all when none is asked for");
    });

    t.test("several speaks share one connection, each with its own stream id", async (t) => {
      const client = await SynthesisClient.open(url());
      t.teardown(() => client.ws.close());
      const first = await client.speak(ssml("First."), allOff, { config: true });
      const second = await client.speak(ssml("Second, longer one."), allOff);
      const streamOf = (ms: Received[]) =>
        (JSON.parse(ms.find((m) => m.path === "response")?.body ?? "{}") as { audio: { streamId: string } }).audio.streamId;
      t.not(streamOf(first), streamOf(second), "a new stream id per speak");
      t.ok(
        second.filter((m) => m.kind === "binary").every((m) => m.headers["X-StreamId"] === streamOf(second)),
        "the second speak's audio carries its own",
      );
      t.equal(client.ws.readyState, WebSocket.OPEN, "the socket stays open");
    });

    const closes: [string, (c: SynthesisClient) => void, RegExp | string][] = [
      [
        "SSML that is not well-formed",
        (c) => c.speak(ssml("Fish & chips"), allOff, { config: true }).catch(() => {}),
        /^Invalid char '&' at position \d+ found in SSML\. Please escape it before use\.$/,
      ],
      [
        "an unknown voice",
        (c) => c.speak(ssml("Hi", "en-US-NobodyNeural"), allOff, { config: true }).catch(() => {}),
        "Unsupported voice en-US-NobodyNeural.",
      ],
      [
        "an unknown output format",
        (c) => c.speak(ssml("Hi"), allOff, { config: true, format: "raw-9khz-3bit-mono-pcm" }).catch(() => {}),
        "Unsupported output format.",
      ],
      [
        "a format the mock does not make (bare Opus frames)",
        (c) => c.speak(ssml("Hi"), allOff, { config: true, format: "audio-24khz-16bit-24kbps-mono-opus" }).catch(() => {}),
        "Unsupported output format.",
      ],
      [
        "SSML over 64 KiB",
        (c) => c.speak(ssml("word ".repeat(14_000)), allOff, { config: true }).catch(() => {}),
        "SSML message size exceeds the limit.",
      ],
    ];
    for (const [what, act, reason] of closes) {
      t.test(`${what} closes 1007 with the service's reason`, async (t) => {
        const client = await SynthesisClient.open(url());
        act(client);
        const closed = await client.closed;
        t.equal(closed.code, 1007);
        if (typeof reason === "string") t.equal(closed.reason, reason);
        else t.match(closed.reason, reason);
        t.notOk(
          client.received.some((m) => m.path === "turn.start"),
          "no turn.start before the close",
        );
      });
    }

    t.test("a fault rule on the ssml message closes the socket with its code", async (t) => {
      const json = { "Content-Type": "application/json" };
      const rule = { target: "message", path: "ssml", times: 1, action: { kind: "close", code: 1011, reason: "Injected." } };
      const added = await fetch(`${mock.ready.admin}/faults`, { method: "POST", headers: json, body: JSON.stringify(rule) });
      t.equal(added.status, 201, "the rule is added");
      t.teardown(() => fetch(`${mock.ready.admin}/faults`, { method: "DELETE", headers: json }).then(() => {}));
      const client = await SynthesisClient.open(url());
      client.speak(ssml("Never spoken."), allOff, { config: true }).catch(() => {});
      t.same(await client.closed, { code: 1011, reason: "Injected." });
      t.notOk(
        client.received.some((m) => m.path === "turn.start"),
        "no turn.start",
      );
    });

    t.test("compressed formats: the audio frames, joined, are the stream a decoder reads; the SDK's browser default first", async (t) => {
      const connectionId = newId();
      const client = await SynthesisClient.open(url(undefined, `Ocp-Apim-Subscription-Key=${key}&X-ConnectionId=${connectionId}`));
      t.teardown(() => client.ws.close());
      const text = ssml("Hello there, how are you today?");
      const made: { format: string; audio: Uint8Array; frames: Received[] }[] = [];
      for (const [i, format] of ["audio-24khz-48kbitrate-mono-mp3", "webm-24khz-16bit-mono-opus"].entries()) {
        const messages = await client.speak(text, { ...allOff, wordBoundaryEnabled: "true" }, { config: i === 0, format });
        const frames = messages.filter((m) => m.kind === "binary");
        made.push({ format, audio: Buffer.concat(frames.map((m) => m.payload)), frames });
      }
      const [mp3, webm] = made as [(typeof made)[0], (typeof made)[0]];
      t.ok(mp3.frames.length > 5, `the MP3 comes in many frames (${mp3.frames.length}), not one`);
      t.ok(
        mp3.frames.every((m) => m.headers["Content-Type"] === "audio/mpeg"),
        "each MP3 frame says audio/mpeg",
      );
      t.ok(
        webm.frames.every((m) => m.headers["Content-Type"] === "audio/webm"),
        "each WebM frame says audio/webm",
      );
      const res = await fetch(`${mock.ready.admin}/journal?connectionId=${connectionId}&type=synthesis`);
      const entries = ((await res.json()) as { entries: Record<string, unknown>[] }).entries;
      t.match(
        entries.map((e) => [e.format, e.audioMessages, e.audioBytes]),
        made.map((m) => [m.format, m.frames.length, m.audio.length]),
        "journaled: every audio message and byte",
      );
      if (!ffprobeInstalled) return noFfprobe(t);
      const [mp3Probe, webmProbe] = await Promise.all([probeAudio(mp3.audio), probeAudio(webm.audio)]);
      t.match(mp3Probe, { status: 0, streams: [{ codec_name: "mp3", sample_rate: "24000", channels: 1, bit_rate: "48000" }] });
      t.match(webmProbe, { status: 0, streams: [{ codec_name: "opus", sample_rate: "48000", channels: 1 }] });
      const audioMs = entries[0]?.audioMs as number;
      for (const p of [mp3Probe, webmProbe])
        t.ok(Math.abs(p.seconds * 1000 - audioMs) <= audioMs * 0.1, `${p.seconds} s, journaled ${audioMs} ms`);
    });

    t.test("the journal has the speak, its messages and the socket's close", async (t) => {
      const connectionId = newId();
      const client = await SynthesisClient.open(url(undefined, `Ocp-Apim-Subscription-Key=${key}&X-ConnectionId=${connectionId}`));
      await client.speak(ssml("Journal me."), allOff, { config: true });
      client.ws.close();
      await client.closed;
      await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === connectionId);
      const res = await fetch(`${mock.ready.admin}/journal?connectionId=${connectionId}`);
      const { entries } = (await res.json()) as { entries: Record<string, unknown>[] };
      t.same(
        entries.map((e) => (e.type === "message" ? `${e.direction} ${e.path}` : e.type)),
        [
          "handshake",
          "in speech.config",
          "in synthesis.context",
          "in ssml",
          "out turn.start",
          "out response",
          "out audio.metadata",
          "out turn.end",
          "synthesis",
          "close",
        ],
        "handshake, the client's three messages, the answers (audio counted in the synthesis entry), close",
      );
      t.match(
        entries.find((e) => e.type === "synthesis"),
        { voice: "en-US-JennyNeural", format: "raw-16khz-16bit-mono-pcm", audioBytes: Number, audioMessages: Number },
      );
    });
  });
}
