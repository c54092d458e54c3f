import t from "tap";
import type { SynthesisEvent } from "../timeline.ts";
import { defaultMetadata } from "./synthesis-context.ts";
import { chunkMs, metadataEntry, planTurn, type SynthesizedAudio } from "./turn-plan.ts";

/** 1 s of 16 kHz 16-bit PCM (32 bytes a millisecond) with a mark of each kind. */
const marks: SynthesisEvent[] = [
  { type: "SentenceBoundary", offsetMs: 100, durationMs: 800, text: "Hi there." },
  { type: "WordBoundary", offsetMs: 100, durationMs: 300, text: "Hi" },
  { type: "Viseme", offsetMs: 100, durationMs: 0, visemeId: 7 },
  { type: "Bookmark", offsetMs: 420, durationMs: 0, bookmark: "b" },
  { type: "WordBoundary", offsetMs: 450, durationMs: 400, text: "there" },
  { type: "PunctuationBoundary", offsetMs: 850, durationMs: 0, text: "." },
  { type: "Viseme", offsetMs: 1000, durationMs: 0, visemeId: 0 },
];
const second: SynthesizedAudio = { audio: new Uint8Array(32_000), durationMs: 1000, blockAlign: 2, marks };
const all = { wordBoundary: true, punctuationBoundary: true, sentenceBoundary: true, bookmark: true, viseme: true, sessionEnd: true };

const offsetsOf = (body: string) => (JSON.parse(body) as { Metadata: { Type: string; Data: { Offset: number } }[] }).Metadata;

t.test("audio in 100 ms chunks, each mark just before the chunk that holds it, SessionEnd last", async (t) => {
  const frames = planTurn(second, all);
  const audio = frames.filter((f) => f.kind === "audio");
  t.equal(audio.length, 1000 / chunkMs, "ten chunks");
  t.ok(
    audio.every((f) => f.bytes.byteLength === 3200),
    "of 3200 bytes",
  );
  let sentMs = 0;
  for (const frame of frames) {
    if (frame.kind === "audio") {
      sentMs += frame.bytes.byteLength / 32;
      continue;
    }
    for (const entry of offsetsOf(frame.body)) {
      if (entry.Type === "SessionEnd") continue;
      const ms = entry.Data.Offset / 10_000;
      t.ok(
        ms >= sentMs && (ms < sentMs + chunkMs || ms >= 1000 - chunkMs),
        `${entry.Type} at ${ms} ms goes before the chunk from ${sentMs} ms`,
      );
    }
  }
  const last = frames.at(-1);
  t.same(last?.kind === "metadata" ? offsetsOf(last.body) : undefined, [{ Type: "SessionEnd", Data: { Offset: 10_000_000 } }]);
});

t.test("only the marks asked for are sent", async (t) => {
  const frames = planTurn(second, { ...defaultMetadata, wordBoundary: true });
  const types = frames.flatMap((f) => (f.kind === "metadata" ? offsetsOf(f.body).map((e) => e.Type) : []));
  t.same(types, ["WordBoundary", "WordBoundary", "SessionEnd"]);
  t.same(
    planTurn(second, { ...defaultMetadata, sessionEnd: false }).map((f) => f.kind),
    Array(10).fill("audio"),
    "nothing but audio",
  );
});

t.test("entries in the service's shape", async (t) => {
  t.same(metadataEntry({ type: "WordBoundary", offsetMs: 50, durationMs: 200, text: "Hello" }), {
    Type: "WordBoundary",
    Data: { Offset: 500_000, Duration: 2_000_000, text: { Text: "Hello", Length: 5, BoundaryType: "WordBoundary" } },
  });
  t.same(metadataEntry({ type: "PunctuationBoundary", offsetMs: 1, durationMs: 0, text: "," }), {
    Type: "WordBoundary",
    Data: { Offset: 10_000, Duration: 0, text: { Text: ",", Length: 1, BoundaryType: "PunctuationBoundary" } },
  });
  t.same(metadataEntry({ type: "SentenceBoundary", offsetMs: 0, durationMs: 10, text: "Hi." }), {
    Type: "SentenceBoundary",
    Data: { Offset: 0, Duration: 100_000, text: { Text: "Hi.", Length: 3, BoundaryType: "SentenceBoundary" } },
  });
  t.same(metadataEntry({ type: "Bookmark", offsetMs: 2, durationMs: 0, bookmark: "m" }), {
    Type: "Bookmark",
    Data: { Offset: 20_000, Bookmark: "m" },
  });
  t.same(metadataEntry({ type: "Viseme", offsetMs: 3, durationMs: 0, visemeId: 4 }), {
    Type: "Viseme",
    Data: { Offset: 30_000, VisemeId: 4, IsLastAnimation: true, AnimationChunk: "" },
  });
});

t.test("chunks are whole sample frames, and no audio still sends the marks", async (t) => {
  const odd: SynthesizedAudio = { audio: new Uint8Array(4410 * 2), durationMs: 100, blockAlign: 2, marks: [] };
  t.ok(
    planTurn(odd, defaultMetadata).every((f) => f.kind !== "audio" || f.bytes.byteLength % 2 === 0),
    "even-sized chunks of 16-bit audio",
  );
  const silent = planTurn({ audio: new Uint8Array(0), durationMs: 0, blockAlign: 2, marks: [marks[3] as SynthesisEvent] }, all);
  t.same(
    silent.map((f) => f.kind),
    ["metadata", "metadata"],
    "the bookmark, then SessionEnd",
  );
});
