/** Flags of `speechmock conform`; every mistake is a MockError with code ERR_USAGE (exit 2). */
import { parseArgs } from "node:util";
import { MockError } from "../mock-server/errors.ts";
import { conformanceDefaults } from "./run.ts";

export const stdoutReporters = ["human", "tap", "json"] as const;
export type StdoutReporter = (typeof stdoutReporters)[number];

export interface ConformArgs {
  list: boolean;
  client?: string;
  include: string[];
  exclude: string[];
  strict: boolean;
  expectedFailures?: string;
  reporter: StdoutReporter;
  junit?: string;
  json?: string;
  timeScale: number;
  caseTimeoutMs: number;
  concurrency: number;
  color?: boolean;
}

export const conformUsage = `speechmock conform: run the conformance cases against a client

Usage:
  speechmock conform --client "<command>" [flags]
  speechmock conform --list [--cases <globs>]

Flags:
      --client <command>         the client to test, run through /bin/sh once per case
                                 (the contract: conformance/README.md)
      --cases <globs>            only cases whose id matches, e.g. 'token.*,protocol.no-match'
      --exclude <globs>          leave out cases whose id matches
      --strict                   a failed SHOULD (NON-STRICT) fails the run
      --expected-failures <file> cases known to fail: a JSON array of { "id", "reason", "link"? };
                                 an entry whose case passes fails the run
      --reporter <r>             human, tap (TAP 14) or json, on stdout (default human)
      --junit <file>             also write JUnit XML
      --json <file>              also write the JSON report (schema speechmock.conformance/v1)
      --time-scale <x>           wall time per unit of the mock's time (default ${conformanceDefaults.timeScale})
      --timeout <s>              limit per case, in seconds, beyond its planned pauses (default ${conformanceDefaults.caseTimeoutMs / 1000})
      --concurrency <n>          cases run at once (default ${conformanceDefaults.concurrency})
      --list                     print the ids, levels and titles of the cases, run nothing
      --color, --no-color        colour the human output (default: when stdout is a terminal)

Exit status: 0 when every result is as expected, 1 when one is not (or an expected-failures
entry is stale), 2 for bad flags, a bad expected-failures file or a harness failure.`;

const usageError = (message: string) => new MockError("ERR_USAGE", `${message}\nRun "speechmock conform --help" for the flags.`);

const globs = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(","))
    .map((g) => g.trim())
    .filter((g) => g !== "");

function positive(flag: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const ok = integer ? /^\d+$/.test(value) : /^\d+(\.\d+)?$/.test(value);
  const n = Number(value);
  if (!ok || n <= 0)
    throw usageError(`Invalid value for ${flag}: ${JSON.stringify(value)}. Expected a ${integer ? "whole number" : "number"} above 0`);
  return n;
}

export function parseConformArgs(argv: readonly string[]): ConformArgs | { help: true } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    const message = (err as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw usageError(`Unknown flag ${unknown[1]}`);
    const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing) throw usageError(`Missing value for ${missing[1]}`);
    throw usageError(message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length > 0) throw usageError(`Unexpected argument ${JSON.stringify(positionals[0])}`);
  const reporter = values.reporter ?? "human";
  if (!(stdoutReporters as readonly string[]).includes(reporter)) {
    throw usageError(`Invalid value for --reporter: ${JSON.stringify(reporter)}. Expected one of ${stdoutReporters.join(", ")}`);
  }
  if (!values.list && (values.client === undefined || values.client.trim() === "")) {
    throw usageError('Missing --client. Expected the command that runs your client, e.g. --client "python3 adapter.py"');
  }
  for (const flag of ["junit", "json", "expected-failures"] as const) {
    if (values[flag] === "") throw usageError(`Invalid value for --${flag}: "". Expected a file path`);
  }
  return {
    list: values.list ?? false,
    client: values.client,
    include: globs(values.cases),
    exclude: globs(values.exclude),
    strict: values.strict ?? false,
    expectedFailures: values["expected-failures"],
    reporter: reporter as StdoutReporter,
    junit: values.junit,
    json: values.json,
    timeScale: positive("--time-scale", values["time-scale"], conformanceDefaults.timeScale),
    caseTimeoutMs: positive("--timeout", values.timeout, conformanceDefaults.caseTimeoutMs / 1000) * 1000,
    concurrency: positive("--concurrency", values.concurrency, conformanceDefaults.concurrency, true),
    color: values.color ? true : values["no-color"] ? false : undefined,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      client: { type: "string" },
      cases: { type: "string", multiple: true },
      exclude: { type: "string", multiple: true },
      strict: { type: "boolean" },
      "expected-failures": { type: "string" },
      reporter: { type: "string" },
      junit: { type: "string" },
      json: { type: "string" },
      "time-scale": { type: "string" },
      timeout: { type: "string" },
      concurrency: { type: "string" },
      list: { type: "boolean" },
      color: { type: "boolean" },
      "no-color": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
