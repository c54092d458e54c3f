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

/** The phrases scripted for the clip with this PCM hash, or the fallback when there are none. */
export function transcriptFor(transcripts: Transcripts, sha256: string): Transcript {
  const phrases = transcripts.bySha256.get(sha256.toLowerCase());
  return phrases ? { kind: "phrases", phrases } : transcripts.fallback;
}
