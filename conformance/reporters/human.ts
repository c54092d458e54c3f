/**
 * The terminal view: a line per case as it finishes, then a summary that says what to do next
 * (entries to paste for new failures, stale entries to remove). Colour is plain ANSI, only on
 * request: the caller knows whether its stream is a terminal and whether NO_COLOR is set.
 */
import { type CaseResult, isFailure, type RunReport } from "../report.ts";
import { journalLines } from "./journal-line.ts";
import { printable } from "./text.ts";
import { expectedReason, failedChecks, type Verdict, verdict } from "./verdict.ts";

export interface HumanOptions {
  color: boolean;
}

const sgr = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Style = keyof typeof sgr;

const paint = (opts: HumanOptions, style: Style, text: string): string => (opts.color ? `\u001b[${sgr[style]}m${text}\u001b[0m` : text);

const verdictStyle: Record<Verdict, Style> = {
  pass: "green",
  skip: "cyan",
  tolerated: "yellow",
  "expected-failure": "yellow",
  unexpected: "red",
};

/** Wide enough for the longest outcome, NON-STRICT. */
const outcomeWidth = 10;
/** The longest id (protocol.reconnect-after-1000) and a space: titles start in one column. */
const idWidth = 30;
const detailIndent = " ".repeat(outcomeWidth + 1);

/** `12 ms` under a second, `1.2 s` from there. */
export const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** One case as it finishes; a non-pass adds indented lines of why. No trailing newline. */
export function humanLine(result: CaseResult, opts: HumanOptions): string {
  const v = verdict(result);
  const outcome = paint(opts, verdictStyle[v], result.outcome.padEnd(outcomeWidth));
  const head = `${outcome} ${result.id.padEnd(idWidth)} ${printable(result.title)} ${paint(opts, "dim", `(${duration(result.durationMs)})`)}`;
  if (v === "pass") return head;
  const cross = paint(opts, v === "unexpected" ? "red" : "yellow", "✗");
  const details = [
    ...(v === "expected-failure" ? [`expected failure: ${expectedReason(result)}`] : []),
    ...(v === "tolerated" ? ["acceptable: this fails the run only with --strict"] : []),
    // The judge's message repeats the first failed check: each check is shown once, below.
    ...(result.message && !result.message.startsWith(`${failedChecks(result)[0]?.what}: no`) ? [result.message] : []),
    ...failedChecks(result).flatMap((c) => [
      `${cross} ${c.what}`,
      ...(c.seen !== undefined ? [`  seen: ${c.seen}`] : []),
      ...journalLines(c.journal).map((line) => `  journal: ${line}`),
    ]),
  ];
  const lines = details.flatMap((d) => printable(d).split("\n")).map((line) => `${detailIndent}${line}`.trimEnd());
  return [head, ...lines, ...stderrTail(result, opts)].join("\n");
}

/** Lines of the client's stderr shown under a case that failed or broke: usually its own account of why. */
const stderrLines = 8;

function stderrTail(result: CaseResult, opts: HumanOptions): string[] {
  if (result.outcome !== "FAIL" && result.outcome !== "ERROR" && result.outcome !== "TIMEOUT") return [];
  const tail = result.client.stderr
    .trimEnd()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-stderrLines);
  if (tail.length === 0) return [];
  return [
    `${detailIndent}${paint(opts, "dim", `client stderr (last ${tail.length} line${tail.length === 1 ? "" : "s"}):`)}`,
    ...tail.map((line) => `${detailIndent}  ${printable(line)}`.trimEnd()),
  ];
}

/** What the run came to and what to do about it, ending in the counts line. No trailing newline. */
export function humanSummary(report: RunReport, opts: HumanOptions): string {
  const sections: string[][] = [];
  const unexpected = report.results.filter((r) => !r.expected);
  if (unexpected.length > 0) {
    sections.push([
      paint(opts, "bold", `Unexpected results (${unexpected.length}):`),
      ...unexpected.map((r) => `  ${paint(opts, "red", r.outcome.padEnd(outcomeWidth))} ${r.id}  ${printable(r.title)}`),
    ]);
  }
  const toList = unexpected.filter((r) => isFailure(r.outcome, report.strict));
  if (toList.length > 0) {
    const entries = toList.map((r) => `  { "id": ${JSON.stringify(r.id)}, "reason": "TODO: why this fails", "link": "" }`);
    sections.push([
      "If these are known failures, add them to the expected-failures file:",
      "[",
      ...entries.map((e, i) => (i < entries.length - 1 ? `${e},` : e)),
      "]",
    ]);
  }
  if (report.stale.length > 0) {
    sections.push([
      paint(
        opts,
        "bold",
        `Stale expected failures (${report.stale.length}): these cases did not fail; remove these from the expected-failures file:`,
      ),
      ...report.stale.map((e) => `  ${e.id}  (${printable(e.reason)})`),
    ]);
  }
  sections.push([paint(opts, report.exitCode === 0 ? "green" : "red", countsLine(report))]);
  return sections.map((lines) => lines.join("\n")).join("\n\n");
}

/** The whole run as the terminal would have shown it, for a file. */
export const humanReport = (report: RunReport, opts: HumanOptions): string =>
  `${[...report.results.map((r) => humanLine(r, opts)), "", humanSummary(report, opts)].join("\n")}\n`;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `25 cases: 22 passed, 1 failed, 1 non-strict, 1 skipped, 0 errors, 0 timeouts (1 expected failure) in 12.3 s`. */
export function countsLine(report: RunReport): string {
  const s = report.summary;
  const expected = s.expectedFailures > 0 ? ` (${plural(s.expectedFailures, "expected failure")})` : "";
  return (
    `${plural(s.total, "case")}: ${s.passed} passed, ${s.failed} failed, ${s.nonStrict} non-strict, ${s.skipped} skipped, ` +
    `${plural(s.errors, "error")}, ${plural(s.timeouts, "timeout")}${expected} in ${(report.durationMs / 1000).toFixed(1)} s`
  );
}
