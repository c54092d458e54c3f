import t, { type Test } from "tap";
import { parseBreakTime, parseRate, parseSsml, SsmlError, type SsmlToken } from "./ssml.ts";

const speak = (body: string, lang = "en-US") =>
  `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${lang}">${body}</speak>`;
const words = (tokens: SsmlToken[]) => tokens.flatMap((tok) => (tok.kind === "word" ? [tok.text] : []));

const refusal = (t: Test, source: string, code: string, message: RegExp | string) => {
  t.throws(() => parseSsml(source), { name: "SsmlError", code, message }, JSON.stringify(source.slice(0, 60)));
};

t.test("the SDK's own SSML parses into words, punctuation and a sentence end", async (t) => {
  const source =
    "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xmlns:mstts='http://www.w3.org/2001/mstts' xmlns:emo='http://www.w3.org/2009/10/emotionml' xml:lang='en-US'><voice name='en-US-AvaMultilingualNeural'>Hello &amp; &apos;world&apos;</voice></speak>";
  const parsed = parseSsml(source);
  t.equal(parsed.lang, "en-US");
  t.same(parsed.voiceNames, ["en-US-AvaMultilingualNeural"]);
  t.same(words(parsed.tokens), ["Hello", "world"]);
  t.same(
    parsed.tokens.filter((tok) => tok.kind === "punctuation").map((tok) => (tok as { text: string }).text),
    ["&", "'", "'"],
  );
  t.equal(parsed.tokens.at(-1)?.kind, "sentence-end");
  const hello = parsed.tokens[0] as Extract<SsmlToken, { kind: "word" }>;
  t.equal(source.slice(hello.textOffset, hello.textOffset + 5), "Hello", "text offsets point into the SSML");
  t.equal(parsed.textLength, "Hello & 'world'".length);
});

t.test("voice names are kept as written, in every form", async (t) => {
  const parsed = parseSsml(
    speak(
      "<voice name='en-US-JennyNeural'>a</voice><voice name='Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)'>b</voice>" +
        "<voice name='Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)'>c</voice>",
    ),
  );
  t.same(parsed.voiceNames, [
    "en-US-JennyNeural",
    "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)",
    "Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)",
  ]);
  t.same(
    parsed.tokens.flatMap((tok) => (tok.kind === "word" ? [tok.voice] : [])),
    parsed.voiceNames,
  );
});

t.test("prosody rate: multipliers, percentages, relative values and keywords, nested, within 0.5..2", async (t) => {
  t.equal(parseRate("1.5", 1), 1.5);
  t.equal(parseRate("+30.00%", 1), 1.3);
  t.equal(parseRate("-50%", 1), 0.5);
  t.equal(parseRate("+0.5", 1), 1.5);
  t.equal(parseRate("x-slow", 1), 0.5);
  t.equal(parseRate("slow", 1), 0.64);
  t.equal(parseRate("fast", 1), 1.55);
  t.equal(parseRate("x-fast", 1), 2);
  t.equal(parseRate("5", 1), 2, "clamped");
  t.equal(parseRate("0.1", 1), 0.5, "clamped");
  t.equal(parseRate("quick", 1), undefined, "unreadable: ignored");
  const parsed = parseSsml(speak("<voice name='v'><prosody rate='2'>one <prosody rate='-50%'>two</prosody></prosody> three</voice>"));
  t.same(
    parsed.tokens.flatMap((tok) => (tok.kind === "word" ? [[tok.text, tok.rate]] : [])),
    [
      ["one", 2],
      ["two", 1],
      ["three", 1],
    ],
  );
});

t.test("break: strengths, times, a bare break is medium, and 20 s at most", async (t) => {
  t.equal(parseBreakTime("500ms"), 500);
  t.equal(parseBreakTime("2s"), 2000);
  t.equal(parseBreakTime("1.5s"), 1500);
  t.equal(parseBreakTime("25s"), 20_000);
  t.equal(parseBreakTime("soon"), undefined);
  const parsed = parseSsml(
    speak(
      "<voice name='v'>a<break/>b<break strength='x-weak'/>c<break strength='x-strong'/>d<break time='300ms'/>e<break time='90s'/>f</voice>",
    ),
  );
  t.same(
    parsed.tokens.flatMap((tok) => (tok.kind === "break" ? [tok.durationMs] : [])),
    [750, 250, 1250, 300, 20_000],
  );
});

t.test("bookmarks, say-as spelling, sub aliases, and s and p end sentences", async (t) => {
  const parsed = parseSsml(
    speak(
      "<voice name='v'><p><s>Call <say-as interpret-as='digits'>123</say-as></s><s><bookmark mark='here'/>Spell <say-as interpret-as='characters'>ab</say-as></s></p>" +
        "<p><sub alias='World Wide Web'>WWW</sub> <say-as interpret-as='cardinal'>42</say-as></p></voice>",
    ),
  );
  t.same(words(parsed.tokens), ["Call", "1", "2", "3", "Spell", "a", "b", "World", "Wide", "Web", "42"]);
  t.same(
    parsed.tokens.map((tok) => tok.kind).filter((k) => k === "sentence-end" || k === "bookmark"),
    ["sentence-end", "bookmark", "sentence-end", "sentence-end"],
  );
  t.ok(parsed.tokens.some((tok) => tok.kind === "bookmark" && tok.mark === "here"));
});

t.test("what the service refuses is refused, with its reason", async (t) => {
  refusal(
    t,
    speak("<voice name='v'>Tom & Jerry</voice>"),
    "ssml.invalid",
    /^Invalid char '&' at position \d+ found in SSML\. Please escape it before use\.$/,
  );
  const at = speak("<voice name='v'>Tom & Jerry</voice>").indexOf("&");
  refusal(
    t,
    speak("<voice name='v'>Tom & Jerry</voice>"),
    "ssml.invalid",
    `Invalid char '&' at position ${at} found in SSML. Please escape it before use.`,
  );
  refusal(t, speak("<voice name='v'>open"), "ssml.invalid", /^SSML is invalid: 1:\d+: /);
  refusal(t, "Hello world", "ssml.invalid", /^SSML is invalid: /);
  refusal(t, "", "ssml.invalid", /^SSML is invalid: /);
  refusal(t, "<voice name='v'>a</voice>", "ssml.invalid", "SSML is invalid: the root element is <voice>, expected <speak>");
  refusal(t, speak("Hello"), "ssml.voice_missing", "SSML is invalid: <speak> has no <voice> element");
  refusal(t, speak("<voice>Hello</voice>"), "ssml.voice_name_missing", /has no name attribute/);
  refusal(t, speak("<voice name=' '>Hello</voice>"), "ssml.voice_name_missing", /has no name attribute/);
  t.type(new SsmlError("ssml.invalid", "x"), Error);
});

t.test("lexicons and mstts metadata are not spoken; unknown elements speak their text", async (t) => {
  const parsed = parseSsml(
    speak(
      "<voice name='v'><lexicon uri='http://x/y.xml'/><mstts:express-as xmlns:mstts='https://www.w3.org/2001/mstts' style='cheerful'>Happy <emphasis>day</emphasis></mstts:express-as></voice>",
    ),
  );
  t.same(words(parsed.tokens), ["Happy", "day"]);
});
