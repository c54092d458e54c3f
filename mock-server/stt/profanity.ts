import type { ProfanityOption } from "./recognition-settings.ts";

/** The built-in word list now lives with the transcripts schema that defaults to it; re-exported for existing imports. */
export { defaultProfaneWords } from "../transcripts/profane-words.ts";

/** A word: letters and digits, with apostrophes only inside (so quotes around a word are not part of it). */
const word = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
/** A word with the spaces before it and the punctuation after it. */
const wordInContext = /(\s*)([\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*)([.,!?;:]*)/gu;

/**
 * Applies the `profanity` parameter to a text: `masked` replaces each letter of a profane word
 * with `*` (as the service does), `removed` drops the word, `raw` leaves the text alone. Words are
 * matched whole and case-insensitively, so "hello" is not "hell".
 */
export function applyProfanity(text: string, option: ProfanityOption, profane: ReadonlySet<string>): string {
  if (option === "raw" || profane.size === 0) return text;
  const isProfane = (w: string) => profane.has(w.toLowerCase());
  if (option === "masked") return text.replace(word, (w) => (isProfane(w) ? "*".repeat(w.length) : w));
  // Removed: the word goes with the space before it. Its punctuation stays ("What the, man?")
  // unless the word began a sentence ("Damn! It hurts." is "It hurts."). Text elsewhere is untouched.
  let removedFirst = false;
  const out = text.replace(wordInContext, (match: string, _space: string, w: string, punctuation: string, offset: number) => {
    if (!isProfane(w)) return match;
    const before = text.slice(0, offset).trimEnd();
    if (before === "") removedFirst = true;
    return before === "" || /[.!?]$/.test(before) ? "" : punctuation;
  });
  return removedFirst ? out.trimStart() : out;
}
