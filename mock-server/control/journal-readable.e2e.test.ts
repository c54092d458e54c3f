/**
 * The journal a person can read (issue 13, item 2), on the real command under Node and Deno: ISO
 * times beside the epoch ones, a turn's audio messages summed up in its entry unless asked for,
 * the text that came back and how it was matched; and the same entries live as server-sent events.
 */
import { join } from "node:path";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import t from "tap";
import { root, runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";
import { fetchToken, recognizeFile } from "../../test/support/speech-sdk.ts";

type Entry = Record<string, unknown> & { seq: number; type: string; at: number; time: string; connectionId?: string };

const remindMe = join(root, "fixtures", "audio", "remind-me.wav");

async function journal(mock: SpawnedMock, query = ""): Promise<Entry[]> {
  const res = await fetch(`${mock.ready.admin}/journal${query}`);
  if (res.status !== 200) throw new Error(`GET /journal${query}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { entries: Entry[] }).entries;
}

/** A server-sent event, as the stream wrote it. */
interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads `url` as an event stream; `next()` resolves with each event in turn. */
async function openStream(url: string): Promise<{ status: number; next(timeoutMs?: number): Promise<SseEvent>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: { accept: "text/event-stream" } });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const parsed: SseEvent[] = [];
  const next = async (timeoutMs = 5_000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    while (parsed.length === 0) {
      const block = buffer.indexOf("\n\n");
      if (block !== -1) {
        const lines = buffer.slice(0, block).split("\n");
        buffer = buffer.slice(block + 2);
        const event: SseEvent = { event: "message", data: "" };
        for (const line of lines) {
          const [field, ...rest] = line.split(":");
          const value = rest.join(":").replace(/^ /, "");
          if (field === "event") event.event = value;
          else if (field === "id") event.id = value;
          else if (field === "data") event.data += value;
        }
        if (lines.some((l) => !l.startsWith(":"))) parsed.push(event);
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No event within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`No event within ${timeoutMs} ms`)), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error("The stream ended");
      buffer += decoder.decode(chunk.value, { stream: true });
    }
    return parsed.shift() as SseEvent;
  };
  return { status: res.status, next, close: () => abort.abort() };
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop());
    const resource = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    if (!resource) throw new Error("The built-in fixtures need an enabled westus resource");
    const config = sdk.SpeechConfig.fromHost(new URL(mock.ready.ws), resource.keys[0]);
    const run = await recognizeFile(config, remindMe);
    t.equal(run.result.text, "Remind me to buy 5 pencils.", "the SDK recognised the clip");

    t.test("every entry has its mock-clock time in ISO 8601 beside the epoch milliseconds", async (t) => {
      const entries = await journal(mock, "?messages=all");
      t.ok(entries.length > 10);
      t.ok(
        entries.every((e) => typeof e.time === "string" && e.time === new Date(e.at).toISOString()),
        "time is at, as ISO 8601",
      );
      const [first] = entries;
      t.match(first?.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    t.test("a turn's entry carries the text that came back, how it was matched, and its audio", async (t) => {
      const ends = (await journal(mock, "?type=turn")).filter((e) => e.phase === "end");
      t.equal(ends.length, 1);
      const end = ends[0] as Entry;
      t.match(end, {
        status: "Success",
        mode: "interactive",
        text: "Remind me to buy 5 pencils.",
        results: [{ status: "Success", text: "Remind me to buy 5 pencils." }],
      });
      t.ok(["fingerprint", "sha256"].includes(end.match as string), `matched by ${String(end.match)}`);
      t.ok((end.audioMessages as number) > 1, `${end.audioMessages} audio messages`);
      t.ok((end.audioBytes as number) > 32_000, `${end.audioBytes} audio bytes`);
      t.ok((end.audioMs as number) > 1000, `${end.audioMs} ms of audio`);
      t.type(end.latencyMs, "number");
      t.type(end.elapsedMs, "number");
      t.comment(
        `turn: ${end.audioMessages} audio messages, ${end.audioBytes} bytes, ${end.audioMs} ms, match ${end.match}, latency ${end.latencyMs} ms`,
      );
    });

    t.test("audio messages are left out by default and all there with messages=all", async (t) => {
      const isAudio = (e: Entry) => e.type === "message" && e.direction === "in" && e.path === "audio";
      const collapsed = await journal(mock);
      const all = await journal(mock, "?messages=all");
      const end = all.find((e) => e.type === "turn" && e.phase === "end") as Entry;
      t.equal(collapsed.filter(isAudio).length, 0, "no audio message by default");
      t.equal(
        all.filter((e) => isAudio(e) && e.connectionId === end.connectionId && e.requestId === end.requestId && e.seq < end.seq).length,
        end.audioMessages,
        "messages=all has each one the turn counts: those before its turn.end",
      );
      t.ok(collapsed.length < all.length / 2, `${collapsed.length} entries instead of ${all.length}`);
      t.comment(`one SDK recognition: ${collapsed.length} entries by default, ${all.length} with messages=all`);
      t.ok(
        collapsed.some((e) => e.type === "message"),
        "the other messages (speech.config, speech.phrase, turn.end...) stay",
      );
      const refused = await fetch(`${mock.ready.admin}/journal?messages=some`);
      t.equal(refused.status, 400);
      t.match(await refused.json(), { error: { problems: [{ field: "messages" }] } });
    });

    t.test("GET <admin>/journal/stream sends what was recorded, then ready, then each new entry as it comes", async (t) => {
      const stream = await openStream(`${mock.ready.admin}/journal/stream?type=sts.request`);
      t.teardown(() => stream.close());
      t.equal(stream.status, 200);
      const first = await stream.next();
      t.equal(first.event, "ready", "no token request yet: ready at once");
      const started = performance.now();
      await fetchToken(mock.ready.sts, resource.keys[0]);
      const live = await stream.next();
      const ms = performance.now() - started;
      t.equal(live.event, "entry");
      const entry = JSON.parse(live.data) as Entry;
      t.match(entry, { type: "sts.request", status: 200, reason: "sts.issued" });
      t.equal(live.id, String(entry.seq), "the event id is the entry's seq");
      t.comment(`the token request's entry arrived ${ms.toFixed(0)} ms after the request was sent`);

      const again = await openStream(`${mock.ready.admin}/journal/stream?type=turn`);
      t.teardown(() => again.close());
      const turns = [await again.next(), await again.next(), await again.next()];
      t.strictSame(
        turns.map((e) => e.event),
        ["entry", "entry", "ready"],
        "the turn's start and end entries, then ready",
      );
      t.match(JSON.parse(turns[1]?.data ?? "{}"), { phase: "end", text: "Remind me to buy 5 pencils." });
      const bad = await fetch(`${mock.ready.admin}/journal/stream?type=nope`);
      t.equal(bad.status, 400, "the same query validation as GET <admin>/journal");
    });
  });
}
