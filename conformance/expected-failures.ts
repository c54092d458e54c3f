/**
 * The expected-failures file (the OpenID conformance suite's idea): cases a client is known to
 * fail, each with a reason. A listed case that passes makes the entry stale, and a stale entry
 * fails the run, so the file never hides a fixed bug or a regression behind an old excuse.
 */
import { MockError } from "../mock-server/errors.ts";
import * as z from "../mock-server/zod.ts";
import type { Case } from "./case.ts";
import type { CaseResult, ExpectedFailure } from "./report.ts";

const entry = z.strictObject({
  id: z.string().check(z.regex(/^[a-z]+(\.[a-z0-9-]+)+$/, "Expected a case id such as token.reuse")),
  reason: z.string().check(z.minLength(1, "Expected a reason: why the client fails this case")),
  link: z.optional(z.string()),
});
const file = z.array(entry);

const invalid = (source: string, message: string) => new MockError("ERR_EXPECTATIONS_INVALID", `${source}: ${message}`);

/** Parses and checks a file's text; every problem names the file, the JSON path and what was expected. */
export function parseExpectedFailures(text: string, source: string, known: readonly Case[]): ExpectedFailure[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(source, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = z.safeParse(file, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = `$${(issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
    throw invalid(source, `at ${path}: ${issue?.message}. Expected an array of { "id", "reason", "link"? }`);
  }
  const ids = new Set(known.map((c) => c.id));
  const seen = new Set<string>();
  parsed.data.forEach((e, i) => {
    if (!ids.has(e.id))
      throw invalid(source, `at $[${i}].id: no case has the id ${JSON.stringify(e.id)}. Run "speechmock conform --list" for the ids`);
    if (seen.has(e.id)) throw invalid(source, `at $[${i}].id: ${JSON.stringify(e.id)} is listed twice`);
    seen.add(e.id);
  });
  return parsed.data;
}

/** The entries whose case ran and passed (or was skipped): they must go. A NON-STRICT result still fails its SHOULD. */
export function staleEntries(entries: readonly ExpectedFailure[], results: readonly CaseResult[]): ExpectedFailure[] {
  return entries.filter((e) => {
    const result = results.find((r) => r.id === e.id);
    return result !== undefined && (result.outcome === "PASS" || result.outcome === "SKIPPED");
  });
}

/** A ready-to-paste entry for a result nobody expected. */
export const entryFor = (result: CaseResult): ExpectedFailure => ({
  id: result.id,
  reason: `TODO: why it fails (${result.message})`,
  link: "",
});
