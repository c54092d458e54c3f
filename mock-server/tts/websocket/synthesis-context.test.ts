import t from "tap";
import { defaultMetadata, parseSynthesisContext, readSwitch } from "./synthesis-context.ts";

t.test("the SDK's default context: strings and booleans mixed, all off but SessionEnd", async (t) => {
  const sdkDefault = {
    synthesis: {
      audio: {
        metadataOptions: {
          bookmarkEnabled: false,
          punctuationBoundaryEnabled: "false",
          sentenceBoundaryEnabled: "false",
          sessionEndEnabled: true,
          visemeEnabled: false,
          wordBoundaryEnabled: "false",
        },
        outputFormat: "raw-16khz-16bit-mono-pcm",
      },
      language: { autoDetection: false },
    },
  };
  t.same(parseSynthesisContext(sdkDefault), { metadata: defaultMetadata, outputFormat: "raw-16khz-16bit-mono-pcm" });
});

t.test('every switch takes true and "true" alike, and false and "false"', async (t) => {
  const on = {
    wordBoundaryEnabled: "true",
    punctuationBoundaryEnabled: true,
    sentenceBoundaryEnabled: "TRUE",
    bookmarkEnabled: "true",
    visemeEnabled: true,
    sessionEndEnabled: "false",
  };
  t.same(parseSynthesisContext({ synthesis: { audio: { metadataOptions: on } } }).metadata, {
    wordBoundary: true,
    punctuationBoundary: true,
    sentenceBoundary: true,
    bookmark: true,
    viseme: true,
    sessionEnd: false,
  });
});

t.test("punctuation follows word boundaries when a client names only those", async (t) => {
  const parsed = parseSynthesisContext({ synthesis: { audio: { metadataOptions: { wordBoundaryEnabled: true } } } });
  t.equal(parsed.metadata.punctuationBoundary, true);
});

t.test("a context without audio options, or with nonsense in them, keeps the defaults", async (t) => {
  t.same(parseSynthesisContext({}), { metadata: defaultMetadata, outputFormat: undefined });
  t.same(parseSynthesisContext({ synthesis: { audio: { metadataOptions: { visemeEnabled: "yes" }, outputFormat: "" } } }), {
    metadata: defaultMetadata,
    outputFormat: undefined,
  });
  t.equal(readSwitch(1, false), false, "a number is not a switch");
  t.equal(readSwitch(" true ", false), true, "spaces around the string are ignored");
});
