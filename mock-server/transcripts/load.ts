import { parseFixture } from "../fixture-file.ts";
import { type Transcripts, toTranscripts, transcriptsFile } from "./schema.ts";

/** Parses and validates a transcripts fixtures file; `source` names the file in messages. */
export const parseTranscripts = (text: string, source: string): Transcripts => toTranscripts(parseFixture(text, source, transcriptsFile));
