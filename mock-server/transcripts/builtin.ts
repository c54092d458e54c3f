import builtin from "../../fixtures/transcripts.json" with { type: "json" };
import { parseTranscripts } from "./load.ts";
import type { Transcripts } from "./schema.ts";

/** The transcripts of the spoken clips in fixtures/audio, used when no transcripts file is given. */
export const builtinTranscripts = (): Transcripts => parseTranscripts(JSON.stringify(builtin), "fixtures/transcripts.json");
