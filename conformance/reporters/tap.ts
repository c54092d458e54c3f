/**
 * TAP version 14: one test point per case, then one per stale expected-failures entry. Every
 * acceptable result is `ok` (or a `# TODO` failure, which TAP does not count against the run), so a
 * TAP consumer fails the run exactly when speechmock does. A test point's name is the same whatever
 * its outcome, so a CI system keeps one history per case.
 */
import type { CaseResult, ExpectedFailure, RunReport } from "../report.ts";
import { journalLines } from "./journal-line.ts";
import { printable, stripAnsi, tailLines } from "./text.ts";
import { expectedReason, failedChecks, verdict } from "./verdict.ts";
import { type YamlMap, yamlLines } from "./yaml.ts";

/** Lines of the client's stderr kept in a diagnostic block. */
export const stderrTailLines = 20;

export function tapReport(report: RunReport): string {
  const lines = [
    "TAP version 14",
    `1..${report.results.length + report.stale.length}`,
    comment(`speechmock ${report.tool.version} conformance on ${report.runtime}${report.strict ? " (strict)" : ""}: ${report.client}`),
  ];
  let n = 0;
  for (const result of report.results) lines.push(...testPoint(++n, result));
  for (const entry of report.stale) {
    const ran = report.results.find((r) => r.id === entry.id);
    lines.push(...stalePoint(++n, entry, ran));
  }
  return `${lines.join("\n")}\n`;
}

function testPoint(n: number, result: CaseResult): string[] {
  const name = `${result.id} ${result.title}`;
  switch (verdict(result)) {
    case "pass":
      return [point(true, n, name)];
    case "skip":
      return [point(true, n, name, "SKIP", result.message), ...diagnostics(result)];
    case "tolerated":
      return [point(true, n, name), ...diagnostics(result, `a ${result.level} check failed: this fails the run only with --strict`)];
    case "expected-failure":
      return [point(false, n, name, "TODO", `expected failure: ${expectedReason(result)}`), ...diagnostics(result)];
    case "unexpected":
      return [point(false, n, name), ...diagnostics(result)];
  }
}

function stalePoint(n: number, entry: ExpectedFailure, ran: CaseResult | undefined): string[] {
  const block: YamlMap = {
    message: "the case ran and did not fail: remove this entry from the expected-failures file",
    outcome: ran?.outcome,
    expectedFailure: { reason: entry.reason, link: entry.link },
  };
  return [point(false, n, `stale expected failure: ${entry.id}`), ...wrap(block)];
}

function diagnostics(result: CaseResult, note?: string): string[] {
  const stderr = tailLines(stripAnsi(result.client.stderr), stderrTailLines);
  return wrap({
    outcome: result.outcome,
    level: result.level,
    spec: result.spec,
    message: result.message || undefined,
    note,
    expectedFailure: result.expectedFailure && { reason: result.expectedFailure.reason, link: result.expectedFailure.link },
    checks: failedChecks(result).map((c) => ({ what: c.what, seen: c.seen, journal: c.journal && journalLines(c.journal) })),
    client: { exitCode: result.client.exitCode, signal: result.client.signal, stderr: stderr || undefined },
    // tap-parser reads this key as the test point's time.
    duration_ms: result.durationMs,
  });
}

const wrap = (block: YamlMap): string[] => ["  ---", ...yamlLines(block, "  "), "  ..."];

/**
 * A test point line. Descriptions and directive texts are escaped as TAP 14 says (`\` and `#`),
 * kept to one line, and never end in `{`, which would open a subtest.
 */
function point(ok: boolean, n: number, name: string, directive?: "SKIP" | "TODO", reason?: string): string {
  const head = `${ok ? "ok" : "not ok"} ${n} - ${escaped(name)}`;
  if (directive === undefined) return head;
  const text = escaped(reason ?? "");
  return text === "" ? `${head} # ${directive}` : `${head} # ${directive} ${text}`;
}

const escaped = (text: string): string =>
  oneLine(text)
    .replace(/[\\#]/g, (c) => `\\${c}`)
    .replace(/\{+$/, "")
    .trimEnd();

/** One line of printable text: a TAP line ends at the first line break. */
const oneLine = (text: string): string => printable(text).replace(/\s+/g, " ").trim();

const comment = (text: string): string => `# ${oneLine(text)}`;
