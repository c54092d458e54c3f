import t from "tap";
import { builtinVoices, parseVoices, type VoiceEntry } from "./voices.ts";

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

t.test("put adds a voice last, or replaces the one with its short name in place; lookups see it at once", async (t) => {
  const voices = builtinVoices();
  const count = voices.entries.length;
  const custom = {
    ...(voices.find("en-US-JennyNeural")?.entry as VoiceEntry),
    Name: "Microsoft Server Speech Text to Speech Voice (en-US, SpeechmockNeural)",
    ShortName: "en-US-SpeechmockNeural",
    WordsPerMinute: "300",
  };
  t.equal(voices.find("en-US-SpeechmockNeural"), undefined);
  t.equal(voices.put(custom), "added");
  t.equal(voices.entries.length, count + 1);
  t.equal(voices.entries.at(-1), custom, "last");
  t.equal(voices.find("en-us-speechmockneural")?.wordsPerMinute, 300);
  t.equal(voices.find(custom.Name)?.shortName, "en-US-SpeechmockNeural", "by its long name too");

  const jennyAt = voices.entries.findIndex((e) => e.ShortName === "en-US-JennyNeural");
  const renamed = { ...(voices.find("en-US-JennyNeural")?.entry as VoiceEntry), Name: "Jenny, renamed", WordsPerMinute: "100" };
  t.equal(voices.put(renamed), "replaced");
  t.equal(voices.entries.length, count + 1);
  t.equal(voices.entries[jennyAt], renamed, "in place");
  t.equal(voices.find("en-US-JennyNeural")?.wordsPerMinute, 100);
  t.equal(voices.find("Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)"), undefined, "the old long name is gone");
  t.equal(voices.find("jenny,  RENAMED")?.shortName, "en-US-JennyNeural");
  t.same(voices.toJSON(), voices.entries, "voices/list serves the entries as they are now");
});

t.test("a put whose Name or ShortName is another voice's name is a conflict naming both", async (t) => {
  const voices = builtinVoices();
  const jenny = voices.find("en-US-JennyNeural")?.entry as VoiceEntry;
  const custom = { ...jenny, ShortName: "en-US-SpeechmockNeural", Name: jenny.Name };
  t.equal(
    voices.conflictOf(custom),
    `Cannot add voice "en-US-SpeechmockNeural": its Name "${jenny.Name}" is already the Name of voice "en-US-JennyNeural"; expected a name no other voice has`,
  );
  t.match(
    voices.conflictOf({ ...custom, Name: "en-us-guyNEURAL" }),
    /its Name "en-us-guyNEURAL" is already the ShortName of voice "en-US-GuyNeural"/,
  );
  t.match(voices.conflictOf({ ...custom, ShortName: "en-US-GuyNeural" }), /^Cannot replace voice "en-US-GuyNeural": its Name/);
  t.equal(voices.conflictOf(jenny), undefined, "a voice replacing itself");
  t.equal(voices.conflictOf({ ...jenny, ShortName: "EN-us-jennyneural" }), undefined, "whatever the case of its short name");
  t.equal(voices.conflictOf({ ...custom, Name: "Something new" }), undefined);
});

t.test("remove takes a voice out by its short name; replaceAll puts the start-up list back", async (t) => {
  const voices = builtinVoices();
  const start = voices.entries;
  const jenny = voices.find("en-US-JennyNeural")?.entry as VoiceEntry;
  t.equal(voices.remove(jenny.Name), undefined, "not by its long name");
  t.equal(voices.remove("en-us-jennyneural"), jenny);
  t.equal(voices.find("en-US-JennyNeural"), undefined);
  t.equal(voices.find(jenny.Name), undefined);
  t.equal(voices.remove("en-US-JennyNeural"), undefined, "already gone");
  t.equal(voices.entries.length, start.length - 1);
  voices.put({ ...jenny, ShortName: "en-US-SpeechmockNeural", Name: "Speechmock" });
  voices.replaceAll(start);
  t.same(voices.entries, start);
  t.equal(voices.find("en-US-JennyNeural")?.entry, jenny);
  t.equal(voices.find("Speechmock"), undefined);
});
