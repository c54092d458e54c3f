import { MockError } from "../errors.ts";
import type * as z from "../zod.ts";
import type { Resource } from "./resource.ts";
import { subscriptionsFile, toResources } from "./schema.ts";

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

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return issue.message;
}

/**
 * Parses and validates a subscriptions fixtures file. `source` names the file in messages.
 * Every problem is reported at once, each with its JSON path, so a user fixes the file in one go.
 */
export function parseSubscriptions(text: string, source: string): Resource[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // Engines quote the text around the error, newlines and all; keep the message on one line.
    const detail = (err as Error).message.replace(/\s*\n\s*/g, " ");
    throw new MockError("ERR_FIXTURE_INVALID", `${source}: not valid JSON: ${detail}`);
  }
  const result = subscriptionsFile.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${jsonPath(i.path)}: ${describe(i)}`);
    throw new MockError("ERR_FIXTURE_INVALID", lines.join("\n"));
  }
  return toResources(result.data);
}
