import { parseArgs } from "node:util";
import { MockError } from "../errors.ts";
import { type ResolvedScalarOptions, scalarOptions } from "../options.ts";
import {
  appliesTo,
  type FlagRow,
  type LogFormat,
  logFormats,
  type OptionFlag,
  optionFlags,
  parseArgsOptions,
  rowOf,
  type ServeArgs,
  serveFlagsUsage,
  serveOnlyFlags,
} from "./flags.ts";

export { type LogFormat, logFormats, type ServeArgs };

export interface HashArgs {
  command: "hash";
  files: string[];
  /** One JSON object per clip instead of text lines. */
  json: boolean;
}

export type CliArgs = ServeArgs | HashArgs | { command: "help" } | { command: "version" };

export const usage = `speechmock: a local mock of the Microsoft Speech token service and speech WebSocket

Usage:
  speechmock serve [flags]      start the mock; prints one JSON ready line on stdout
  speechmock hash [--json] <file.wav>...
                                print each clip's PCM SHA-256 and each utterance's fingerprint: their
                                keys in a transcripts file (--json: one JSON object per clip)
  speechmock conform [flags]    run the conformance suite against a client ("conform --help")
  speechmock --help | --version

Flags of serve:
${serveFlagsUsage()}

Exit status: 0 after a clean shutdown, 1 if the server cannot start, 2 for bad flags or fixtures.`;

const usageError = (message: string) => new MockError("ERR_USAGE", `${message}\nRun "speechmock --help" for the flags.`);

const invalid = (row: FlagRow, shown: string, expected: string) => usageError(`Invalid value for --${row.flag}: ${shown}. ${expected}`);

/**
 * A flag's text as its row's parser reads it; the range checks are the options schema's. A list is
 * split at commas (`--admin-host a --admin-host b,c`: three names).
 */
function textValue(row: FlagRow, given: string | boolean | string[] | undefined): unknown {
  if (given === undefined || typeof given === "boolean") return given;
  if (Array.isArray(given)) return given.flatMap((v) => v.split(",").map((name) => name.trim()));
  switch (row.parser) {
    case "integer":
      if (!/^\d+$/.test(given)) throw invalid(row, JSON.stringify(given), "Expected a whole number");
      return Number(given);
    case "seconds":
      if (!/^\d+(\.\d+)?$/.test(given)) throw invalid(row, JSON.stringify(given), "Expected a number of seconds");
      return Number(given);
    case "path":
      if (given === "") throw invalid(row, '""', "Expected a file path");
      return given;
    default:
      if ("choices" in row && row.choices !== undefined && !row.choices.includes(given)) {
        throw invalid(row, JSON.stringify(given), `Expected one of ${row.choices.join(", ")}`);
      }
      return given;
  }
}

/** The options of serve's arguments: what the mock is started with. */
export function optionsOf(args: ServeArgs): ResolvedScalarOptions {
  return Object.fromEntries(
    Object.keys(scalarOptions.shape).map((key) => [key, args[key as keyof ResolvedScalarOptions]]),
  ) as ResolvedScalarOptions;
}

/** Parses argv into a command; every mistake is a `MockError` with code `ERR_USAGE`. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    const e = err as Error & { code?: string };
    const unknown = /^Unknown option '([^']+)'/.exec(e.message);
    if (unknown) throw usageError(`Unknown flag ${unknown[1]}`);
    const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(e.message);
    if (missing) throw usageError(`Missing value for ${missing[1]}`);
    const valued = /^Option '(--[\w-]+)' does not take an argument/.exec(e.message);
    if (valued) throw usageError(`Flag ${valued[1]} takes no value`);
    throw usageError(e.message);
  }
  const { values, positionals } = parsed as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (positionals.length === 0) throw usageError(`Missing command. Expected ${commands}`);
  /** The first flag given that the command does not take. */
  const foreign = (command: "serve" | "hash") => Object.keys(values).find((name) => !appliesTo(rowOf(name) as FlagRow, command));
  if (positionals[0] === "hash") {
    const flag = foreign("hash");
    if (flag !== undefined) throw usageError(`Flag --${flag} does not apply to hash`);
    if (positionals.length === 1) throw usageError("Missing file. Expected hash <file.wav>...");
    return { command: "hash", files: positionals.slice(1), json: values.json === true };
  }
  if (positionals[0] !== "serve") throw usageError(`Unknown command ${JSON.stringify(positionals[0])}. Expected ${commands}`);
  if (positionals.length > 1) throw usageError(`Unexpected argument ${JSON.stringify(positionals[1])}`);
  const flag = foreign("serve");
  if (flag !== undefined) throw usageError(`Flag --${flag} does not apply to serve`);

  if (values["admin-token"] !== undefined && values["admin-token-file"] !== undefined) {
    throw usageError("Flags --admin-token and --admin-token-file both give the admin token. Expected one of them");
  }
  const own: Record<string, unknown> = {};
  for (const row of serveOnlyFlags) own[row.arg] = textValue(row, values[row.flag]) ?? row.default;
  const input: Record<string, unknown> = {};
  for (const row of optionFlags) input[row.option] = textValue(row, values[row.flag]) ?? row.default;
  // Each TLS flag turns TLS on; without it the CLI's TLS port is no port at all.
  if (tlsFlags.some((name) => values[name] !== undefined)) input.tls = true;
  if (input.tls !== true) input.tlsPort = undefined;
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw usageError("Flags --tls-cert and --tls-key go together (a certificate and its key). Expected both");
  }
  const scalars = scalarOptions.safeParse(input);
  if (!scalars.success) {
    const [issue] = scalars.error.issues;
    const row = optionFlags.find((r) => r.option === issue?.path[0]) as OptionFlag;
    const given = values[row.flag];
    // A list's issue names the item at fault: its path is [option, index].
    const value = Array.isArray(given) ? (input[row.option] as string[])[Number(issue?.path[1])] : given;
    // A secret is never echoed, not even a wrong one.
    throw invalid(row, row.secret ? "(not shown)" : JSON.stringify(value), String(issue?.message));
  }
  return { command: "serve", ...scalars.data, ...own } as ServeArgs;
}

const tlsFlags = ["tls-port", "tls-dir", "tls-cert", "tls-key"] as const;

/** What may follow `speechmock`; `conform` is dispatched before these flags are parsed (main.ts). */
const commands = '"serve", "hash" or "conform"';

/** The short aliases of flags that take a value, and their flags: `-p` is `--port`. */
const valuedShorts = new Map(
  optionFlags.filter((row) => row.short !== undefined && row.parser !== "boolean").map((row) => [`-${row.short}`, `--${row.flag}`]),
);

/** `--port -1` is a bad number, not a forgotten value: join it so validation names it (`--port=-1`). */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const long = valuedShorts.get(arg) ?? (/^--[\w-]+$/.test(arg) ? arg : undefined);
    if (long !== undefined && next !== undefined && /^-\d/.test(next)) {
      out.push(`${long}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: joinNegativeNumbers(argv), allowPositionals: true, strict: true, options: parseArgsOptions() });
}
