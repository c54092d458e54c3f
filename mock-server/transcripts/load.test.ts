import { readdirSync, readFileSync } from "node:fs";
import t from "tap";
import { invalidTranscripts } from "../../test/support/invalid-fixtures.ts";
import { root } from "../../test/support/spawn.ts";
import type { MockError } from "../errors.ts";
import { defaultProfaneWords } from "../stt/profanity.ts";
import { parseTranscripts } from "./load.ts";

const sha = "0e6a00bcd60dfe2da2dace6413e59cf7df456b4d239a97075501d06506ec6610";
const at = `$.transcripts["${sha}"]`;
const phrase = { display: "Hello world.", lexical: "hello world", itn: "hello world", maskedItn: "hello world" };

t.test("a file without a fallback answers NoMatch for unknown audio", async (t) => {
  const parsed = parseTranscripts(JSON.stringify({ transcripts: { [sha]: { phrases: [phrase] } } }), "f.json");
  t.same(parsed.fallback, { kind: "noMatch" });
  t.same(parsed.bySha256.get(sha), [phrase]);
  t.equal(parsed.bySha256.size, 1);
});

t.test("a text fallback and confidences are kept", async (t) => {
  const text = JSON.stringify({
    $schema: "./transcripts.schema.json",
    fallback: { kind: "text", text: "Sorry?" },
    transcripts: {
      [sha]: {
        clip: "x.wav",
        phrases: [
          { ...phrase, confidence: 0.5 },
          { ...phrase, confidence: 1 },
        ],
      },
    },
  });
  const parsed = parseTranscripts(text, "f.json");
  t.same(parsed.fallback, { kind: "text", text: "Sorry?" });
  t.same(
    parsed.bySha256.get(sha)?.map((p) => p.confidence),
    [0.5, 1],
  );
});

t.test("JSON syntax errors name the file", async (t) => {
  const err = t.throws(() => parseTranscripts("{", "bad.json")) as MockError;
  t.equal(err.code, "ERR_FIXTURE_INVALID");
  t.match(err.message, /^bad\.json: not valid JSON: \S/);
  t.notMatch(err.message, /\n/);
});

t.test("every invalid fixture file has a test case", async (t) => {
  t.same(readdirSync(`${root}fixtures/invalid/transcripts`).sort(), Object.keys(invalidTranscripts).sort());
});

for (const [file, detail] of Object.entries(invalidTranscripts)) {
  t.test(`${file} is refused with its JSON path and what was expected`, async (t) => {
    const source = `fixtures/invalid/transcripts/${file}`;
    const err = t.throws(() => parseTranscripts(readFileSync(`${root}${source}`, "utf8"), source)) as MockError;
    t.equal(err.name, "MockError");
    t.equal(err.code, "ERR_FIXTURE_INVALID");
    t.equal(err.message, `${source}: ${detail}`);
  });
}

t.test("every problem in a file is reported at once, one line each", async (t) => {
  const text = JSON.stringify({
    fallback: { kind: "text", text: "" },
    transcripts: { [sha.toUpperCase()]: { phrases: [phrase] }, [sha]: { phrases: [{ ...phrase, lexical: "Hello, world" }] } },
  });
  const err = t.throws(() => parseTranscripts(text, "f.json")) as MockError;
  t.same(err.message.split("\n"), [
    "f.json: $.fallback.text: Expected the fallback text (non-empty)",
    `f.json: $.transcripts["${sha.toUpperCase()}"]: Expected a SHA-256 as 64 lower-case hex digits`,
    `f.json: ${at}.phrases[0].lexical: Expected the lexical form: lower-case words separated by single spaces, no punctuation, numbers as words`,
  ]);
});

t.test("lexical forms may use apostrophes and non-ASCII lower-case letters", async (t) => {
  const ok = (lexical: string) => parseTranscripts(JSON.stringify({ transcripts: { [sha]: { phrases: [{ ...phrase, lexical }] } } }), "f");
  t.doesNotThrow(() => ok("don't stop"));
  t.doesNotThrow(() => ok("ça va très bien"));
  for (const bad of ["two  spaces", " leading", "trailing ", "five 5", "hello.", "Hello"]) {
    t.throws(() => ok(bad), { message: /lexical: Expected the lexical form/ }, JSON.stringify(bad));
  }
});

t.test("a profanity word list is kept, lower-cased, in place of the built-in one", async (t) => {
  const parsed = parseTranscripts(JSON.stringify({ profanity: ["Darn", "HECK", "don't", "l33t", "Ärger"], transcripts: {} }), "f");
  t.strictSame([...parsed.profaneWords], ["darn", "heck", "don't", "l33t", "ärger"]);
});

t.test("without a profanity list the built-in words are used; an empty list masks nothing", async (t) => {
  const builtIn = parseTranscripts(JSON.stringify({ transcripts: {} }), "f");
  t.strictSame([...builtIn.profaneWords].sort(), [...defaultProfaneWords].sort());
  const empty = parseTranscripts(JSON.stringify({ profanity: [], transcripts: {} }), "f");
  t.equal(empty.profaneWords.size, 0);
});

t.test("a profanity entry that is not one word is refused with its JSON path", async (t) => {
  const refused = (profanity: unknown) =>
    t.throws(() => parseTranscripts(JSON.stringify({ profanity, transcripts: {} }), "f.json")) as MockError;
  t.equal(refused(["ok", "two words"]).message, "f.json: $.profanity[1]: Expected a single word (letters, digits, apostrophes)");
  t.equal(refused([" ok"]).message, "f.json: $.profanity[0]: Expected a single word (letters, digits, apostrophes)");
  t.equal(refused(["ok", ""]).message, "f.json: $.profanity[1]: Expected a single word (letters, digits, apostrophes)");
  t.equal(refused(["hell!"]).message, "f.json: $.profanity[0]: Expected a single word (letters, digits, apostrophes)");
  t.equal(refused("hell").message, "f.json: $.profanity: Invalid input: expected array, received string");
});

t.test("a phrase may carry its utterance's fingerprint; phrases without one are not indexed", async (t) => {
  const fingerprint = "fp1:AAABBBCCCDDDEEE";
  const parsed = parseTranscripts(JSON.stringify({ transcripts: { [sha]: { phrases: [phrase, { ...phrase, fingerprint }] } } }), "f");
  t.same(parsed.bySha256.get(sha)?.[1], { ...phrase, fingerprint });
  t.equal(parsed.byFingerprint.size, 1);
});

t.test("a fingerprint that does not parse is refused with its JSON path and why", async (t) => {
  const refused = (fingerprint: unknown) =>
    (
      t.throws(() =>
        parseTranscripts(JSON.stringify({ transcripts: { [sha]: { phrases: [{ ...phrase, fingerprint }] } } }), "f.json"),
      ) as MockError
    ).message;
  const expected = `f.json: ${at}.phrases[0].fingerprint: Expected a fingerprint as "speechmock hash" prints it:`;
  t.equal(refused(sha), `${expected} expected it to start with "fp1:", found "0e6a00bcd60d…"`);
  t.equal(refused("fp1:AAAA"), `${expected} 4 characters after "fp1:", expected a positive multiple of 3 (one frame each)`);
  t.equal(refused(12), `f.json: ${at}.phrases[0].fingerprint: Invalid input: expected string, received number`);
});
