import { MockError } from "../errors.ts";
import { jsonPath } from "../subscriptions/load.ts";
import type * as z from "../zod.ts";
import { type Transcripts, toTranscripts, transcriptsFile } from "./schema.ts";

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_key":
      // The record's key schema failed: its own message says what a key must look like.
      return issue.issues[0]?.message ?? issue.message;
    case "invalid_union":
      // A discriminated union whose discriminator matched no option: list the options.
      if (issue.discriminator !== undefined && "options" in issue && issue.options) {
        return `Expected one of ${issue.options.map((o) => JSON.stringify(o)).join("|")}`;
      }
      return issue.message;
    default:
      return issue.message;
  }
}

/**
 * Parses and validates a transcripts fixtures file. `source` names the file in messages.
 * Every problem is reported at once, one line each, as `<source>: <JSON path>: <what was expected>`.
 */
export function parseTranscripts(text: string, source: string): Transcripts {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // Engines quote the text around the error, newlines and all; keep the message on one line.
    const detail = (err as Error).message.replace(/\s*\n\s*/g, " ");
    throw new MockError("ERR_FIXTURE_INVALID", `${source}: not valid JSON: ${detail}`);
  }
  const result = transcriptsFile.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${jsonPath(i.path)}: ${describe(i)}`);
    throw new MockError("ERR_FIXTURE_INVALID", lines.join("\n"));
  }
  return toTranscripts(result.data);
}
