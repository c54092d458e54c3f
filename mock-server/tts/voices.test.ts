import t from "tap";
import { builtinVoices, parseVoices } from "./voices.ts";

t.test("the built-in voices: the service's shape, strings where it has strings", async (t) => {
  const voices = builtinVoices();
  t.ok(voices.entries.length >= 12, `${voices.entries.length} voices`);
  for (const entry of voices.entries) {
    t.type(entry.SampleRateHertz, "string", `${entry.ShortName} SampleRateHertz`);
    if (entry.WordsPerMinute !== undefined) t.type(entry.WordsPerMinute, "string", `${entry.ShortName} WordsPerMinute`);
  }
  const locales = new Set(voices.entries.map((e) => e.Locale));
  for (const locale of ["en-US", "en-GB", "de-DE"]) t.ok(locales.has(locale), locale);
  t.match(voices.find("en-US-JennyNeural")?.entry, {
    Name: "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)",
    SampleRateHertz: "24000",
    WordsPerMinute: "152",
    ExtendedPropertyMap: { IsHighQuality48K: "True" },
  });
  t.ok(voices.find("en-US-AvaMultilingualNeural"), "the SDK's default voice for en-US");
});

t.test("a voice is found by its short name, its long name and the 2017 names, whatever the case", async (t) => {
  const voices = builtinVoices();
  t.equal(voices.find("Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)")?.shortName, "en-US-JennyNeural");
  t.equal(voices.find("en-us-jennyneural")?.shortName, "en-US-JennyNeural");
  t.equal(voices.find("Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)")?.shortName, "en-US-ZiraRUS");
  t.equal(voices.find("Microsoft Server Speech Text to Speech Voice  (en-GB, Susan, Apollo)")?.shortName, "en-GB-Susan-Apollo");
  t.equal(voices.find("en-US-ZiraRUS")?.wordsPerMinute, 150, "no WordsPerMinute: the default");
  t.equal(voices.find("en-US-NoSuchNeural"), undefined);
});

t.test("a voices file is checked: every problem, with its JSON path", async (t) => {
  const entry = {
    Name: "Microsoft Server Speech Text to Speech Voice (en-US, TestNeural)",
    DisplayName: "Test",
    LocalName: "Test",
    ShortName: "en-US-TestNeural",
    Gender: "Female",
    Locale: "en-US",
    LocaleName: "English (United States)",
    SampleRateHertz: "24000",
    VoiceType: "Neural",
    Status: "GA",
    WordsPerMinute: "120",
  };
  t.equal(parseVoices(JSON.stringify([entry]), "v.json").find("en-US-TestNeural")?.wordsPerMinute, 120);
  t.throws(() => parseVoices("[", "v.json"), { code: "ERR_FIXTURE_INVALID", message: /^v\.json: not valid JSON/ });
  t.throws(() => parseVoices("[]", "v.json"), { message: "v.json: $: Expected at least one voice" });
  t.throws(() => parseVoices(JSON.stringify([{ ...entry, SampleRateHertz: 24000, Colour: "red" }]), "v.json"), {
    message: /v\.json: \$\[0\]\.SampleRateHertz: .*expected string[\s\S]*v\.json: \$\[0\]: unknown field "Colour"/,
  });
  t.throws(() => parseVoices(JSON.stringify([entry, entry]), "v.json"), {
    message:
      'v.json: $[1].ShortName: "en-US-TestNeural" is also the name of $[0]\nv.json: $[1].Name: "Microsoft Server Speech Text to Speech Voice (en-US, TestNeural)" is also the name of $[0]',
  });
});
