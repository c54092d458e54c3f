/** What a recognition returns: every phrase of a continuous turn, and the detailed format (spec 4; tts-and-timing 3.4). */
import { type Case, check } from "../case.ts";
import { accepted, describeErrors, list, recognized, turns } from "../evidence.ts";

export const resultCases: Case[] = [
  {
    id: "continuous.phrases",
    level: "MUST",
    title: "A continuous turn reports every phrase of the audio, in order",
    spec: "tts-and-timing 3.4: one speech.phrase per utterance; the turn ends at turn.end after the end of the audio",
    requires: ["continuous"],
    plan: { clip: "two-utterances", mode: "continuous" },
    judge: (e) => {
      const texts = recognized(e).map((r) => r.text ?? r.status);
      const want = e.expectedPhrases.map((p) => p.display);
      return [
        check(turns(e).length === 1, "one turn ran", () => `${turns(e).length} turns; ${describeErrors(e)}`),
        check(
          texts.length === want.length && texts.every((t, i) => t === want[i]),
          `the client reports each phrase once, in order: ${list(want)}`,
          () => `reported: ${list(texts)}; ${describeErrors(e)}`,
        ),
      ];
    },
  },
  {
    id: "detailed.nbest",
    level: "MUST",
    title: "format=detailed is asked for on the connection, and NBest is read",
    spec: "spec 4: speech.phrase (detailed: NBest with Confidence, Lexical, ITN, MaskedITN, Display)",
    requires: ["detailed"],
    plan: { format: "detailed" },
    judge: (e) => {
      const formats = accepted(e).map((h) => h.query?.format ?? "none");
      const want = e.expectedPhrases[0];
      const first = recognized(e)[0];
      const best = first?.nbest?.[0];
      return [
        check(
          formats.length === 1 && formats[0]?.toLowerCase() === "detailed",
          "the handshake asks for format=detailed",
          () => `format: ${list(formats)}; ${describeErrors(e)}`,
          () => accepted(e),
        ),
        check(
          first?.text === want?.display,
          `the text is ${JSON.stringify(want?.display)}`,
          () => `reported ${JSON.stringify(first?.text)}`,
        ),
        check(
          best?.display === want?.display && best?.lexical === want?.lexical && best?.confidence === want?.confidence,
          "the client reports NBest[0] with the service's Display, Lexical and Confidence",
          () => `reported ${JSON.stringify(best ?? null)}, sent ${JSON.stringify(want)}`,
        ),
      ];
    },
  },
];
