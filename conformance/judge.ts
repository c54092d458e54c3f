/** From a case, what the client did and what the mock saw, to an outcome. */
import type { ClientRun } from "./agent/client-run.ts";
import type { Case, Check, Evidence } from "./case.ts";
import type { Outcome } from "./report.ts";

export interface Verdict {
  outcome: Outcome;
  message: string;
  checks: Check[];
}

export function judge(c: Case, run: ClientRun, evidence: Evidence): Verdict {
  const unsupported = new Set(run.events.flatMap((e) => (e.event === "unsupported" ? [e.capability] : [])));
  const missing = (c.requires ?? []).filter((cap) => unsupported.has(cap));
  if (run.contractProblems.length > 0) {
    return { outcome: "ERROR", message: `The client broke the contract: ${run.contractProblems[0]}`, checks: [] };
  }
  if (missing.length > 0) return { outcome: "SKIPPED", message: `The client does not implement ${missing.join(", ")}`, checks: [] };
  if (run.timedOut) return { outcome: "TIMEOUT", message: "The client did not finish in time and was killed", checks: [] };
  if (run.crash !== undefined) return { outcome: "ERROR", message: run.crash, checks: [] };
  if (run.exitCode !== 0 && run.exitCode !== null) {
    return {
      outcome: "ERROR",
      message: `The client exited with status ${run.exitCode}; the contract says 0, errors go in events`,
      checks: [],
    };
  }
  if (run.signal !== null) return { outcome: "ERROR", message: `The client was killed by ${run.signal}`, checks: [] };
  const checks = c.judge(evidence);
  const failed = checks.filter((k) => !k.ok);
  if (failed.length === 0) return { outcome: "PASS", message: "", checks };
  const first = failed[0] as Check;
  const message = `${first.what}: no${first.seen ? ` (${first.seen})` : ""}`;
  return { outcome: c.level === "MUST" ? "FAIL" : "NON-STRICT", message, checks };
}
