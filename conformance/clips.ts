/** The fixture clips a plan may ask a client to recognize, and what the mock hears in them. */
import { fileURLToPath } from "node:url";
import transcripts from "../fixtures/transcripts.json" with { type: "json" };
import type { Clip } from "./case.ts";

/** The clip's path. This file and the bundles in dist/ both sit one level below the package root. */
export const clipPath = (clip: Clip): string => fileURLToPath(new URL(`../fixtures/audio/${clip}.wav`, import.meta.url));

/** The text a client must report for the clip: its scripted phrases, or "" for silence (NoMatch). */
export function expectedText(clip: Clip): string {
  const entry = Object.values(transcripts.transcripts).find((t) => t.clip === `audio/${clip}.wav`);
  return entry ? entry.phrases.map((p) => p.display).join(" ") : "";
}
