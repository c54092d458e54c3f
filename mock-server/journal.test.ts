import t from "tap";
import { ManualClock } from "./clock.ts";
import { Journal, type JournalEvent } from "./journal.ts";

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
