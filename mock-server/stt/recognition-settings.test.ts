import t from "tap";
import type { RecognitionMode, TurnMode } from "./endpoints.ts";
import { parseRecognitionSettings, type RecognitionSettings, recognitionDefaults, silenceMsFor } from "./recognition-settings.ts";

const base = "wss://westus.stt.speech.microsoft.com/speech/recognition/conversation/cognitiveservices/v1";

/** Settings for a URL with these query parameters, failing the test when they are refused. */
const parse = (query: string, mode: RecognitionMode = "conversation"): RecognitionSettings => {
  const result = parseRecognitionSettings(new URL(`${base}?language=en-US&${query}`), mode);
  if (!result.ok) throw new Error(`unexpectedly refused: ${result.detail}`);
  return result.settings;
};

/** The detail of a refused URL, or a message saying it was accepted. */
const refusal = (query: string, mode: RecognitionMode = "conversation"): string => {
  const result = parseRecognitionSettings(new URL(`${base}?language=en-US&${query}`), mode);
  return result.ok ? "accepted" : result.detail;
};

t.test("without parameters: simple, masked, 5 s initial silence, 500 ms segmentation", async (t) => {
  t.strictSame(recognitionDefaults, { format: "simple", profanity: "masked", initialSilenceTimeoutMs: 5000, segmentationSilenceMs: 500 });
  for (const mode of ["interactive", "conversation", "dictation", "universal"] as const) {
    const result = parseRecognitionSettings(new URL(`${base}?language=de-DE`), mode);
    t.strictSame(
      result,
      {
        ok: true,
        settings: {
          mode,
          language: "de-DE",
          format: "simple",
          profanity: "masked",
          initialSilenceTimeoutMs: 5000,
        },
      },
      mode,
    );
  }
});

t.test("format is simple or detailed, in any case", async (t) => {
  t.equal(parse("format=simple").format, "simple");
  t.equal(parse("format=detailed").format, "detailed");
  t.equal(parse("format=Detailed").format, "detailed");
  t.equal(parse("format=SIMPLE").format, "simple");
});

t.test("profanity is masked, removed or raw, in any case", async (t) => {
  t.equal(parse("profanity=masked").profanity, "masked");
  t.equal(parse("profanity=removed").profanity, "removed");
  t.equal(parse("profanity=raw").profanity, "raw");
  t.equal(parse("profanity=Raw").profanity, "raw");
  t.equal(parse("profanity=REMOVED").profanity, "removed");
});

t.test("initialSilenceTimeoutMs takes whole milliseconds from 1 to 60000", async (t) => {
  t.equal(parse("initialSilenceTimeoutMs=1").initialSilenceTimeoutMs, 1);
  t.equal(parse("initialSilenceTimeoutMs=3000").initialSilenceTimeoutMs, 3000);
  t.equal(parse("initialSilenceTimeoutMs=60000").initialSilenceTimeoutMs, 60000);
});

/** The silence that ends an utterance for a turn of `turnMode` on a connection to `pathMode`'s endpoint. */
const silence = (query: string, pathMode: RecognitionMode, turnMode: TurnMode = pathMode === "universal" ? "interactive" : pathMode) =>
  silenceMsFor(parse(query, pathMode), turnMode);

t.test("segmentationSilenceTimeoutMs takes whole milliseconds from 100 to 5000, in every mode", async (t) => {
  for (const mode of ["interactive", "conversation", "dictation", "universal"] as const) {
    t.equal(silence("segmentationSilenceTimeoutMs=100", mode), 100, mode);
    t.equal(silence("segmentationSilenceTimeoutMs=5000", mode), 5000, mode);
  }
});

t.test("without either parameter an utterance ends after the service's default 500 ms", async (t) => {
  for (const mode of ["interactive", "conversation", "dictation", "universal"] as const) t.equal(silence("", mode), 500, mode);
});

t.test("endSilenceTimeoutMs sets the silence of interactive turns only, on the universal endpoint too", async (t) => {
  t.equal(silence("endSilenceTimeoutMs=1200", "interactive"), 1200);
  t.equal(silence("endSilenceTimeoutMs=100", "interactive"), 100);
  t.equal(silence("endSilenceTimeoutMs=5000", "interactive"), 5000);
  t.equal(silence("endSilenceTimeoutMs=1200", "universal", "interactive"), 1200);
  t.equal(silence("endSilenceTimeoutMs=1200", "universal", "conversation"), 500);
  for (const mode of ["conversation", "dictation"] as const) t.equal(silence("endSilenceTimeoutMs=1200", mode), 500, mode);
});

t.test("segmentationSilenceTimeoutMs wins over endSilenceTimeoutMs", async (t) => {
  t.equal(silence("endSilenceTimeoutMs=1200&segmentationSilenceTimeoutMs=300", "interactive"), 300);
  t.equal(silence("segmentationSilenceTimeoutMs=300&endSilenceTimeoutMs=1200", "interactive"), 300);
  t.equal(silence("endSilenceTimeoutMs=1200&segmentationSilenceTimeoutMs=300", "dictation"), 300);
});

t.test("an invalid endSilenceTimeoutMs is refused even where it has no effect", async (t) => {
  t.match(refusal("endSilenceTimeoutMs=50", "conversation"), /^Invalid endSilenceTimeoutMs "50"/);
});

t.test("the other parameters are left alone and language is passed through", async (t) => {
  const settings = parse("format=detailed&wordLevelTimestamps=true&storeAudio=whatever&cid=x");
  t.equal(settings.format, "detailed");
  t.equal(settings.language, "en-US");
});

t.test("each invalid value is refused with the parameter, the value and what was expected", async (t) => {
  const ms = (name: string, min: number, max: number, value: string) =>
    `Invalid ${name} ${JSON.stringify(value)}: expected whole milliseconds from ${min} to ${max}`;
  const cases: [query: string, detail: string][] = [
    ["format=json", 'Invalid format "json": expected one of simple, detailed'],
    ["format=", 'Invalid format "": expected one of simple, detailed'],
    ["format=simple%20", 'Invalid format "simple ": expected one of simple, detailed'],
    ["profanity=mask", 'Invalid profanity "mask": expected one of masked, removed, raw'],
    ["profanity=", 'Invalid profanity "": expected one of masked, removed, raw'],
    ["initialSilenceTimeoutMs=0", ms("initialSilenceTimeoutMs", 1, 60000, "0")],
    ["initialSilenceTimeoutMs=60001", ms("initialSilenceTimeoutMs", 1, 60000, "60001")],
    ["initialSilenceTimeoutMs=-5", ms("initialSilenceTimeoutMs", 1, 60000, "-5")],
    ["initialSilenceTimeoutMs=1.5", ms("initialSilenceTimeoutMs", 1, 60000, "1.5")],
    ["initialSilenceTimeoutMs=1e3", ms("initialSilenceTimeoutMs", 1, 60000, "1e3")],
    ["initialSilenceTimeoutMs=", ms("initialSilenceTimeoutMs", 1, 60000, "")],
    ["initialSilenceTimeoutMs=%205", ms("initialSilenceTimeoutMs", 1, 60000, " 5")],
    ["initialSilenceTimeoutMs=9999999999", ms("initialSilenceTimeoutMs", 1, 60000, "9999999999")],
    ["endSilenceTimeoutMs=99", ms("endSilenceTimeoutMs", 100, 5000, "99")],
    ["endSilenceTimeoutMs=5001", ms("endSilenceTimeoutMs", 100, 5000, "5001")],
    ["endSilenceTimeoutMs=soon", ms("endSilenceTimeoutMs", 100, 5000, "soon")],
    ["segmentationSilenceTimeoutMs=99", ms("segmentationSilenceTimeoutMs", 100, 5000, "99")],
    ["segmentationSilenceTimeoutMs=5001", ms("segmentationSilenceTimeoutMs", 100, 5000, "5001")],
    ["segmentationSilenceTimeoutMs=0x10", ms("segmentationSilenceTimeoutMs", 100, 5000, "0x10")],
  ];
  for (const [query, detail] of cases) {
    t.strictSame(parseRecognitionSettings(new URL(`${base}?language=en-US&${query}`), "interactive"), { ok: false, detail }, query);
  }
});

t.test("a long invalid value is quoted only in part", async (t) => {
  const detail = refusal(`format=${"x".repeat(500)}`);
  t.equal(detail, `Invalid format "${"x".repeat(64)}": expected one of simple, detailed`);
});
