/**
 * JUnit XML in the shape GitHub, GitLab and Jenkins read: one suite, one testcase per case. What
 * fails the run is a `<failure>` or an `<error>`; what is acceptable but not a pass (a skip, an
 * expected failure) is `<skipped>`, so CI's counts agree with speechmock's exit status. Stale
 * expected-failures entries fail the run too, so each is a failing testcase of its own.
 */
import type { CaseResult, ExpectedFailure, RunReport } from "../report.ts";
import { journalLines } from "./journal-line.ts";
import { expectedReason, failedChecks, group, verdict } from "./verdict.ts";
import { attrs, xmlText } from "./xml.ts";

export const suiteName = "speechmock conformance";

type Kind = "pass" | "failure" | "error" | "skipped";

interface TestCase {
  classname: string;
  name: string;
  durationMs: number;
  kind: Kind;
  /** The one-line message attribute of `<failure>`, `<error>` or `<skipped>`. */
  message: string;
  type: string;
  /** Text inside `<failure>`, `<error>` or `<skipped>`. */
  details: string;
  stdout: string;
  stderr: string;
}

export function junitReport(report: RunReport): string {
  const cases = [...report.results.map(fromResult), ...report.stale.map(fromStale)];
  const count = (kind: Kind) => cases.filter((c) => c.kind === kind).length;
  const totals = { tests: cases.length, failures: count("failure"), errors: count("error"), skipped: count("skipped") };
  const time = seconds(report.durationMs);
  const properties = {
    "speechmock.version": report.tool.version,
    runtime: report.runtime,
    client: report.client,
    strict: String(report.strict),
    timeScale: report.timeScale,
  };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: suiteName, ...totals, time })}>`,
    `  <testsuite${attrs({ name: suiteName, ...totals, time, timestamp: report.startedAt })}>`,
    "    <properties>",
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    "    </properties>",
    ...cases.flatMap(render),
    "  </testsuite>",
    "</testsuites>",
  ];
  return `${lines.join("\n")}\n`;
}

function fromResult(result: CaseResult): TestCase {
  const base = {
    classname: group(result.id),
    name: `${result.id} ${result.title}`,
    durationMs: result.durationMs,
    type: result.outcome,
    details: details(result),
    stdout: result.client.stdout,
    stderr: result.client.stderr,
  };
  switch (verdict(result)) {
    case "pass":
      return { ...base, kind: "pass", message: "", details: "" };
    case "tolerated":
      // JUnit has no "passed with a warning": the note leads the output a CI page shows.
      return {
        ...base,
        kind: "pass",
        message: "",
        details: "",
        stdout: `speechmock: ${base.details}\nspeechmock: acceptable, except under --strict\n\n${result.client.stdout}`,
      };
    case "skip":
      return { ...base, kind: "skipped", message: result.message || "skipped", details: "" };
    case "expected-failure":
      return { ...base, kind: "skipped", message: `expected failure: ${expectedReason(result)}` };
    case "unexpected": {
      const kind = result.outcome === "ERROR" || result.outcome === "TIMEOUT" ? "error" : "failure";
      return { ...base, kind, message: result.message || result.outcome };
    }
  }
}

function fromStale(entry: ExpectedFailure): TestCase {
  return {
    classname: "expected-failures",
    name: `stale expected failure: ${entry.id}`,
    durationMs: 0,
    kind: "failure",
    message: "the case ran and did not fail: remove this entry from the expected-failures file",
    type: "stale",
    details: [`reason: ${entry.reason}`, ...(entry.link ? [`link: ${entry.link}`] : [])].join("\n"),
    stdout: "",
    stderr: "",
  };
}

/** What a CI page shows for a non-pass: the outcome and rule, the failed checks, how the client ended. */
function details(result: CaseResult): string {
  const { exitCode, signal } = result.client;
  const ending = signal !== null ? `killed by ${signal}` : exitCode === null ? "in-process" : `exit code ${exitCode}`;
  return [
    `${result.outcome} (${result.level}, ${result.spec})${result.message ? `: ${result.message}` : ""}`,
    ...failedChecks(result).flatMap((c) => [
      `✗ ${c.what}`,
      ...(c.seen !== undefined ? [`  seen: ${c.seen}`] : []),
      ...journalLines(c.journal).map((line) => `  journal: ${line}`),
    ]),
    `client: ${ending}`,
  ].join("\n");
}

function render(c: TestCase): string[] {
  const open = `    <testcase${attrs({ classname: c.classname, name: c.name, time: seconds(c.durationMs) })}`;
  const body: string[] = [];
  if (c.kind !== "pass") {
    const tag = c.kind;
    const attributes = tag === "skipped" ? attrs({ message: c.message }) : attrs({ message: c.message, type: c.type });
    body.push(c.details === "" ? `      <${tag}${attributes}/>` : `      <${tag}${attributes}>${xmlText(c.details)}</${tag}>`);
  }
  if (c.stdout !== "") body.push(`      <system-out>${xmlText(c.stdout)}</system-out>`);
  if (c.stderr !== "") body.push(`      <system-err>${xmlText(c.stderr)}</system-err>`);
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, "    </testcase>"];
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
