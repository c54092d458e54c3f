import type { ProfanityOption } from "./recognition-settings.ts";

/**
 * Words the mock treats as profane when a transcripts file names none. Deliberately short: the
 * service's own list is not public, and tests script the words they need.
 */
export const defaultProfaneWords: readonly string[] = Object.freeze(["damn", "hell", "shit", "fuck", "bitch", "bastard", "crap"]);

const word = /[\p{L}\p{N}']+/gu;

/**
 * Applies the `profanity` parameter to a text: `masked` replaces each letter of a profane word
 * with `*` (as the service does), `removed` drops the word, `raw` leaves the text alone. Words are
 * matched whole and case-insensitively, so "hello" is not "hell".
 */
export function applyProfanity(text: string, option: ProfanityOption, profane: ReadonlySet<string>): string {
  if (option === "raw" || profane.size === 0) return text;
  const isProfane = (w: string) => profane.has(w.toLowerCase());
  if (option === "masked") return text.replace(word, (w) => (isProfane(w) ? "*".repeat(w.length) : w));
  // Removed: drop the word, then the space or comma it leaves behind.
  return text
    .replace(word, (w) => (isProfane(w) ? "" : w))
    .replace(/ {2,}/g, " ")
    .replace(/ +([.,!?;:])/g, "$1")
    .replace(/^[ ,;:]+| +$/g, "");
}
