/**
 * How every reporter presents one result: its outcome weighed against the expected-failures
 * file and --strict. `CaseResult.expected` already folds in --strict, so no reporter needs it.
 */
import type { Check } from "../case.ts";
import type { CaseResult } from "../report.ts";

/**
 * - `tolerated`: a NON-STRICT outside --strict, acceptable but worth a note;
 * - `expected-failure`: not a pass, acceptable because an expected-failures entry covers it;
 * - `unexpected`: makes the run fail.
 */
export type Verdict = "pass" | "skip" | "tolerated" | "expected-failure" | "unexpected";

export function verdict(result: CaseResult): Verdict {
  if (result.outcome === "PASS") return "pass";
  if (result.outcome === "SKIPPED") return "skip";
  if (!result.expected) return "unexpected";
  // An entry counts even on a NON-STRICT outside --strict, as summarize() counts it.
  if (result.expectedFailure !== undefined || result.outcome !== "NON-STRICT") return "expected-failure";
  return "tolerated";
}

export const failedChecks = (result: CaseResult): Check[] => result.checks.filter((c) => !c.ok);

/** Why an expected failure is acceptable, from its entry. */
export const expectedReason = (result: CaseResult): string => result.expectedFailure?.reason || "listed as an expected failure";

/** The group a case belongs to: the first dotted part of its id (`token` for `token.reuse`). */
export const group = (id: string): string => id.split(".")[0] ?? id;
