import t from "tap";
import { ManualClock } from "./clock.ts";
import { boundEntry, Journal, type JournalEvent, maxJournalFields, maxJournalString } from "./journal.ts";
import { redactedHeaders, redactedQuery } from "./redact.ts";

/** 2025-04-21T12:09:40.250Z. */
const start = 1_745_237_380_250;

/** A small event told apart by its reason text. */
const event = (n: number, initiator: "client" | "server" = "client"): JournalEvent => ({
  type: "close",
  connectionId: "c",
  code: 1000,
  reason: `#${n}`,
  initiator,
});

const reasons = (journal: Journal): string[] => journal.entries().map((e) => (e.type === "close" ? e.reason : e.type));

const fill = (journal: Journal, from: number, to: number): void => {
  for (let n = from; n <= to; n++) journal.record(event(n));
};

t.test("keeps entries oldest first, each with seq, the mock's clock time and the wall time", async (t) => {
  const clock = new ManualClock(start);
  const journal = new Journal(10, clock);
  const before = Date.now();
  journal.record(event(1));
  clock.tick(250);
  journal.record(event(2));
  const after = Date.now();
  const entries = journal.entries();
  t.strictSame(reasons(journal), ["#1", "#2"]);
  t.strictSame(
    entries.map((e) => [e.seq, e.at]),
    [
      [1, start],
      [2, start + 250],
    ],
  );
  for (const e of entries) t.ok(e.wall >= before && e.wall <= after, "wall is the system time");
  t.equal(journal.size, 2);
  t.equal(journal.dropped, 0);
});

t.test("fills up to its capacity without dropping anything", async (t) => {
  const journal = new Journal(3, new ManualClock(start));
  fill(journal, 1, 3);
  t.equal(journal.size, 3);
  t.equal(journal.dropped, 0);
  t.strictSame(reasons(journal), ["#1", "#2", "#3"]);
});

t.test("once full, drops the oldest entry for each new one and counts it", async (t) => {
  const journal = new Journal(3, new ManualClock(start));
  fill(journal, 1, 4);
  t.strictSame(reasons(journal), ["#2", "#3", "#4"]);
  t.equal(journal.dropped, 1);
  fill(journal, 5, 8);
  t.strictSame(reasons(journal), ["#6", "#7", "#8"], "oldest first across the wrap of the ring");
  t.equal(journal.dropped, 5);
  t.equal(journal.size, 3);
  t.strictSame(
    journal.entries().map((e) => e.seq),
    [6, 7, 8],
  );
});

t.test("keeps one entry when its capacity is 1", async (t) => {
  const journal = new Journal(1, new ManualClock(start));
  fill(journal, 1, 5);
  t.strictSame(reasons(journal), ["#5"]);
  t.equal(journal.dropped, 4);
});

t.test("returns only the entries a filter keeps, in order, and leaves the journal as it was", async (t) => {
  const journal = new Journal(4, new ManualClock(start));
  for (let n = 1; n <= 6; n++) journal.record(event(n, n % 2 === 0 ? "server" : "client"));
  const server = journal.entries((e) => e.type === "close" && e.initiator === "server");
  t.strictSame(
    server.map((e) => (e.type === "close" ? e.reason : "")),
    ["#4", "#6"],
  );
  t.strictSame(
    journal.entries(() => false),
    [],
  );
  t.strictSame(reasons(journal), ["#3", "#4", "#5", "#6"]);
});

t.test("stamps each entry with its mock-clock time in ISO 8601 beside the epoch milliseconds", async (t) => {
  const clock = new ManualClock(start);
  const journal = new Journal(10, clock);
  journal.record(event(1));
  clock.tick(60_000);
  journal.record(event(2));
  t.strictSame(
    journal.entries().map((e) => [e.at, e.time]),
    [
      [start, "2025-04-21T12:09:40.250Z"],
      [start + 60_000, "2025-04-21T12:10:40.250Z"],
    ],
  );
});

t.test("a filter object leaves audio messages out unless messages is all; no argument and a predicate keep them", async (t) => {
  const journal = new Journal(20, new ManualClock(start));
  const id = "0123456789ABCDEF0123456789ABCDEF";
  const message = (path: string, kind: "text" | "binary", direction: "in" | "out" = "in") =>
    journal.record({ type: "message", connectionId: id, direction, kind, path, requestId: id, size: 100 });
  message("speech.config", "text");
  message("audio", "binary");
  message("Audio", "binary");
  journal.record({ type: "turn", connectionId: id, requestId: id, phase: "end", status: "Success", audioMessages: 2, audioBytes: 200 });
  message("turn.end", "text", "out");
  const types = (entries: { seq: number }[]) => entries.map((e) => e.seq);
  t.strictSame(types(journal.entries({})), [1, 4, 5], "the audio messages are summed up in their turn's entry");
  t.strictSame(types(journal.entries({ type: "message" })), [1, 5]);
  t.strictSame(types(journal.entries({ messages: "all" })), [1, 2, 3, 4, 5]);
  t.strictSame(types(journal.entries({ type: "message", messages: "all" })), [1, 2, 3, 5]);
  t.strictSame(types(journal.entries()), [1, 2, 3, 4, 5]);
  t.strictSame(types(journal.entries(() => true)), [1, 2, 3, 4, 5]);
});

t.test("takes the filter object GET <admin>/journal takes: type, connectionId, outcome, since, limit", async (t) => {
  const journal = new Journal(20, new ManualClock(start));
  const id = "0123456789ABCDEF0123456789ABCDEF";
  journal.record({ type: "close", connectionId: id, code: 1007, reason: "Quota exceeded.", initiator: "server" });
  fill(journal, 1, 3);
  journal.record({ type: "notice", connectionId: id, code: "telemetry.missing", message: "No telemetry" });
  const seqs = (entries: { seq: number }[]) => entries.map((e) => e.seq);
  t.strictSame(seqs(journal.entries({ type: "notice" })), [5]);
  t.strictSame(seqs(journal.entries({ connectionId: id.toLowerCase() })), [1, 5], "the connection id in any case");
  t.strictSame(seqs(journal.entries({ outcome: "1007" })), [1], "a close code");
  t.strictSame(seqs(journal.entries({ type: "close", since: 2 })), [3, 4]);
  t.strictSame(seqs(journal.entries({ type: "close", limit: 2 })), [3, 4], "the newest that many");
  t.strictSame(seqs(journal.entries({})), [1, 2, 3, 4, 5]);
});

t.test("returns a new array each time, so a caller's changes do not reach the journal", async (t) => {
  const journal = new Journal(4, new ManualClock(start));
  fill(journal, 1, 2);
  journal.entries().length = 0;
  t.equal(journal.entries().length, 2);
});

t.test("clear empties it and resets the dropped counter; recording starts afresh", async (t) => {
  const journal = new Journal(3, new ManualClock(start));
  fill(journal, 1, 5);
  journal.clear();
  t.equal(journal.size, 0);
  t.equal(journal.dropped, 0);
  t.strictSame(journal.entries(), []);
  fill(journal, 6, 10);
  t.strictSame(reasons(journal), ["#8", "#9", "#10"]);
  t.equal(journal.dropped, 2);
  const seqs = journal.entries().map((e) => e.seq);
  t.ok(
    seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number)),
    `seq still increases: ${seqs}`,
  );
});

t.test("100,000 records keep its size at capacity and count every one dropped", async (t) => {
  const capacity = 1000;
  const journal = new Journal(capacity, new ManualClock(start));
  fill(journal, 1, 100_000);
  t.equal(journal.size, capacity);
  t.equal(journal.dropped, 100_000 - capacity);
  const entries = journal.entries();
  t.equal(entries.length, capacity);
  t.equal(entries[0]?.seq, 99_001, "the oldest kept is the 99,001st");
  t.equal(entries.at(-1)?.seq, 100_000);
  t.strictSame(reasons(journal).slice(0, 2), ["#99001", "#99002"]);
});

t.test("refuses a capacity that is not a positive integer", async (t) => {
  const clock = new ManualClock(start);
  for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => new Journal(capacity, clock), RangeError, String(capacity));
  }
  t.throws(() => new Journal(0, clock), { message: "Cannot create journal: capacity 0 is not a positive integer" });
});

t.test("a burst of 100,000 more entries leaves the heap where it was: the ring is the bound", async (t) => {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const { systemClock } = await import("./clock.ts");
  const journal = new Journal(10_000, systemClock);
  const burst = () => {
    for (let i = 0; i < 100_000; i++) {
      journal.record({
        type: "message",
        connectionId: "0123456789ABCDEF0123456789ABCDEF",
        direction: "in",
        kind: "binary",
        path: "audio",
        size: 3300,
        payload: 3200,
      });
    }
    gc();
    return process.memoryUsage().heapUsed;
  };
  burst(); // fills the ring and warms everything up
  const after1 = burst();
  const after2 = burst();
  t.equal(journal.size, 10_000);
  t.equal(journal.dropped, 290_000);
  // 100,000 entries kept would be well over 10 MB; the ring holds 10,000 whatever the burst.
  t.ok(after2 - after1 < 2 * 1024 * 1024, `heap grew ${((after2 - after1) / 1024).toFixed(0)} KiB over a second burst`);
});

/** A refused handshake as the speech route journals it: headers and query, secrets reduced. */
const refusedHandshake = (url: URL, headers = new Headers({ host: "127.0.0.1:8410" })): JournalEvent => ({
  type: "handshake",
  path: url.pathname,
  region: "westus",
  status: 403,
  decision: "reject",
  reason: "auth.missing",
  credential: { kind: "none" },
  headers: redactedHeaders(headers),
  query: redactedQuery(url),
});

const wsPath = "http://127.0.0.1:8410/speech/recognition/interactive/cognitiveservices/v1";
const bigQuery = (bytes: number) => `${wsPath}?language=en-US&pad=${"a".repeat(bytes)}`;

t.test("a 60 KiB query value is cut to 1 KiB with a marker of what was cut; the others are kept whole", async (t) => {
  const journal = new Journal(10, new ManualClock(start));
  journal.record(refusedHandshake(new URL(bigQuery(60 * 1024))));
  const [entry] = journal.entries();
  if (entry?.type !== "handshake") return t.fail("no handshake entry");
  t.equal(entry.query?.language, "en-US");
  t.equal(entry.query?.pad, `${"a".repeat(maxJournalString)}…(+${60 * 1024 - maxJournalString} chars)`);
  t.ok(JSON.stringify(entry).length < 2 * 1024, `the entry weighs ${JSON.stringify(entry).length} chars as JSON`);
});

t.test("a long header, a long path and a long parameter name are cut the same way; secrets stay reduced", async (t) => {
  const journal = new Journal(10, new ManualClock(start));
  const key = "0123456789abcdef0123456789abcdef";
  const headers = new Headers({ "x-long": "b".repeat(5000), "ocp-apim-subscription-key": key });
  const url = new URL(`${wsPath}/${"p".repeat(3000)}?${"n".repeat(2000)}=1&subscription-key=${key}`);
  journal.record(refusedHandshake(url, headers));
  const [entry] = journal.entries();
  if (entry?.type !== "handshake") return t.fail("no handshake entry");
  t.match(entry.headers?.["x-long"], /^b{1024}…\(\+3976 chars\)$/);
  t.equal(entry.headers?.["ocp-apim-subscription-key"], "012345…(32)");
  t.equal(entry.query?.["subscription-key"], "012345…(32)");
  t.equal(entry.query?.[`${"n".repeat(1024)}…(+976 chars)`], "1");
  t.match(entry.path, /…\(\+\d+ chars\)$/);
  t.equal(entry.path.length, maxJournalString + "…(+2050 chars)".length);
  t.notOk(JSON.stringify(entry).includes(key), "no whole key");
});

t.test("keeps 64 query parameters and headers, and says how many it left out under the key …", async (t) => {
  const journal = new Journal(10, new ManualClock(start));
  const params = Array.from({ length: 100 }, (_, i) => `p${i}=${i}`).join("&");
  const headers = new Headers(Array.from({ length: 70 }, (_, i) => [`x-h${String(i).padStart(2, "0")}`, "v"] as [string, string]));
  journal.record(refusedHandshake(new URL(`${wsPath}?${params}`), headers));
  const [entry] = journal.entries();
  if (entry?.type !== "handshake") return t.fail("no handshake entry");
  t.equal(Object.keys(entry.query ?? {}).length, maxJournalFields + 1);
  t.equal(entry.query?.p63, "63");
  t.equal(entry.query?.p64, undefined);
  t.equal(entry.query?.["…"], "+36 more (100 in all)");
  t.equal(entry.headers?.["…"], "+6 more (70 in all)");
});

t.test("an entry's estimated size is close to its JSON length, and costs no stringify", async (t) => {
  const samples: Record<string, unknown>[] = [
    { ...event(1), seq: 123_456, at: start, wall: start },
    {
      type: "message",
      connectionId: "0123456789ABCDEF0123456789ABCDEF",
      direction: "in",
      kind: "binary",
      path: "audio",
      requestId: "0123456789ABCDEF0123456789ABCDEF",
      size: 3300,
      payload: 3200,
      seq: 9_999_999,
      at: start,
      wall: start,
    },
    { ...refusedHandshake(new URL(bigQuery(100))), seq: 1, at: start, wall: start },
  ];
  for (const sample of samples) {
    const json = JSON.stringify(sample).length;
    const estimate = boundEntry(sample);
    t.ok(estimate >= json * 0.9 && estimate <= json * 1.3, `${sample.type}: estimate ${estimate}, JSON ${json}`);
  }
});

t.test("over its byte budget it drops the oldest entries and counts them as dropped", async (t) => {
  const maxBytes = 100 * 1024;
  const journal = new Journal(10_000, new ManualClock(start), maxBytes);
  for (let i = 0; i < 500; i++) journal.record(refusedHandshake(new URL(bigQuery(60 * 1024))));
  const kept = journal.entries();
  t.ok(journal.bytes <= maxBytes, `keeps ${journal.bytes} bytes`);
  t.ok(journal.size > 40 && journal.size < 100, `about 100 KiB / 1.5 KiB entries: ${journal.size}`);
  t.equal(journal.dropped, 500 - journal.size);
  t.equal(kept.at(-1)?.seq, 500, "the newest is kept");
  t.equal(kept[0]?.seq, 500 - journal.size + 1, "the oldest went first");
  const json = JSON.stringify(kept).length;
  t.ok(json <= maxBytes * 1.1, `the kept entries weigh ${json} chars as JSON`);
  journal.clear();
  t.same([journal.size, journal.bytes, journal.dropped], [0, 0, 0]);
});

t.test("the newest entry is kept even when it alone is over the budget", async (t) => {
  const journal = new Journal(10, new ManualClock(start), 10);
  fill(journal, 1, 3);
  t.strictSame(reasons(journal), ["#3"]);
  t.equal(journal.dropped, 2);
});

t.test("refuses a byte budget that is not a positive integer", async (t) => {
  t.throws(() => new Journal(1, new ManualClock(start), 0), { message: "Cannot create journal: maxBytes 0 is not a positive integer" });
  t.throws(() => new Journal(1, new ManualClock(start), 1.5), RangeError);
});

t.test("pages: the oldest after since with next, or the newest, within limit and bytes", async (t) => {
  const journal = new Journal(100, new ManualClock(start));
  fill(journal, 1, 10);
  const first = journal.page({ limit: 4 });
  t.same([first.entries.map((e) => e.seq), first.next, first.more], [[1, 2, 3, 4], 4, true]);
  const second = journal.page({ since: first.next, limit: 4 });
  t.same(
    second.entries.map((e) => e.seq),
    [5, 6, 7, 8],
  );
  const last = journal.page({ since: second.next, limit: 4 });
  t.same([last.entries.map((e) => e.seq), last.next, last.more], [[9, 10], undefined, false]);
  const newest = journal.page({ limit: 3, newest: true });
  t.same([newest.entries.map((e) => e.seq), newest.next, newest.more], [[8, 9, 10], undefined, true]);
  t.same(
    journal.page({ since: 8, limit: 5, newest: true }).entries.map((e) => e.seq),
    [9, 10],
  );
  const even = journal.page({ limit: 100, filter: (e) => e.seq % 2 === 0 });
  t.same(
    even.entries.map((e) => e.seq),
    [2, 4, 6, 8, 10],
  );
  const small = journal.page({ limit: 100, maxBytes: 250 });
  t.ok(small.entries.length >= 1 && small.entries.length < 10 && small.more, `${small.entries.length} entries fit 250 bytes`);
  t.equal(journal.page({ limit: 100, maxBytes: 1 }).entries.length, 1, "a page has at least one entry");
});

t.test("10,000 refused handshakes with a 60 KiB query leave the heap bounded: 1 KiB of each is kept", async (t) => {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const { systemClock } = await import("./clock.ts");
  const journal = new Journal(10_000, systemClock, 64 * 1024 * 1024);
  const pad = "a".repeat(60 * 1024);
  gc();
  const before = process.memoryUsage().heapUsed;
  // A new string each time, as a request's URL is: 10,000 of them would be 600 MiB if kept.
  for (let i = 0; i < 10_000; i++) journal.record(refusedHandshake(new URL(`${wsPath}?n=${i}&pad=${pad}${i}`)));
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  t.equal(journal.size, 10_000);
  t.ok(journal.bytes < 20 * 1024 * 1024, `estimated ${(journal.bytes / 2 ** 20).toFixed(1)} MiB`);
  // About 1.5 KiB of JSON an entry; the heap's objects and strings cost up to twice that.
  t.ok(grown < 48 * 1024 * 1024, `heap grew ${(grown / 2 ** 20).toFixed(1)} MiB over 10,000 entries`);
});
