import fc from "fast-check";
import t from "tap";
import type { Transcript } from "../transcripts/lookup.ts";
import type { Phrase } from "../transcripts/schema.ts";
import { applyProfanity } from "./profanity.ts";
import type { HeardAudio, Segment } from "./responses.ts";
import {
  defaultConfidence,
  hypothesisIntervalTicks,
  type ResponseSettings,
  recognitionMessages,
  type ServiceMessage,
} from "./responses.ts";
import { msToTicks } from "./ticks.ts";

const ms = msToTicks;
const sha = "0".repeat(64);
const heard = (segments: Segment[], audioTicks: number): HeardAudio => ({ segments, audioTicks, sha256: sha });
const seg = (startMs: number, endMs: number): Segment => ({ start: ms(startMs), end: ms(endMs) });
const phrases = (...list: Phrase[]): Transcript => ({ kind: "phrases", phrases: list });
const settings = (overrides: Partial<ResponseSettings> = {}): ResponseSettings => ({
  mode: "conversation",
  format: "simple",
  profanity: "masked",
  profaneWords: new Set(),
  initialSilenceTimeoutMs: 5000,
  ...overrides,
});

const hello: Phrase = { display: "Hello world.", lexical: "hello world", itn: "hello world", maskedItn: "hello world" };
const remind: Phrase = {
  display: "Remind me to buy 5 pencils.",
  lexical: "remind me to buy five pencils",
  itn: "remind me to buy 5 pencils",
  maskedItn: "remind me to buy 5 pencils",
  confidence: 0.87,
};
const lights: Phrase = {
  display: "Turn on the lights.",
  lexical: "turn on the lights",
  itn: "turn on the lights",
  maskedItn: "turn on the lights",
};
const timer: Phrase = {
  display: "Set a timer for 10 minutes.",
  lexical: "set a timer for ten minutes",
  itn: "set a timer for 10 minutes",
  maskedItn: "set a timer for 10 minutes",
};

type Message = { path: string; body: Record<string, unknown> };
/** Paths and parsed bodies; every body must be compact JSON. */
const run = (h: HeardAudio, transcript: Transcript, s: ResponseSettings): Message[] =>
  recognitionMessages(h, transcript, s).map((m: ServiceMessage) => {
    const body = JSON.parse(m.body) as Record<string, unknown>;
    if (JSON.stringify(body) !== m.body) throw new Error(`not compact JSON: ${m.body}`);
    return { path: m.path, body };
  });
const ofPath = (messages: Message[], path: string) => messages.filter((m) => m.path === path).map((m) => m.body);
const statuses = (messages: Message[]) => ofPath(messages, "speech.phrase").map((b) => b.RecognitionStatus);

t.test("simple format: start, growing hypotheses, one phrase, end, with exact bodies", async (t) => {
  // 20 ms to 760 ms of a 1.05 s clip, as the detector finds hello.wav.
  const messages = run(heard([{ start: 200_000, end: 7_600_000 }], 10_516_875), phrases(hello), settings());
  t.strictSame(messages, [
    { path: "speech.startDetected", body: { Offset: 200_000 } },
    { path: "speech.hypothesis", body: { Text: "hello", Offset: 200_000, Duration: 3_000_000 } },
    { path: "speech.hypothesis", body: { Text: "hello world", Offset: 200_000, Duration: 6_000_000 } },
    { path: "speech.phrase", body: { RecognitionStatus: "Success", DisplayText: "Hello world.", Offset: 200_000, Duration: 7_400_000 } },
    { path: "speech.endDetected", body: { Offset: 10_516_875 } },
  ]);
});

t.test("detailed format: the phrase adds one NBest entry with the five forms", async (t) => {
  const messages = run(heard([seg(0, 600)], ms(1000)), phrases(remind), settings({ format: "detailed" }));
  t.strictSame(ofPath(messages, "speech.phrase"), [
    {
      RecognitionStatus: "Success",
      Offset: 0,
      Duration: ms(600),
      DisplayText: "Remind me to buy 5 pencils.",
      NBest: [
        {
          Confidence: 0.87,
          Lexical: "remind me to buy five pencils",
          ITN: "remind me to buy 5 pencils",
          MaskedITN: "remind me to buy 5 pencils",
          Display: "Remind me to buy 5 pencils.",
        },
      ],
    },
  ]);
  t.strictSame(ofPath(messages, "speech.hypothesis").at(-1), { Text: "remind me to buy 5 pencils", Offset: 0, Duration: ms(600) });
});

t.test("detailed format: NBest has exactly Confidence, Lexical, ITN, MaskedITN and Display, confidence 0.9 by default", async (t) => {
  t.equal(defaultConfidence, 0.9);
  const [body] = ofPath(run(heard([seg(100, 900)], ms(1000)), phrases(hello), settings({ format: "detailed" })), "speech.phrase");
  t.strictSame(Object.keys(body ?? {}).sort(), ["DisplayText", "Duration", "NBest", "Offset", "RecognitionStatus"]);
  const nbest = body?.NBest as Record<string, unknown>[];
  t.equal(nbest.length, 1);
  t.strictSame(Object.keys(nbest[0] ?? {}).sort(), ["Confidence", "Display", "ITN", "Lexical", "MaskedITN"]);
  t.equal(nbest[0]?.Confidence, 0.9);
  t.equal(nbest[0]?.Display, body?.DisplayText);
});

t.test("simple format has no NBest", async (t) => {
  const [body] = ofPath(run(heard([seg(100, 900)], ms(1000)), phrases(remind), settings()), "speech.phrase");
  t.strictSame(Object.keys(body ?? {}).sort(), ["DisplayText", "Duration", "Offset", "RecognitionStatus"]);
});

t.test("hypotheses", async (t) => {
  t.test("grow a word at a time, at the span's offset, every 300 ms of it", async (t) => {
    // 2.5 s: 8 steps of 300 ms for 6 words, so two steps add nothing and are skipped.
    const span = { start: ms(100), end: ms(2600) };
    const hyps = ofPath(run(heard([span], ms(3000)), phrases(remind), settings()), "speech.hypothesis");
    t.strictSame(hyps, [
      { Text: "remind", Offset: ms(100), Duration: ms(300) },
      { Text: "remind me", Offset: ms(100), Duration: ms(600) },
      { Text: "remind me to", Offset: ms(100), Duration: ms(900) },
      { Text: "remind me to buy", Offset: ms(100), Duration: ms(1500) },
      { Text: "remind me to buy 5", Offset: ms(100), Duration: ms(1800) },
      { Text: "remind me to buy 5 pencils", Offset: ms(100), Duration: ms(2100) },
    ]);
  });

  t.test("take more than one word at a time when the span is short for its words", async (t) => {
    const hyps = ofPath(run(heard([seg(0, 900)], ms(1000)), phrases(remind), settings()), "speech.hypothesis");
    t.strictSame(
      hyps.map((h) => [h.Text, h.Duration]),
      [
        ["remind me", ms(300)],
        ["remind me to buy", ms(600)],
        ["remind me to buy 5 pencils", ms(900)],
      ],
    );
  });

  t.test("are one, as long as the span, when the span is under 300 ms", async (t) => {
    t.equal(hypothesisIntervalTicks, ms(300));
    const hyps = ofPath(run(heard([seg(500, 620)], ms(1000)), phrases(hello), settings()), "speech.hypothesis");
    t.strictSame(hyps, [{ Text: "hello world", Offset: ms(500), Duration: ms(120) }]);
  });

  t.test("come before their phrase, for each phrase", async (t) => {
    const messages = run(heard([seg(0, 700), seg(2000, 3400)], ms(4000)), phrases(lights, timer), settings());
    t.strictSame(
      messages.map((m) => m.path),
      [
        "speech.startDetected",
        "speech.hypothesis",
        "speech.hypothesis",
        "speech.phrase",
        ...Array(4).fill("speech.hypothesis"),
        "speech.phrase",
        "speech.endDetected",
      ],
    );
    t.strictSame(
      ofPath(messages, "speech.hypothesis").map((h) => h.Offset),
      [0, 0, ms(2000), ms(2000), ms(2000), ms(2000)],
    );
  });
});

t.test("one segment per phrase: each phrase takes its segment's timing", async (t) => {
  const messages = run(heard([seg(40, 920), seg(2720, 4320)], 46_104_375), phrases(lights, timer), settings());
  t.strictSame(ofPath(messages, "speech.phrase"), [
    { RecognitionStatus: "Success", DisplayText: "Turn on the lights.", Offset: ms(40), Duration: ms(880) },
    { RecognitionStatus: "Success", DisplayText: "Set a timer for 10 minutes.", Offset: ms(2720), Duration: ms(1600) },
  ]);
  t.strictSame(ofPath(messages, "speech.startDetected"), [{ Offset: ms(40) }]);
  t.strictSame(ofPath(messages, "speech.endDetected"), [{ Offset: 46_104_375 }]);
});

t.test("interactive mode answers only the first span and ends speech where it ends", async (t) => {
  const messages = run(heard([seg(40, 920), seg(2720, 4320)], ms(4600)), phrases(lights, timer), settings({ mode: "interactive" }));
  t.strictSame(ofPath(messages, "speech.phrase"), [
    { RecognitionStatus: "Success", DisplayText: "Turn on the lights.", Offset: ms(40), Duration: ms(880) },
  ]);
  t.ok(
    ofPath(messages, "speech.hypothesis").every((h) => h.Offset === ms(40)),
    "no hypothesis for the second utterance",
  );
  t.strictSame(messages.at(-1), { path: "speech.endDetected", body: { Offset: ms(920) } });
});

t.test("more segments than phrases: the speech is shared out by word count, one phrase each, in order", async (t) => {
  const hi: Phrase = { display: "Hi.", lexical: "hi", itn: "hi", maskedItn: "hi" };
  const how: Phrase = { display: "How are you?", lexical: "how are you", itn: "how are you", maskedItn: "how are you" };
  // Speech from 0 to 4 s; one word then three: 1 s and 3 s.
  const messages = run(heard([seg(0, 1000), seg(2000, 3000), seg(3500, 4000)], ms(5000)), phrases(hi, how), settings());
  t.strictSame(ofPath(messages, "speech.phrase"), [
    { RecognitionStatus: "Success", DisplayText: "Hi.", Offset: 0, Duration: ms(1000) },
    { RecognitionStatus: "Success", DisplayText: "How are you?", Offset: ms(1000), Duration: ms(3000) },
  ]);
  t.strictSame(ofPath(messages, "speech.startDetected"), [{ Offset: 0 }]);
  t.strictSame(ofPath(messages, "speech.endDetected"), [{ Offset: ms(5000) }]);
});

t.test("fewer segments than phrases: the segment is shared out, one phrase each, in order, not overlapping", async (t) => {
  const messages = run(heard([seg(1000, 3000)], ms(3500)), phrases(lights, hello), settings({ format: "detailed" }));
  // Four words then two: 2 s shared 4:2.
  const phrasesOut = ofPath(messages, "speech.phrase");
  t.strictSame(
    phrasesOut.map((p) => [p.DisplayText, p.Offset, p.Duration]),
    [
      ["Turn on the lights.", ms(1000), 13_333_333],
      ["Hello world.", ms(1000) + 13_333_333, ms(3000) - (ms(1000) + 13_333_333)],
    ],
  );
});

t.test("a scripted clip in which nothing was detected still gets its phrases, over the whole audio", async (t) => {
  const messages = run(heard([], ms(2000)), phrases(lights, hello), settings());
  t.strictSame(
    ofPath(messages, "speech.phrase").map((p) => [p.RecognitionStatus, p.Offset, p.Duration]),
    [
      ["Success", 0, 13_333_333],
      ["Success", 13_333_333, ms(2000) - 13_333_333],
    ],
  );
});

t.test("noMatch fallback: a NoMatch phrase per segment, no hypotheses", async (t) => {
  const messages = run(heard([seg(100, 800), seg(1500, 1900)], ms(2500)), { kind: "noMatch" }, settings({ format: "detailed" }));
  t.strictSame(messages, [
    { path: "speech.startDetected", body: { Offset: ms(100) } },
    { path: "speech.phrase", body: { RecognitionStatus: "NoMatch", Offset: ms(100), Duration: ms(700) } },
    { path: "speech.phrase", body: { RecognitionStatus: "NoMatch", Offset: ms(1500), Duration: ms(400) } },
    { path: "speech.endDetected", body: { Offset: ms(2500) } },
  ]);
});

t.test("noMatch fallback in interactive mode: one NoMatch for the first segment", async (t) => {
  const messages = run(heard([seg(100, 800), seg(1500, 1900)], ms(2500)), { kind: "noMatch" }, settings({ mode: "interactive" }));
  t.strictSame(statuses(messages), ["NoMatch"]);
  t.strictSame(messages.at(-1)?.body, { Offset: ms(800) });
});

t.test("text fallback: that text for every segment, with lexical forms made from it", async (t) => {
  const messages = run(
    heard([seg(100, 800), seg(1500, 1900)], ms(2500)),
    { kind: "text", text: "Sorry, I didn't catch that." },
    settings({ format: "detailed" }),
  );
  const nbest = {
    Confidence: 0.9,
    Lexical: "sorry i didn't catch that",
    ITN: "sorry i didn't catch that",
    MaskedITN: "sorry i didn't catch that",
    Display: "Sorry, I didn't catch that.",
  };
  t.strictSame(ofPath(messages, "speech.phrase"), [
    { RecognitionStatus: "Success", Offset: ms(100), Duration: ms(700), DisplayText: "Sorry, I didn't catch that.", NBest: [nbest] },
    { RecognitionStatus: "Success", Offset: ms(1500), Duration: ms(400), DisplayText: "Sorry, I didn't catch that.", NBest: [nbest] },
  ]);
  t.equal(ofPath(messages, "speech.hypothesis").at(-1)?.Text, "sorry i didn't catch that");
});

t.test("no speech at all", async (t) => {
  for (const transcript of [{ kind: "noMatch" }, { kind: "text", text: "Pardon?" }] as const) {
    t.test(`${transcript.kind} fallback: NoMatch for the whole audio below the initial silence timeout`, async (t) => {
      t.strictSame(run(heard([], ms(2000)), transcript, settings()), [
        { path: "speech.phrase", body: { RecognitionStatus: "NoMatch", Offset: 0, Duration: ms(2000) } },
        { path: "speech.endDetected", body: { Offset: ms(2000) } },
      ]);
      t.strictSame(statuses(run(heard([], ms(5000) - 1), transcript, settings())), ["NoMatch"]);
    });

    t.test(`${transcript.kind} fallback: InitialSilenceTimeout lasting the timeout at or above it`, async (t) => {
      t.strictSame(run(heard([], ms(5000)), transcript, settings({ mode: "interactive" })), [
        { path: "speech.phrase", body: { RecognitionStatus: "InitialSilenceTimeout", Offset: 0, Duration: ms(5000) } },
        { path: "speech.endDetected", body: { Offset: ms(5000) } },
      ]);
      t.strictSame(run(heard([], ms(7000)), transcript, settings()), [
        { path: "speech.phrase", body: { RecognitionStatus: "InitialSilenceTimeout", Offset: 0, Duration: ms(5000) } },
        { path: "speech.endDetected", body: { Offset: ms(7000) } },
      ]);
    });
  }

  t.test("the timeout follows initialSilenceTimeoutMs", async (t) => {
    t.strictSame(statuses(run(heard([], ms(2000)), { kind: "noMatch" }, settings({ initialSilenceTimeoutMs: 1000 }))), [
      "InitialSilenceTimeout",
    ]);
    t.strictSame(statuses(run(heard([], ms(2000)), { kind: "noMatch" }, settings({ initialSilenceTimeoutMs: 2001 }))), ["NoMatch"]);
  });

  t.test("empty audio: NoMatch of no length", async (t) => {
    t.strictSame(run(heard([], 0), { kind: "noMatch" }, settings()), [
      { path: "speech.phrase", body: { RecognitionStatus: "NoMatch", Offset: 0, Duration: 0 } },
      { path: "speech.endDetected", body: { Offset: 0 } },
    ]);
  });
});

t.test("dictation", async (t) => {
  t.test("appends an EndOfDictation phrase at the end of the audio, just before speech.endDetected", async (t) => {
    const messages = run(heard([seg(40, 920), seg(2720, 4320)], ms(4600)), phrases(lights, timer), settings({ mode: "dictation" }));
    t.strictSame(statuses(messages), ["Success", "Success", "EndOfDictation"]);
    t.strictSame(messages.slice(-2), [
      { path: "speech.phrase", body: { RecognitionStatus: "EndOfDictation", Offset: ms(4600), Duration: 0 } },
      { path: "speech.endDetected", body: { Offset: ms(4600) } },
    ]);
  });

  t.test("appends it after silence too", async (t) => {
    t.strictSame(statuses(run(heard([], ms(1000)), { kind: "noMatch" }, settings({ mode: "dictation" }))), ["NoMatch", "EndOfDictation"]);
  });

  t.test("is the only mode with EndOfDictation", async (t) => {
    for (const mode of ["interactive", "conversation"] as const) {
      t.notOk(statuses(run(heard([seg(0, 500)], ms(1000)), phrases(hello), settings({ mode }))).includes("EndOfDictation"), mode);
    }
  });
});

t.test("profanity", async (t) => {
  const rude: Phrase = { display: "Damn, it's hell.", lexical: "damn it's hell", itn: "damn it's hell", maskedItn: "damn it's hell" };
  const words = new Set(["damn", "hell"]);
  const answer = (profanity: ResponseSettings["profanity"], format: ResponseSettings["format"] = "detailed") =>
    run(heard([seg(0, 1000)], ms(1200)), phrases(rude), settings({ format, profanity, profaneWords: words }));
  const forms = (messages: Message[]) => {
    const [body] = ofPath(messages, "speech.phrase");
    const [nbest] = (body?.NBest ?? []) as Record<string, unknown>[];
    return {
      DisplayText: body?.DisplayText,
      ...nbest,
      Confidence: undefined,
      hypothesis: ofPath(messages, "speech.hypothesis").at(-1)?.Text,
    };
  };

  t.test("masked: Display, Lexical, ITN and the hypotheses masked", async (t) => {
    t.strictSame(forms(answer("masked")), {
      DisplayText: "****, it's ****.",
      Confidence: undefined,
      Lexical: "**** it's ****",
      ITN: "**** it's ****",
      MaskedITN: "**** it's ****",
      Display: "****, it's ****.",
      hypothesis: "**** it's ****",
    });
  });

  t.test("removed: the words dropped from Display, Lexical, ITN and the hypotheses; MaskedITN still masked", async (t) => {
    t.strictSame(forms(answer("removed")), {
      DisplayText: "it's.",
      Confidence: undefined,
      Lexical: "it's",
      ITN: "it's",
      MaskedITN: "**** it's ****",
      Display: "it's.",
      hypothesis: "it's",
    });
  });

  t.test("raw: the words kept everywhere but in MaskedITN", async (t) => {
    t.strictSame(forms(answer("raw")), {
      DisplayText: "Damn, it's hell.",
      Confidence: undefined,
      Lexical: "damn it's hell",
      ITN: "damn it's hell",
      MaskedITN: "**** it's ****",
      Display: "Damn, it's hell.",
      hypothesis: "damn it's hell",
    });
  });

  t.test("simple format applies it to DisplayText", async (t) => {
    t.equal(ofPath(answer("masked", "simple"), "speech.phrase")[0]?.DisplayText, "****, it's ****.");
    t.equal(ofPath(answer("removed", "simple"), "speech.phrase")[0]?.DisplayText, "it's.");
    t.equal(ofPath(answer("raw", "simple"), "speech.phrase")[0]?.DisplayText, "Damn, it's hell.");
  });

  t.test("applies to a text fallback too", async (t) => {
    const messages = run(
      heard([seg(0, 1000)], ms(1200)),
      { kind: "text", text: "Hell no." },
      settings({ format: "detailed", profanity: "removed", profaneWords: words }),
    );
    t.match(ofPath(messages, "speech.phrase")[0], { DisplayText: "no.", NBest: [{ Lexical: "no", MaskedITN: "**** no" }] });
  });
});

t.test("property: for any segments and phrases the messages are well formed and in order", async (t) => {
  const vocabulary = ["hello", "world", "damn", "it's", "five", "hell", "o'clock", "a"];
  const profaneWords = new Set(["damn", "hell"]);
  const words = fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 8 });
  const phrase: fc.Arbitrary<Phrase> = fc
    .record({
      lexicalWords: words,
      display: fc.oneof(fc.string({ minLength: 1 }), fc.constant("Line one.\r\n\r\nLine two."), fc.constant('Say "hell"!')),
      itn: fc.oneof(fc.string({ minLength: 1 }), fc.constant("one\r\n\r\ntwo 2")),
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    })
    .map(({ lexicalWords, display, itn, confidence }) => {
      const lexical = lexicalWords.join(" ");
      const useItn = itn.length % 2 === 0 ? itn : lexical;
      return { display, lexical, itn: useItn, maskedItn: useItn, ...(confidence === undefined ? {} : { confidence }) };
    });
  const transcript: fc.Arbitrary<Transcript> = fc.oneof(
    fc.array(phrase, { minLength: 1, maxLength: 5 }).map((list) => ({ kind: "phrases" as const, phrases: list })),
    fc.constant({ kind: "noMatch" as const }),
    fc.string({ minLength: 1 }).map((text) => ({ kind: "text" as const, text })),
  );
  // Audio up to 10 s; segments from sorted distinct sample boundaries, so they never overlap.
  const audio = fc.integer({ min: 0, max: 160_000 }).chain((samples) =>
    fc.uniqueArray(fc.integer({ min: 0, max: samples }), { maxLength: 12 }).map((bounds) => {
      const sorted = [...bounds].sort((a, b) => a - b);
      const segments: Segment[] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) {
        segments.push({ start: (sorted[i] as number) * 625, end: (sorted[i + 1] as number) * 625 });
      }
      return heard(segments, samples * 625);
    }),
  );
  const options = fc.record({
    mode: fc.constantFrom("interactive", "conversation", "dictation"),
    format: fc.constantFrom("simple", "detailed"),
    profanity: fc.constantFrom("masked", "removed", "raw"),
    initialSilenceTimeoutMs: fc.integer({ min: 1, max: 12_000 }),
  });

  fc.assert(
    fc.property(audio, transcript, options, (h, tr, o) => {
      const s = settings({ ...o, profaneWords });
      const raw = recognitionMessages(h, tr, s);
      for (const m of raw) {
        if (m.body.includes("\r\n\r\n")) throw new Error(`body with CRLFCRLF: ${m.body}`);
        JSON.parse(m.body);
      }
      const messages = run(h, tr, s);
      const paths = messages.map((m) => m.path);
      if (paths.at(-1) !== "speech.endDetected" || paths.filter((p) => p === "speech.endDetected").length !== 1) {
        throw new Error(`speech.endDetected is not last and alone: ${paths.join(", ")}`);
      }
      if (paths.lastIndexOf("speech.startDetected") > 0) throw new Error(`speech.startDetected is not first: ${paths.join(", ")}`);

      // Offsets never go back, and every Offset and Duration is a whole, non-negative tick count.
      let last = 0;
      for (const { path, body } of messages) {
        for (const key of ["Offset", "Duration"] as const) {
          if (key in body && !(Number.isSafeInteger(body[key]) && (body[key] as number) >= 0)) {
            throw new Error(`${path} ${key} ${String(body[key])}`);
          }
        }
        const offset = body.Offset as number;
        if (offset < last) throw new Error(`${path} Offset ${offset} after ${last}`);
        last = offset;
      }

      // Phrases are in the script's order and do not overlap; hypotheses stay inside their phrase.
      const phraseBodies = ofPath(messages, "speech.phrase").filter((b) => b.RecognitionStatus !== "EndOfDictation");
      let end = 0;
      for (const b of phraseBodies) {
        const [offset, duration] = [b.Offset as number, b.Duration as number];
        if (offset < end || offset + duration > h.audioTicks) throw new Error(`phrase ${offset}+${duration} after ${end}`);
        end = offset + duration;
      }
      let pending: Record<string, unknown>[] = [];
      for (const { path, body } of messages) {
        if (path === "speech.hypothesis") pending.push(body);
        if (path !== "speech.phrase") continue;
        if (pending.length > 0 && body.RecognitionStatus !== "Success") throw new Error("hypotheses before a phrase without speech");
        let shown = "";
        for (const hyp of pending) {
          const [text, duration] = [hyp.Text as string, hyp.Duration as number];
          if (hyp.Offset !== body.Offset) throw new Error(`hypothesis at ${hyp.Offset}, phrase at ${body.Offset}`);
          if (duration > (body.Duration as number) || (duration % hypothesisIntervalTicks !== 0 && duration !== body.Duration)) {
            throw new Error(`hypothesis Duration ${duration} in a phrase of ${body.Duration}`);
          }
          if (!text.startsWith(shown) || text.length <= shown.length) throw new Error(`hypothesis ${JSON.stringify(text)} after ${shown}`);
          shown = `${text} `;
        }
        pending = [];
      }
      const success = phraseBodies.filter((b) => b.RecognitionStatus === "Success").map((b) => b.DisplayText);
      const spoken = s.mode === "interactive" ? h.segments.slice(0, 1) : h.segments;
      const clean = (text: string) => applyProfanity(text, s.profanity, profaneWords);
      let expected: string[] = [];
      if (tr.kind === "phrases") expected = (s.mode === "interactive" ? tr.phrases.slice(0, 1) : tr.phrases).map((p) => clean(p.display));
      if (tr.kind === "text") expected = spoken.map(() => clean(tr.text));
      if (JSON.stringify(success) !== JSON.stringify(expected)) throw new Error(`phrases ${JSON.stringify(success)}`);
      if (tr.kind === "noMatch" && phraseBodies.length !== Math.max(1, spoken.length)) throw new Error("one NoMatch per segment");
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass("property held");
});
