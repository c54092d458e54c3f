import fc from "fast-check";
import t from "tap";
import { applyProfanity, defaultProfaneWords } from "./profanity.ts";

const profane: ReadonlySet<string> = new Set(["damn", "hell"]);
const none: ReadonlySet<string> = new Set();

t.test("masked", async (t) => {
  t.test("replaces each profane word with as many asterisks as it has letters", async (t) => {
    t.equal(applyProfanity("damn it", "masked", profane), "**** it");
    t.equal(applyProfanity("what the hell is this damn thing", "masked", profane), "what the **** is this **** thing");
  });

  t.test("matches words case-insensitively", async (t) => {
    t.equal(applyProfanity("Damn, HELL and HeLl.", "masked", profane), "****, **** and ****.");
  });

  t.test("matches whole words only: hello is not hell", async (t) => {
    t.equal(applyProfanity("hello shell hellish damnation hell", "masked", profane), "hello shell hellish damnation ****");
  });

  t.test("keeps punctuation and spacing around a masked word", async (t) => {
    t.equal(applyProfanity("Oh, hell! (Damn.)  Fine?", "masked", profane), "Oh, ****! (****.)  Fine?");
  });

  t.test("treats a word with an apostrophe as a different word", async (t) => {
    t.equal(applyProfanity("hell's bells", "masked", profane), "hell's bells");
  });

  t.test("masks a profane word in single quotes", async (t) => {
    t.equal(applyProfanity("He said 'damn'.", "masked", profane), "He said '****'.");
  });
});

t.test("removed", async (t) => {
  t.test("drops a profane word without leaving a double space", async (t) => {
    t.equal(applyProfanity("what the hell is this", "removed", profane), "what the is this");
    t.equal(applyProfanity("a damn hell day", "removed", profane), "a day");
  });

  t.test("leaves no space before the punctuation that followed a removed word", async (t) => {
    t.equal(applyProfanity("Oh hell.", "removed", profane), "Oh.");
    t.equal(applyProfanity("What the hell, man?", "removed", profane), "What the, man?");
  });

  t.test("drops a leading profane word with the comma after it", async (t) => {
    t.equal(applyProfanity("Damn, that hurts.", "removed", profane), "that hurts.");
    t.equal(applyProfanity("hell no", "removed", profane), "no");
  });

  t.test("leaves no trailing space after a removed last word", async (t) => {
    t.equal(applyProfanity("go to hell", "removed", profane), "go to");
  });

  t.test("gives an empty text when every word is profane", async (t) => {
    t.equal(applyProfanity("Damn hell damn", "removed", profane), "");
  });

  t.test("matches whole words case-insensitively, as masked does", async (t) => {
    t.equal(applyProfanity("HELLO HELL world", "removed", profane), "HELLO world");
  });

  t.test("takes the punctuation of a removed sentence-initial word with it", async (t) => {
    t.equal(applyProfanity("Damn! It hurts.", "removed", profane), "It hurts.");
    t.equal(applyProfanity("Oh. Damn. Fine.", "removed", profane), "Oh. Fine.");
  });

  t.test("leaves a text without profane words unchanged", async (t) => {
    t.equal(applyProfanity("Ça va ?", "removed", profane), "Ça va ?");
    t.equal(applyProfanity("x  y", "removed", profane), "x  y");
  });

  t.test(
    "for any words and punctuation: single spaces, none before punctuation or at the ends, the clean words kept in order",
    async (t) => {
      const token = fc.tuple(
        fc.constantFrom("damn", "Hell", "hello", "world", "shell", "it's", "five"),
        fc.constantFrom("", "", ",", ".", "!", "?"),
      );
      fc.assert(
        fc.property(fc.array(token, { minLength: 1, maxLength: 12 }), (tokens) => {
          const text = tokens.map(([w, p]) => w + p).join(" ");
          const out = applyProfanity(text, "removed", profane);
          const kept = tokens.map(([w]) => w).filter((w) => !profane.has(w.toLowerCase()));
          return (
            !/ {2}/.test(out) &&
            !/ [.,!?]/.test(out) &&
            !/^ | $/.test(out) &&
            JSON.stringify(out.match(/[\p{L}']+/gu) ?? []) === JSON.stringify(kept)
          );
        }),
      );
      t.pass("property held");
    },
  );
});

t.test("raw leaves the text exactly as it was", async (t) => {
  const text = "Damn, what the HELL  is this ?";
  t.equal(applyProfanity(text, "raw", profane), text);
});

t.test("an empty word set leaves every text alone, masked or removed", async (t) => {
  const text = "Damn, what the hell  is this ?";
  t.equal(applyProfanity(text, "masked", none), text);
  t.equal(applyProfanity(text, "removed", none), text);
});

t.test("the default word list is lower-case single words and includes hell but not hello", async (t) => {
  t.ok(defaultProfaneWords.length > 0);
  for (const w of defaultProfaneWords) t.match(w, /^[\p{Ll}']+$/u);
  t.ok(defaultProfaneWords.includes("hell"));
  t.notOk(defaultProfaneWords.includes("hello"));
  t.ok(Object.isFrozen(defaultProfaneWords));
});
