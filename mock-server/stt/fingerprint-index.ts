/**
 * Known utterances by fingerprint: which one, if any, a turn's utterance is. A plain list scanned
 * in full: a transcripts file scripts tens of phrases, and one comparison of 2 s utterances takes
 * tens of microseconds.
 */
import type { Fingerprint } from "./fingerprint.ts";
import { fingerprintSimilarity, prefixSimilarity } from "./fingerprint-similarity.ts";

/**
 * A whole utterance matches from this score up. Measured on the fixture clips (fingerprint.test.ts
 * asserts and prints the margins): every utterance scores at least 0.96 against itself padded
 * (worst: leading silence of half a 10 ms frame), chunked, at 0.5x to 2x gain and through 48 kHz,
 * while two different utterances score at most 0.65 ("Hello world." against "Turn on the
 * lights.", of similar length and rhythm). 0.85 sits between, about 0.11 and 0.2 from each.
 */
export const matchThreshold = 0.85;

/**
 * Partial audio of at least this many 10 ms frames is compared with the starts of the known
 * utterances. Under 300 ms one syllable fits too many: at 200 ms a different utterance's start
 * scores up to 0.95, at 300 ms up to 0.84, from 350 ms under 0.75.
 */
export const minPrefixFrames = 30;
/** A prefix matches from this score up; the right utterance's start scores 0.96 or more from 200 ms on. */
export const prefixThreshold = 0.9;
/** ...and only when every other utterance scores this much lower; otherwise it is too soon to tell. */
export const prefixMargin = 0.1;

interface Entry<T> {
  readonly fingerprint: Fingerprint;
  readonly value: T;
}

export class FingerprintIndex<T> {
  #entries: Entry<T>[] = [];

  /** Known fingerprints. */
  get size(): number {
    return this.#entries.length;
  }

  add(fingerprint: Fingerprint, value: T): void {
    this.#entries.push({ fingerprint, value });
  }

  /** Removes every fingerprint added with this value (compared with `===`); false if there was none. */
  delete(value: T): boolean {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.value !== value);
    return this.#entries.length !== before;
  }

  clear(): void {
    this.#entries = [];
  }

  /**
   * The known utterance most like `fingerprint`, if it scores at least `matchThreshold`. With
   * `likely` (the utterance live hypotheses guessed), that one is scored first and taken when it
   * matches: different utterances score at most 0.65, so no other would do better, and the scan
   * of the rest (most of a turn's matching time) is saved.
   */
  match(fingerprint: Fingerprint, likely?: T): { value: T; score: number } | undefined {
    if (likely !== undefined) {
      for (const entry of this.#entries) {
        if (entry.value !== likely) continue;
        const score = fingerprintSimilarity(fingerprint, entry.fingerprint);
        if (score >= matchThreshold) return { value: likely, score };
      }
    }
    let best: { value: T; score: number } | undefined;
    for (const entry of this.#entries) {
      const score = fingerprintSimilarity(fingerprint, entry.fingerprint);
      if (score >= matchThreshold && (best === undefined || score > best.score)) best = { value: entry.value, score };
    }
    return best;
  }

  /**
   * The known utterance whose start `partial` (an utterance still being spoken) is, and the share
   * of it heard so far (0..1, by length). Undefined under 300 ms of audio, when nothing scores
   * `prefixThreshold`, or when another utterance scores within `prefixMargin` of the best.
   */
  matchPrefix(partial: Fingerprint): { value: T; fraction: number } | undefined {
    if (partial.frames < minPrefixFrames) return undefined;
    const scored = this.#entries
      .map((entry) => ({ entry, score: prefixSimilarity(partial, entry.fingerprint) }))
      .sort((a, b) => b.score - a.score);
    const best = scored[0];
    const runnerUp = scored.find((s) => s.entry.value !== best?.entry.value)?.score ?? 0;
    if (best === undefined || best.score < prefixThreshold || best.score - runnerUp < prefixMargin) return undefined;
    return { value: best.entry.value, fraction: Math.min(1, partial.frames / best.entry.fingerprint.frames) };
  }
}
