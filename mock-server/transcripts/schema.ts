import { parseFingerprint } from "../stt/fingerprint.ts";
import { FingerprintIndex } from "../stt/fingerprint-index.ts";
import * as z from "../zod.ts";
import { defaultProfaneWords } from "./profane-words.ts";

/**
 * A transcripts file scripts what the mock "hears": it maps the SHA-256 of a clip's PCM (the bytes
 * after its 44-byte RIFF header) to the phrases the service would recognise in it, and says what
 * to answer for any other audio. A phrase may also carry the acoustic fingerprint of its
 * utterance, which still identifies it when the bytes differ (padding, gain, resampling). The
 * four text forms are the ones `format=detailed` returns in `NBest`: Display, Lexical, ITN
 * (inverse text normalisation: numbers as digits) and MaskedITN (ITN with profanity masked).
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

/** Refuses a fingerprint `parseFingerprint` cannot read, saying why (its message after "Cannot parse fingerprint: "). */
function checkFingerprint(text: string, ctx: { addIssue(issue: { code: "custom"; message: string }): void }): void {
  try {
    parseFingerprint(text);
  } catch (err) {
    const why = (err as Error).message.replace(/^Cannot parse fingerprint: /, "");
    ctx.addIssue({ code: "custom", message: `Expected a fingerprint as "speechmock hash" prints it: ${why}` });
  }
}

export const phrase = z.strictObject({
  display: text("the display text (non-empty)"),
  lexical,
  itn: text("the ITN form (non-empty)"),
  maskedItn: text("the MaskedITN form (non-empty)"),
  confidence: z.optional(
    z.number().check(z.gte(0, "Expected a confidence between 0 and 1"), z.lte(1, "Expected a confidence between 0 and 1")),
  ),
  /** The utterance's acoustic fingerprint, as `speechmock hash` prints it. */
  fingerprint: z.optional(z.string().check(z.superRefine(checkFingerprint))),
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
  /** The utterance's acoustic fingerprint (`fp1:...`), when the file gives one. */
  readonly fingerprint?: string;
}

/** What to answer for audio the file does not script: `NoMatch`, or one fixed phrase. */
export type Fallback = { readonly kind: "noMatch" } | { readonly kind: "text"; readonly text: string };

export interface Transcripts {
  readonly fallback: Fallback;
  /** Lower-case profane words; the built-in list when the file names none. */
  readonly profaneWords: ReadonlySet<string>;
  /** Keyed by the lower-case hex SHA-256 of the PCM. */
  readonly bySha256: ReadonlyMap<string, readonly Phrase[]>;
  /** Every phrase that has a fingerprint, by that fingerprint: for audio whose hash is not known. */
  readonly byFingerprint: FingerprintIndex<Phrase>;
}

/** The index of every fingerprinted phrase in these clips; fingerprints were checked by the schema. */
export function fingerprintIndexOf(clips: Iterable<readonly Phrase[]>, into = new FingerprintIndex<Phrase>()): FingerprintIndex<Phrase> {
  for (const phrases of clips) {
    for (const p of phrases) if (p.fingerprint !== undefined) into.add(parseFingerprint(p.fingerprint), p);
  }
  return into;
}

export function toTranscripts(parsed: z.output<typeof transcriptsFile>): Transcripts {
  const bySha256 = new Map<string, readonly Phrase[]>();
  for (const [sha, entry] of Object.entries(parsed.transcripts)) bySha256.set(sha, entry.phrases);
  const words = parsed.profanity ?? defaultProfaneWords;
  return {
    fallback: parsed.fallback,
    profaneWords: new Set(words.map((w) => w.toLowerCase())),
    bySha256,
    byFingerprint: fingerprintIndexOf(bySha256.values()),
  };
}
