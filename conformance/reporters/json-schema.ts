/**
 * JSON Schema (draft 2020-12) of `speechmock.conformance/v1`, the document `--json` writes: written
 * by hand from the types in report.ts. The client events inside it come from the contract's own
 * schema, the one the runner parses client output with, so that part cannot drift.
 */

import { toJSONSchema } from "../../mock-server/zod.ts";
import type { Level } from "../case.ts";
import { clientEvent } from "../contract.ts";
import type { Outcome } from "../report.ts";

/** A list of every member of a string union: the compiler rejects one that misses a member. */
const every =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> })) =>
    list;

export const outcomes = every<Outcome>()(["PASS", "FAIL", "NON-STRICT", "SKIPPED", "ERROR", "TIMEOUT"]);
export const levels = every<Level>()(["MUST", "SHOULD", "MAY"]);

const { $schema: _, ...clientEventSchema } = toJSONSchema(clientEvent, { target: "draft-2020-12", io: "output" });

const str = { type: "string" } as const;
const count = { type: "integer", minimum: 0 } as const;
const ms = { type: "number", minimum: 0, description: "milliseconds" } as const;
const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});

export const reportSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "speechmock.conformance/v1",
  description: "One run of the speechmock conformance suite against one client.",
  ...object({
    schema: { const: "speechmock.conformance/v1" },
    tool: object({ name: { const: "speechmock" }, version: str }),
    runtime: { enum: ["node", "deno"] },
    client: { ...str, description: "The client command, or the in-process adapter's name." },
    startedAt: { ...str, format: "date-time" },
    durationMs: ms,
    strict: { type: "boolean" },
    timeScale: { type: "number", exclusiveMinimum: 0 },
    results: { type: "array", items: ref("caseResult") },
    stale: { type: "array", items: ref("expectedFailure"), description: "Expected-failures entries whose case ran and did not fail." },
    summary: ref("runSummary"),
    exitCode: { enum: [0, 1] },
  }),
  $defs: {
    caseResult: object(
      {
        id: str,
        level: { enum: levels },
        title: str,
        spec: str,
        outcome: { enum: outcomes },
        message: { ...str, description: 'Why it did not pass, in one line; "" for PASS.' },
        checks: { type: "array", items: ref("check") },
        expected: { type: "boolean", description: "Whether this outcome is acceptable." },
        expectedFailure: ref("expectedFailure"),
        durationMs: ms,
        client: ref("clientRecord"),
      },
      ["id", "level", "title", "spec", "outcome", "message", "checks", "expected", "durationMs", "client"],
    ),
    check: object(
      {
        ok: { type: "boolean" },
        what: str,
        seen: str,
        journal: {
          type: "array",
          description: "When it failed: the journal entries the judgement rests on, as the mock's journal holds them.",
          items: { type: "object", required: ["seq", "at", "wall", "type"] },
        },
      },
      ["ok", "what"],
    ),
    expectedFailure: object({ id: str, reason: str, link: str }, ["id", "reason"]),
    clientRecord: object({
      exitCode: { type: ["integer", "null"] },
      signal: { type: ["string", "null"] },
      events: { type: "array", items: ref("clientEvent") },
      stdout: str,
      stderr: str,
    }),
    clientEvent: clientEventSchema,
    runSummary: object({
      total: count,
      passed: count,
      failed: count,
      nonStrict: count,
      skipped: count,
      errors: count,
      timeouts: count,
      expectedFailures: count,
      unexpected: count,
    }),
  },
} as const;
