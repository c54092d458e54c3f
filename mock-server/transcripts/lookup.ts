import type { Fingerprint } from "../stt/fingerprint.ts";
import type { Fallback, Phrase, Transcripts } from "./schema.ts";

/** What the mock hears in a clip: its scripted phrases, or the file's fallback. */
export type Transcript = { readonly kind: "phrases"; readonly phrases: readonly Phrase[] } | Fallback;

/** The lower-case hex SHA-256 of PCM samples (the bytes after the 44-byte RIFF header), via Web Crypto. */
export async function pcmSha256(pcm: Uint8Array): Promise<string> {
  // Web Crypto wants bytes backed by an ArrayBuffer; copy only when they are not.
  const bytes = pcm.buffer instanceof ArrayBuffer ? (pcm as Uint8Array<ArrayBuffer>) : new Uint8Array(pcm);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The phrases scripted for the clip with this PCM hash, or the fallback when there are none. The
 * exact whole-clip hash is the first choice; fingerprints are for audio it does not identify.
 */
export function transcriptFor(transcripts: Transcripts, sha256: string): Transcript {
  const phrases = transcripts.bySha256.get(sha256.toLowerCase());
  return phrases ? { kind: "phrases", phrases } : transcripts.fallback;
}

/** The phrase whose fingerprint this whole utterance matches, with its score (0..1); undefined when none does. */
export function phraseForFingerprint(transcripts: Transcripts, fingerprint: Fingerprint): { phrase: Phrase; score: number } | undefined {
  const found = transcripts.byFingerprint.match(fingerprint);
  return found && { phrase: found.value, score: found.score };
}

/**
 * The phrase whose start this partial utterance (still being spoken) sounds like, and the share
 * of it heard so far (0..1); undefined under 300 ms, when none does, or when it could be several.
 */
export function phrasePrefix(transcripts: Transcripts, partial: Fingerprint): { phrase: Phrase; fraction: number } | undefined {
  const found = transcripts.byFingerprint.matchPrefix(partial);
  return found && { phrase: found.value, fraction: found.fraction };
}
