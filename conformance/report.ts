/**
 * The one result of a run that every reporter renders (tap's model: one canonical stream,
 * many views). `--json` writes it as is; its shape is `speechmock.conformance/v1`, documented in
 * conformance/README.md.
 */
import type { Check, Level } from "./case.ts";
import type { ClientEvent } from "./contract.ts";

export type Outcome = "PASS" | "FAIL" | "NON-STRICT" | "SKIPPED" | "ERROR" | "TIMEOUT";

export interface ExpectedFailure {
  id: string;
  reason: string;
  link?: string;
}

export interface ClientRecord {
  /** null when it was killed by a signal, or for an in-process adapter. */
  exitCode: number | null;
  signal: string | null;
  events: ClientEvent[];
  /** Kept for the report, cut to the last 64 KiB each. */
  stdout: string;
  stderr: string;
}

export interface CaseResult {
  id: string;
  level: Level;
  title: string;
  spec: string;
  outcome: Outcome;
  /** Why it did not pass, in one line; "" for PASS. */
  message: string;
  checks: Check[];
  /** Whether this outcome is acceptable: a pass, a skip, a NON-STRICT outside --strict, or a listed expected failure. */
  expected: boolean;
  /** The expected-failures entry that covers it, if any. */
  expectedFailure?: ExpectedFailure;
  durationMs: number;
  client: ClientRecord;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  nonStrict: number;
  skipped: number;
  errors: number;
  timeouts: number;
  /** Results not passed but covered by an expected-failures entry. */
  expectedFailures: number;
  /** Results that make the run fail (exit 1), stale entries included. */
  unexpected: number;
}

export interface RunReport {
  schema: "speechmock.conformance/v1";
  tool: { name: "speechmock"; version: string };
  runtime: "node" | "deno";
  /** The client command, or the in-process adapter's name. */
  client: string;
  startedAt: string;
  durationMs: number;
  strict: boolean;
  timeScale: number;
  results: CaseResult[];
  /** Expected-failures entries whose case ran and did not fail: the file is out of date. */
  stale: ExpectedFailure[];
  summary: RunSummary;
  /** 0 when every result was as expected, 1 otherwise. */
  exitCode: 0 | 1;
}

/** Whether an outcome counts as a failure in a report (expected or not). */
export const isFailure = (outcome: Outcome, strict: boolean): boolean =>
  outcome === "FAIL" || outcome === "ERROR" || outcome === "TIMEOUT" || (strict && outcome === "NON-STRICT");

export function summarize(results: readonly CaseResult[], stale: readonly ExpectedFailure[]): RunSummary {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return {
    total: results.length,
    passed: count("PASS"),
    failed: count("FAIL"),
    nonStrict: count("NON-STRICT"),
    skipped: count("SKIPPED"),
    errors: count("ERROR"),
    timeouts: count("TIMEOUT"),
    expectedFailures: results.filter((r) => r.expectedFailure !== undefined && r.outcome !== "PASS" && r.outcome !== "SKIPPED").length,
    unexpected: results.filter((r) => !r.expected).length + stale.length,
  };
}
