import { createHash } from "node:crypto";
import t from "tap";
import { bytesOf } from "../../test/support/audio-transforms.ts";
import { EnergyVad, rmsDbfs } from "../stt/vad.ts";
import { minWordDurationMs, renderSpeech, type Segment } from "./encode.ts";

const rates = [8000, 16_000, 22_050, 24_000, 44_100, 48_000] as const;
const word = (text: string, durationMs: number): Segment => ({ kind: "word", text, durationMs });
const silence = (durationMs: number): Segment => ({ kind: "silence", durationMs });
const sha256 = (pcm: Int16Array) => createHash("sha256").update(bytesOf(pcm)).digest("hex");

t.test("a word's minimum duration is 80 ms plus 10 ms per UTF-8 byte, at every rate", async (t) => {
  for (const rate of rates) {
    t.equal(minWordDurationMs("a", rate), 90, `"a" at ${rate} Hz`);
    t.equal(minWordDurationMs("pencils.", rate), 160, `"pencils." at ${rate} Hz`);
    t.equal(minWordDurationMs("中文", rate), 140, `"中文" (6 bytes) at ${rate} Hz`);
    t.equal(minWordDurationMs("internationalization,", rate), 290, `"internationalization," at ${rate} Hz`);
  }
});

t.test("nonsense is refused with the value quoted", async (t) => {
  t.throws(() => minWordDurationMs("", 16_000), {
    name: "RangeError",
    message: 'Cannot synthesize word "": expected 1 to 255 bytes of UTF-8, got 0',
  });
  t.throws(() => minWordDurationMs("x".repeat(256), 16_000), RangeError);
  t.throws(() => minWordDurationMs("a", 7999), {
    message: "Cannot synthesize speech at sample rate 7999: expected a whole number of Hz from 8000 to 384000",
  });
  t.throws(() => renderSpeech([word("a", 100)], 22_050.5), RangeError);
  t.throws(() => renderSpeech([silence(Number.NaN)], 16_000), {
    message: "Cannot synthesize segment 0: duration NaN is not a finite number of ms at least 0",
  });
  t.throws(() => renderSpeech([word("a", 100), word("b", -1)], 16_000), /segment 1/);
});

t.test("segments start at the nearest sample to the running sum of durations; short words are stretched", async (t) => {
  t.equal(renderSpeech([word("Hello", 333.3), silence(0.05), word("world.", 333.3)], 22_050).length, Math.round(666.65 * 22.05));
  t.equal(renderSpeech([word("Hello", 10)], 16_000).length, minWordDurationMs("Hello", 16_000) * 16, "stretched to its minimum");
  t.equal(renderSpeech([], 48_000).length, 0);
  const quiet = renderSpeech([silence(100)], 8000);
  t.ok(quiet.length === 800 && quiet.every((s) => s === 0), "silence is digital silence");
});

t.test("the same segments give the same samples, pinned by their hash", async (t) => {
  const segments = [silence(40), word("Café", 300), word("über", 280), word("中文,", 250), word("42!", 420), silence(600)];
  for (const rate of rates) t.equal(sha256(renderSpeech(segments, rate)), sha256(renderSpeech(segments, rate)), `${rate} Hz twice`);
  t.equal(sha256(renderSpeech(segments, 16_000)), "deba27e2d81d40d1c5854e8b294bd95a1962f7154526314618b33c118a04e449", "16 kHz");
});

t.test("the voice activity detector hears each sentence as one utterance, words at -10 dBFS", async (t) => {
  // 600 ms words (prosody rate 0.5 at 100 wpm) are mostly buzz, which must keep the detector in speech.
  const sentence = (text: string, ms: number) => text.split(" ").map((w) => word(w, ms));
  const pcm = renderSpeech(
    [silence(300), ...sentence("Remind me to buy pencils.", 600), silence(520), ...sentence("Then call Mum.", 150)],
    16_000,
  );
  const vad = new EnergyVad();
  const events = [...vad.push(bytesOf(pcm)), ...vad.end()];
  t.strictSame(
    events.map((e) => [e.type, e.offsetTicks / 10_000]),
    [
      ["speechStart", 300],
      ["speechEnd", 300 + 5 * 600 - 20],
      ["speechStart", 300 + 3000 + 520],
      // The last word's buzz ends at 4250 ms, inside the detector's 20 ms frame that ends at 4260.
      ["speechEnd", 4260],
    ],
    "one utterance per sentence, each from its first word to its last word's gap (to a whole frame)",
  );
  const frame = pcm.subarray(300 * 16, 300 * 16 + 320);
  const level = rmsDbfs(
    frame.reduce((sum, s) => sum + s * s, 0),
    frame.length,
  );
  t.ok(level > -12 && level < -8, `a symbol's level is ${level.toFixed(1)} dBFS`);
  const buzz = pcm.subarray((300 + 400) * 16, (300 + 400) * 16 + 320);
  const buzzLevel = rmsDbfs(
    buzz.reduce((sum, s) => sum + s * s, 0),
    buzz.length,
  );
  t.ok(buzzLevel > -25 && buzzLevel < -20, `the buzz's level is ${buzzLevel.toFixed(1)} dBFS`);
});
