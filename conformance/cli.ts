/** `speechmock conform`: flags in, a run, reports out, an exit status (0 as expected, 1 not, 2 usage or harness). */
import { MockError } from "../mock-server/errors.ts";
import type { MockOptions } from "../mock-server/options.ts";
import type { MockServer } from "../mock-server/start.ts";
import { allCases } from "./cases/index.ts";
import { conformUsage, parseConformArgs } from "./cli-args.ts";
import { parseExpectedFailures } from "./expected-failures.ts";
import { humanLine, humanSummary } from "./reporters/human.ts";
import { jsonReport } from "./reporters/json.ts";
import { junitReport } from "./reporters/junit.ts";
import { tapReport } from "./reporters/tap.ts";
import { runConformance } from "./run.ts";
import { selectCases } from "./select.ts";

export interface ConformHost {
  runtime: "node" | "deno";
  version: string;
  stdout(line: string): void;
  stderr(line: string): void;
  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, text: string): Promise<void>;
  env(name: string): string | undefined;
  stdoutIsTerminal: boolean;
  startMock(options: MockOptions): Promise<MockServer>;
}

/** The results are on stdout already; a report file that cannot be written is still a harness failure (exit 2). */
async function writeReport(host: ConformHost, path: string, what: string, text: string): Promise<void> {
  try {
    await host.writeTextFile(path, text);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new MockError("ERR_REPORT_UNWRITABLE", `Cannot write the ${what} report to ${JSON.stringify(path)}: ${reason}`);
  }
}

export async function runConform(host: ConformHost, argv: readonly string[]): Promise<number> {
  try {
    const args = parseConformArgs(argv);
    if ("help" in args) {
      host.stdout(conformUsage);
      return 0;
    }
    const { cases, unmatched } = selectCases(allCases, { include: args.include, exclude: args.exclude });
    if (unmatched.length > 0) {
      throw new MockError(
        "ERR_USAGE",
        `No case matches ${unmatched.map((g) => JSON.stringify(g)).join(", ")}. Run "speechmock conform --list" for the ids`,
      );
    }
    if (args.list) {
      const width = Math.max(...cases.map((c) => c.id.length));
      for (const c of cases) host.stdout(`${c.id.padEnd(width)}  ${c.level.padEnd(6)}  ${c.title}`);
      return 0;
    }
    let expectedFailures: ReturnType<typeof parseExpectedFailures> = [];
    if (args.expectedFailures !== undefined) {
      let text: string;
      try {
        text = await host.readTextFile(args.expectedFailures);
      } catch (err) {
        const reason = (err as { code?: string }).code ?? (err as Error).name;
        const path = JSON.stringify(args.expectedFailures);
        // A mistyped path must not pass as "nothing expected to fail": say how to make the file.
        if (reason === "ENOENT" || reason === "NotFound") {
          throw new MockError(
            "ERR_EXPECTATIONS_INVALID",
            `The expected-failures file ${path} does not exist. Check the path; to start with no case expected to fail, ` +
              `create it holding [] (echo '[]' > ${shellQuote(args.expectedFailures)}) and commit it, ` +
              "then add the entries a run's summary prints for the failures you accept",
          );
        }
        throw new MockError("ERR_EXPECTATIONS_INVALID", `Cannot read expected-failures file ${path}: ${reason}`);
      }
      expectedFailures = parseExpectedFailures(text, args.expectedFailures, allCases);
    }
    const color = args.color ?? (host.stdoutIsTerminal && host.env("NO_COLOR") === undefined);
    const human = args.reporter === "human";
    const report = await runConformance({
      client: { command: args.client as string },
      startMock: host.startMock,
      runtime: host.runtime,
      version: host.version,
      cases,
      strict: args.strict,
      expectedFailures,
      timeScale: args.timeScale,
      caseTimeoutMs: args.caseTimeoutMs,
      concurrency: args.concurrency,
      onResult: human ? (result) => host.stdout(humanLine(result, { color })) : undefined,
    });
    if (human) host.stdout(humanSummary(report, { color }));
    else host.stdout((args.reporter === "tap" ? tapReport(report) : jsonReport(report)).trimEnd());
    if (args.junit !== undefined) await writeReport(host, args.junit, "JUnit", junitReport(report));
    if (args.json !== undefined) await writeReport(host, args.json, "JSON", jsonReport(report));
    return report.exitCode;
  } catch (err) {
    if (err instanceof MockError) {
      host.stderr(`speechmock conform: ${err.message}`);
      return 2;
    }
    host.stderr(`speechmock conform: harness error: ${(err as Error).stack ?? String(err)}`);
    return 2;
  }
}

/** A path as a POSIX shell word: as it is when plain, else in single quotes. */
const shellQuote = (word: string): string => (/^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);
