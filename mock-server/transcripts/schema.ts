import { defaultProfaneWords } from "../stt/profanity.ts";
import * as z from "../zod.ts";

/**
 * A transcripts file scripts what the mock "hears": it maps the SHA-256 of a clip's PCM (the bytes
 * after its 44-byte RIFF header) to the phrases the service would recognise in it, and says what
 * to answer for any other audio. The four text forms are the ones `format=detailed` returns in
 * `NBest`: Display, Lexical, ITN (inverse text normalisation: numbers as digits) and MaskedITN
 * (ITN with profanity masked).
 */

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, "Expected a SHA-256 as 64 lower-case hex digits"));

const text = (what: string) => z.string().check(z.minLength(1, `Expected ${what}`));

/** Lexical form: lower-case words and apostrophes separated by single spaces; numbers spelled out. */
const lexical = z
  .string()
  .check(
    z.regex(
      /^[\p{Ll}\p{Lo}']+( [\p{Ll}\p{Lo}']+)*$/u,
      "Expected the lexical form: lower-case words separated by single spaces, no punctuation, numbers as words",
    ),
  );

export const phrase = z.strictObject({
  display: text("the display text (non-empty)"),
  lexical,
  itn: text("the ITN form (non-empty)"),
  maskedItn: text("the MaskedITN form (non-empty)"),
  confidence: z.optional(
    z.number().check(z.gte(0, "Expected a confidence between 0 and 1"), z.lte(1, "Expected a confidence between 0 and 1")),
  ),
});

const clip = z.strictObject({
  /** The file the clip was made from; documentation only. */
  clip: z.optional(z.string()),
  phrases: z.array(phrase).check(z.minLength(1, "Expected at least one phrase")),
});

export const fallback = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("noMatch") }),
  z.strictObject({ kind: z.literal("text"), text: text("the fallback text (non-empty)") }),
]);

export const transcriptsFile = z.strictObject({
  $schema: z.optional(z.string()),
  fallback: z._default(fallback, { kind: "noMatch" }),
  /** Words the `profanity` parameter masks or removes, matched whole and case-insensitively. */
  profanity: z.optional(z.array(z.string().check(z.regex(/^[\p{L}\p{N}']+$/u, "Expected a single word (letters, digits, apostrophes)")))),
  transcripts: z.record(sha256Hex, clip),
});

export type TranscriptsFile = z.input<typeof transcriptsFile>;

/** One recognised phrase, in the four forms the service reports. */
export interface Phrase {
  readonly display: string;
  readonly lexical: string;
  readonly itn: string;
  readonly maskedItn: string;
  /** 0 to 1; absent when the file leaves the choice to the responder. */
  readonly confidence?: number;
}

/** What to answer for audio the file does not script: `NoMatch`, or one fixed phrase. */
export type Fallback = { readonly kind: "noMatch" } | { readonly kind: "text"; readonly text: string };

export interface Transcripts {
  readonly fallback: Fallback;
  /** Lower-case profane words; the built-in list when the file names none. */
  readonly profaneWords: ReadonlySet<string>;
  /** Keyed by the lower-case hex SHA-256 of the PCM. */
  readonly bySha256: ReadonlyMap<string, readonly Phrase[]>;
}

export function toTranscripts(parsed: z.output<typeof transcriptsFile>): Transcripts {
  const bySha256 = new Map<string, readonly Phrase[]>();
  for (const [sha, entry] of Object.entries(parsed.transcripts)) bySha256.set(sha, entry.phrases);
  const words = parsed.profanity ?? defaultProfaneWords;
  return { fallback: parsed.fallback, profaneWords: new Set(words.map((w) => w.toLowerCase())), bySha256 };
}
