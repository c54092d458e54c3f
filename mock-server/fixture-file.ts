import { MockError } from "./errors.ts";
import * as z from "./zod.ts";

/** `["resources", 1, "keys", 0]` -> `$.resources[1].keys[0]`, the way jq and JSONPath spell it. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, seg) =>
      typeof seg === "number"
        ? `${acc}[${seg}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(seg))
          ? `${acc}.${String(seg)}`
          : `${acc}[${JSON.stringify(String(seg))}]`,
    "$",
  );
}

/** zod's message for an issue, reworded where its own says less than a user needs. */
function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_key":
      // A record's key schema failed: its own message says what a key must look like.
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
 * Parses a JSON fixtures file against its schema. `source` names the file in messages. Every
 * problem is reported at once, one line each, as `<source>: <JSON path>: <what was expected>`,
 * so a user fixes the file in one go.
 */
export function parseFixture<T extends z.core.$ZodType>(text: string, source: string, schema: T): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // Engines quote the text around the error, newlines and all; keep the message on one line.
    const detail = (err as Error).message.replace(/\s*\n\s*/g, " ");
    throw new MockError("ERR_FIXTURE_INVALID", `${source}: not valid JSON: ${detail}`);
  }
  const result = z.safeParse(schema, json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${jsonPath(i.path)}: ${describe(i)}`);
    throw new MockError("ERR_FIXTURE_INVALID", lines.join("\n"));
  }
  return result.data;
}
