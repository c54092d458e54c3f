import { parseArgs } from "node:util";
import { MockError } from "../errors.ts";
import { type ResolvedScalarOptions, scalarOptions } from "../options.ts";
import {
  appliesTo,
  type CommandName,
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

/** `exec [serve flags] -- <command> [args...]`: serve's arguments (TLS on) and the command to run. */
export type ExecArgs = Omit<ServeArgs, "command"> & {
  command: "exec";
  /** The argv after `--`: never empty. */
  run: string[];
};

export interface HostsArgs {
  command: "hosts";
  /** The default region: its hostnames are printed with those of the fixtures' resources. */
  region: string;
  fixtures: string | undefined;
}

export interface CaPathArgs {
  command: "ca-path";
  tlsDir: string | undefined;
}

export interface BrowserFlagsArgs {
  command: "browser-flags";
  tlsDir: string | undefined;
  /** A JSON array of the arguments instead of one shell-quoted line. */
  json: boolean;
}

export type CliArgs =
  | ServeArgs
  | ExecArgs
  | HashArgs
  | HostsArgs
  | CaPathArgs
  | BrowserFlagsArgs
  | { command: "help" }
  | { command: "version" };

export const usage = `speechmock: a local mock of the Microsoft Speech token service and speech WebSocket

Usage:
  speechmock serve [flags]      start the mock; prints one JSON ready line on stdout
  speechmock exec [flags] -- <command> [args...]
                                start the mock with TLS (on free ports unless --port or --tls-port),
                                run the command with the variables below set, then stop the mock
                                and exit with the command's status
  speechmock hosts [--region <name>] [--fixtures <file>]
                                print /etc/hosts lines sending Azure's Speech hostnames of the
                                default region and the fixtures' regions to 127.0.0.1
                                (speechmock hosts | sudo tee -a /etc/hosts; serve with --tls-port 443)
  speechmock ca-path [--tls-dir <dir>]
                                print the local CA's PEM file (NODE_EXTRA_CA_CERTS, curl --cacert),
                                making the CA on first use
  speechmock browser-flags [--tls-dir <dir>] [--json]
                                print the Chromium flags that send Azure's Speech hostnames to the
                                running mock (serve --tls) and trust its certificate: one
                                shell-quoted line (--json: a JSON array, for Playwright's launch args)
  speechmock hash [--json] <file.wav>...
                                print each clip's PCM SHA-256 and each utterance's fingerprint: their
                                keys in a transcripts file (--json: one JSON object per clip)
  speechmock conform [flags]    run the conformance suite against a client ("conform --help")
  speechmock --help | --version

Flags of serve and exec:
${serveFlagsUsage()}

exec runs the command with: SPEECHMOCK_URL (the https:// URL), SPEECHMOCK_STS (the token service),
SPEECHMOCK_WS (the wss:// base), SPEECHMOCK_ADMIN (the control plane), SPEECHMOCK_KEY and
SPEECHMOCK_REGION (the first key of the first enabled resource, one of the default region's if there
is one, and its region), SPEECHMOCK_TLS_DIR,
NODE_EXTRA_CA_CERTS (the CA), NODE_OPTIONS (plus --import of speechmock/register), and
REQUESTS_CA_BUNDLE, SSL_CERT_FILE, CURL_CA_BUNDLE (<tls-dir>/ca-bundle.pem: the system's roots and the
CA). The command runs without a shell, except a single argument with a space in it, which runs
with sh -c (exec -- 'npm test && npm run e2e'). SIGTERM is passed on to it. exec's mock logs
nothing unless --log-format is given.
ca-path and browser-flags look in --tls-dir, else $SPEECHMOCK_TLS_DIR, else the default.

Exit status: 0 after a clean shutdown, 1 if the server cannot start, 2 for bad flags or fixtures;
browser-flags: 1 when no mock with TLS is running; exec: the command's status (128+n when signal n
ended it), 126 if the command cannot be run, 127 if it is not found.`;

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
export function optionsOf(args: ResolvedScalarOptions): ResolvedScalarOptions {
  return Object.fromEntries(
    Object.keys(scalarOptions.shape).map((key) => [key, args[key as keyof ResolvedScalarOptions]]),
  ) as ResolvedScalarOptions;
}

/** Parses argv into a command; every mistake is a `MockError` with code `ERR_USAGE`. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  // exec's command is everything after the first `--`, its flags included: parse only what comes before.
  const dashes = argv.indexOf("--");
  const beforeDashes = dashes === -1 ? argv : argv.slice(0, dashes);
  const parsedHead = tryParse(beforeDashes);
  if (parsedHead.positionals[0] === "exec" || dashes === -1)
    return parseCommand(parsedHead, dashes === -1 ? undefined : argv.slice(dashes + 1));
  return parseCommand(tryParse(argv), undefined);
}

type Parsed = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

function tryParse(argv: readonly string[]): Parsed {
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
  return parsed as Parsed;
}

/** The commands parsed here, as the usage text names them. */
const tableCommands: readonly CommandName[] = ["serve", "exec", "hash", "hosts", "ca-path", "browser-flags"];

/** `after`: the arguments after `--`, for exec (undefined when there is no `--`). */
function parseCommand({ values, positionals }: Parsed, after: string[] | undefined): CliArgs {
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (positionals.length === 0) throw usageError(`Missing command. Expected ${commands}`);
  const command = positionals[0] as CommandName;
  if (!tableCommands.includes(command)) throw usageError(`Unknown command ${JSON.stringify(positionals[0])}. Expected ${commands}`);
  const foreignFlag = Object.keys(values).find((name) => !appliesTo(rowOf(name) as FlagRow, command));
  if (foreignFlag !== undefined) throw usageError(`Flag --${foreignFlag} does not apply to ${command}`);
  if (command === "hash") {
    if (positionals.length === 1) throw usageError("Missing file. Expected hash <file.wav>...");
    return { command: "hash", files: positionals.slice(1), json: values.json === true };
  }
  if (command === "exec") {
    if (positionals.length > 1) {
      throw usageError(
        `Unexpected argument ${JSON.stringify(positionals[1])}. Expected exec [flags] -- <command> [args...]: the command after --`,
      );
    }
    if (after === undefined || after.length === 0 || after[0] === "") {
      throw usageError("Missing command after --. Expected exec [flags] -- <command> [args...]");
    }
    const { command: _, ...serve } = serveArgs(values, execDefaults);
    return { command: "exec", ...serve, run: after };
  }
  if (positionals.length > 1) throw usageError(`Unexpected argument ${JSON.stringify(positionals[1])}`);
  if (command === "hosts") {
    const region = textValue(rowOf("region") as FlagRow, values.region) as string | undefined;
    const checked = scalarOptions.shape.region.safeParse(region);
    if (!checked.success) throw invalid(rowOf("region") as FlagRow, JSON.stringify(region), String(checked.error.issues[0]?.message));
    const fixtures = textValue(rowOf("fixtures") as FlagRow, values.fixtures) as string | undefined;
    return { command: "hosts", region: checked.data, fixtures };
  }
  if (command === "ca-path" || command === "browser-flags") {
    const tlsDir = values["tls-dir"] as string | undefined;
    const checked = scalarOptions.shape.tlsDir.safeParse(tlsDir);
    if (!checked.success) throw invalid(rowOf("tls-dir") as FlagRow, JSON.stringify(tlsDir), String(checked.error.issues[0]?.message));
    return command === "ca-path" ? { command, tlsDir } : { command, tlsDir, json: values.json === true };
  }
  return serveArgs(values, {});
}

/** exec's defaults where serve's differ: free ports (a command's tests want no clash), TLS on, no logs (the command's output is what matters). */
const execDefaults: Readonly<Record<string, unknown>> = { port: 0, "tls-port": 0, tls: true, "log-format": "none" };

/** serve's (and exec's) arguments from the flags; `overrides`: defaults by flag name, in place of the rows'. */
function serveArgs(values: Parsed["values"], overrides: Readonly<Record<string, unknown>>): ServeArgs {
  if (values["admin-token"] !== undefined && values["admin-token-file"] !== undefined) {
    throw usageError("Flags --admin-token and --admin-token-file both give the admin token. Expected one of them");
  }
  const own: Record<string, unknown> = {};
  const fallback = (row: FlagRow & { default?: unknown }) => (row.flag in overrides ? overrides[row.flag] : row.default);
  for (const row of serveOnlyFlags) own[row.arg] = textValue(row, values[row.flag]) ?? fallback(row);
  const input: Record<string, unknown> = {};
  for (const row of optionFlags) input[row.option] = textValue(row, values[row.flag]) ?? fallback(row);
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
const commands = '"serve", "exec", "hash", "hosts", "ca-path", "browser-flags" or "conform"';

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
