import { FingerprintIndex } from "../stt/fingerprint-index.ts";
import type { Transcript } from "./lookup.ts";
import { fingerprintIndexOf, type Phrase, type Transcripts } from "./schema.ts";

/**
 * What the mock hears, changeable while it runs: the transcripts it started with, clips the
 * control plane scripted since, and scripts queued for the next turns, whatever their audio.
 */
export class TranscriptStore {
  readonly #start: Transcripts;
  readonly #bySha256: Map<string, readonly Phrase[]>;
  readonly #byFingerprint = new FingerprintIndex<Phrase>();
  readonly #next: Transcript[] = [];
  /** Read by every turn; its clip map and fingerprint index change in place. */
  readonly current: Transcripts;

  constructor(start: Transcripts) {
    this.#start = start;
    this.#bySha256 = new Map(start.bySha256);
    this.current = { ...start, bySha256: this.#bySha256, byFingerprint: this.#byFingerprint };
    this.#reindex();
  }

  /** Scripts one clip, by the SHA-256 of its PCM; its phrases' fingerprints replace the clip's old ones. */
  scriptClip(sha256: string, phrases: readonly Phrase[]): void {
    this.#bySha256.set(sha256.toLowerCase(), phrases);
    this.#reindex();
  }

  /** Back to what the transcripts file said of this clip; false if nothing was scripted. */
  unscriptClip(sha256: string): boolean {
    const key = sha256.toLowerCase();
    const original = this.#start.bySha256.get(key);
    let changed: boolean;
    if (original) {
      changed = this.#bySha256.get(key) !== original;
      this.#bySha256.set(key, original);
    } else changed = this.#bySha256.delete(key);
    if (changed) this.#reindex();
    return changed;
  }

  /** The next turn, on any connection, is heard as this, whatever its audio. Returns the queue length. */
  scriptNext(transcript: Transcript): number {
    this.#next.push(transcript);
    return this.#next.length;
  }

  /** The script queued for the turn answered now, if any (taken off the queue). */
  takeNext(): Transcript | undefined {
    return this.#next.shift();
  }

  get queued(): number {
    return this.#next.length;
  }

  reset(): void {
    this.#bySha256.clear();
    for (const [sha, phrases] of this.#start.bySha256) this.#bySha256.set(sha, phrases);
    this.#next.length = 0;
    this.#reindex();
  }

  /**
   * Rebuilds the fingerprint index from the clips, in place (turns hold `current`). A rebuild
   * rather than add and delete: the same phrase may sit in two clips, and there are tens of them.
   */
  #reindex(): void {
    this.#byFingerprint.clear();
    fingerprintIndexOf(this.#bySha256.values(), this.#byFingerprint);
  }
}
