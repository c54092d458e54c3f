/** The fixture clips a plan may ask a client to recognize, and what the mock hears in them. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import transcripts from "../fixtures/transcripts.json" with { type: "json" };
import type { Clip, ExpectedPhrase } from "./case.ts";

/** The clip's path. This file and the bundles in dist/ both sit one level below the package root. */
export const clipPath = (clip: Clip): string => fileURLToPath(new URL(`../fixtures/audio/${clip}.wav`, import.meta.url));

/** How long the clip's audio lasts, from its WAV header's data size and byte rate. */
export function clipDurationMs(clip: Clip): number {
  const wav = readFileSync(clipPath(clip));
  let offset = 12;
  let byteRate = 32_000;
  while (offset + 8 <= wav.length) {
    const id = wav.toString("latin1", offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === "fmt ") byteRate = wav.readUInt32LE(offset + 16);
    if (id === "data") return Math.round((Math.min(size, wav.length - offset - 8) / byteRate) * 1000);
    offset += 8 + size + (size % 2);
  }
  return 0;
}

/** The phrases the mock scripts for the clip, in order; none for silence (NoMatch). */
export function expectedPhrases(clip: Clip): ExpectedPhrase[] {
  const entry = Object.values(transcripts.transcripts).find((t) => t.clip === `audio/${clip}.wav`);
  return (entry?.phrases ?? []).map((p) => ({
    display: p.display,
    lexical: p.lexical,
    ...("confidence" in p && typeof p.confidence === "number" ? { confidence: p.confidence } : {}),
  }));
}

/** The text a client must report for the clip: its scripted phrases joined, or "" for silence. */
export const expectedText = (clip: Clip): string =>
  expectedPhrases(clip)
    .map((p) => p.display)
    .join(" ");
