/**
 * Every flag of the CLI, one row each: the parser (`node:util` parseArgs' options), serve's part of
 * the usage text, the "Invalid value for --flag" messages and the options handed to the mock are all
 * made from this table (see `args.ts`).
 *
 * A new option with a flag: its field (with its doc comment) in `scalarOptions` and its default in
 * `defaults` (options.ts), then one row here. Nothing else: `ServeArgs` and `MockOptions` are derived
 * types and `main.ts` passes every option on.
 */
import { defaults, type ResolvedScalarOptions } from "../options.ts";

export const logFormats = ["json", "pretty", "none"] as const;
export type LogFormat = (typeof logFormats)[number];

/**
 * How a flag's text becomes a value (the options schema then checks its range):
 * - `integer`: a whole number, digits only (`--port 80.5`, `1e3` or `-1` is a typo, not a port);
 * - `seconds`: a number of seconds, fractions allowed (`--idle-timeout 0.5`);
 * - `string`: as given;
 * - `path`: a file path, not empty;
 * - `boolean`: a switch, which takes no value;
 * - `list`: repeatable and comma-separated (`--admin-host a --admin-host b,c` is three), in order.
 */
export type ValueParser = "integer" | "seconds" | "string" | "path" | "boolean" | "list";

/** The commands whose flags the table holds (`conform` parses its own). */
export type CommandName = "serve" | "exec" | "hash" | "hosts" | "ca-path" | "browser-flags";

/** What every row has. */
interface FlagBase {
  /** The flag without its dashes: `port` is `--port`. */
  flag: string;
  /** A one-letter alias: `p` is `-p`. */
  short?: string;
}

/** Where a flag of serve appears in the usage text. */
interface Documented {
  /** The value's placeholder in the usage text (`<n>`); none for a `boolean`. */
  value?: string;
  /**
   * The usage text's lines for the flag, as wrapped there. `(default …)` is appended to the last
   * one when the flag has a default that is a number or a string.
   */
  help: readonly string[];
  /** Said after the default in the usage text: `(default 67108864, 64 MiB)`. */
  defaultNote?: string;
  /** Commands besides serve and exec that take the flag too (`hosts --region`). */
  also?: readonly CommandName[];
}

/** A flag of serve that sets an option of `scalarOptions` (a `MockOptions` field), which checks it. */
export interface OptionFlag extends FlagBase, Documented {
  option: keyof ResolvedScalarOptions;
  parser: Exclude<ValueParser, "path">;
  /** The CLI's own default, when not the option's (`defaults`): people want a port to remember. */
  default?: number | string;
  /** A secret: never echoed in a message, not even a wrong one. */
  secret?: true;
}

/** A flag of serve for the CLI itself, not a `MockOptions` field: a file main reads, the log format. */
export interface ServeFlag extends FlagBase, Documented {
  /** Its field in `ServeArgs`. */
  arg: string;
  parser: "path" | "string" | "boolean";
  /** The values accepted, named in this order by the error message. */
  choices?: readonly string[];
  default?: string;
}

/** A flag of other commands (`hash`, `browser-flags`), or of every one (`any`); not in serve's part of the usage text. */
export interface CommandFlag extends FlagBase {
  arg: string;
  parser: "boolean";
  command: readonly Exclude<CommandName, "serve" | "exec">[] | "any";
}

export type FlagRow = OptionFlag | ServeFlag | CommandFlag;

/** The flags, in the usage text's order. */
export const flags = [
  {
    option: "port",
    flag: "port",
    short: "p",
    parser: "integer",
    value: "<n>",
    default: defaults.cliPort,
    help: ["TCP port, 0 for a free one"],
  },
  { option: "hostname", flag: "host", parser: "string", value: "<address>", help: ["address to bind"] },
  {
    arg: "fixtures",
    flag: "fixtures",
    parser: "path",
    value: "<file>",
    help: ["subscriptions fixtures file (default: the built-in development resources)"],
    also: ["hosts"],
  },
  {
    arg: "transcripts",
    flag: "transcripts",
    parser: "path",
    value: "<file>",
    help: ["transcripts fixtures file: what the mock hears in which audio", "(default: the transcripts of the clips in fixtures/audio)"],
  },
  {
    arg: "voices",
    flag: "voices",
    parser: "path",
    value: "<file>",
    help: ["voices fixtures file: what voices/list answers and SSML may name", "(default: the built-in voices, fixtures/voices.json)"],
  },
  {
    option: "region",
    flag: "region",
    parser: "string",
    value: "<name>",
    help: ["region of requests whose Host names none"],
    also: ["hosts"],
  },
  {
    option: "tokenLifetimeSeconds",
    flag: "token-lifetime",
    parser: "integer",
    value: "<s>",
    help: ["lifetime of issued tokens in seconds"],
  },
  {
    option: "authFailureStyle",
    flag: "auth-failure-style",
    parser: "string",
    value: "<s>",
    help: ["legacy: 403 for every refused handshake; modern: 401 without", "credentials, 403 with invalid ones"],
  },
  { option: "stsKeyInQuery", flag: "sts-key-in-query", parser: "boolean", help: ["also accept ?subscription-key= on the token service"] },
  {
    option: "quotaExceeded",
    flag: "quota-exceeded",
    parser: "string",
    value: "<s>",
    help: ['a key out of quota: close (accept, then close 1007 "Quota exceeded.")', "or refuse (403 at the handshake)"],
  },
  {
    option: "idleTimeoutSeconds",
    flag: "idle-timeout",
    parser: "seconds",
    value: "<s>",
    help: ["close a speech connection silent this many seconds"],
  },
  {
    option: "responseLatencyMs",
    flag: "response-latency",
    parser: "integer",
    value: "<ms>",
    help: ["after a turn is decided: speech.endDetected at once, the phrase and", "turn.end this much later, on the mock's clock"],
  },
  {
    option: "connectionLifetimeSeconds",
    flag: "max-connection-lifetime",
    parser: "seconds",
    value: "<s>",
    help: ["close any speech connection after this many seconds"],
  },
  {
    option: "maxConnections",
    flag: "max-connections",
    parser: "integer",
    value: "<n>",
    help: ["requests in progress (handshakes included) plus open WebSockets; past", "it a request gets 503, Retry-After: 1"],
  },
  {
    option: "maxHandshakes",
    flag: "max-handshakes",
    parser: "integer",
    value: "<n>",
    help: ["WebSocket handshakes in progress (credentials being checked); past it", "a handshake gets 503, Retry-After: 1"],
  },
  {
    option: "headerTimeoutSeconds",
    flag: "header-timeout",
    parser: "seconds",
    value: "<s>",
    help: ["drop a client that has not sent a request's head within this many", "seconds, with 408"],
  },
  {
    option: "bodyTimeoutSeconds",
    flag: "body-timeout",
    parser: "seconds",
    value: "<s>",
    help: ["seconds a request's body may take after its head, then 408 and", "close"],
  },
  {
    option: "journalSize",
    flag: "journal-size",
    parser: "integer",
    value: "<n>",
    help: ["journal entries kept before the oldest are dropped"],
  },
  {
    option: "journalBytes",
    flag: "journal-bytes",
    parser: "integer",
    value: "<n>",
    help: ["the journal's budget in bytes (estimated JSON size) before the oldest", "entries are dropped"],
    defaultNote: "64 MiB",
  },
  {
    arg: "adminTokenFile",
    flag: "admin-token-file",
    parser: "path",
    value: "<path>",
    help: [
      'require "Authorization: Bearer <secret>" on the control plane, the',
      "secret read from this file (or set SPEECHMOCK_ADMIN_TOKEN); needed",
      "to listen beyond loopback; with a token any Host is answered",
    ],
  },
  {
    option: "adminToken",
    flag: "admin-token",
    parser: "string",
    value: "<secret>",
    secret: true,
    help: ["the same, but the secret shows in the process list: prefer the above"],
  },
  {
    option: "adminHosts",
    flag: "admin-host",
    parser: "list",
    value: "<name>",
    help: [
      "a Host name (no port) the control plane answers besides localhost,",
      "*.localhost, 127.0.0.0/8 and [::1] when no token is set (repeatable,",
      "or comma-separated)",
    ],
  },
  {
    option: "tls",
    flag: "tls",
    parser: "boolean",
    help: [
      "also serve HTTPS and WSS on --tls-port, with a certificate for localhost and",
      "Azure's hostnames from a local CA made on first use (or --tls-cert)",
    ],
  },
  {
    option: "tlsPort",
    flag: "tls-port",
    parser: "integer",
    value: "<n>",
    default: defaults.cliTlsPort,
    help: ["the TLS port, 0 for a free one, 443 for Azure's URLs as written"],
  },
  {
    option: "tlsDir",
    flag: "tls-dir",
    parser: "string",
    value: "<dir>",
    help: ["where the local CA and the ready line are kept", "(default ~/.local/state/speechmock/tls; see the README)"],
    also: ["ca-path", "browser-flags"],
  },
  { option: "tlsCert", flag: "tls-cert", parser: "string", value: "<file>", help: ["serve this PEM certificate (chain) instead"] },
  { option: "tlsKey", flag: "tls-key", parser: "string", value: "<file>", help: ["the PEM private key of --tls-cert"] },
  {
    arg: "logFormat",
    flag: "log-format",
    parser: "string",
    value: "<f>",
    choices: logFormats,
    default: "json",
    help: ["json, pretty or none, on stderr"],
  },
  { arg: "json", flag: "json", parser: "boolean", command: ["hash", "browser-flags"] },
  { arg: "help", flag: "help", short: "h", parser: "boolean", command: "any" },
  { arg: "version", flag: "version", short: "v", parser: "boolean", command: "any" },
] as const satisfies readonly FlagRow[];

type Row = (typeof flags)[number];

/** The rows of serve's own flags that are not options. */
type ServeOnlyRow = Exclude<Extract<Row, { arg: string }>, { command: string }>;

/** What a row of serve's own flags gives: one of its choices, a string, a switch; undefined if absent and without a default. */
type ArgValue<R extends ServeOnlyRow> =
  | (R extends { choices: readonly (infer C)[] } ? C : R extends { parser: "boolean" } ? boolean : string)
  | (R extends { default: string } ? never : undefined);

/** The values of serve's flags that are not options, by their `arg` names. */
export type ServeOnlyArgs = { [R in ServeOnlyRow as R["arg"]]: ArgValue<R> };

/** `serve`'s arguments: every option (checked, defaults filled in) and the CLI's own values. */
export type ServeArgs = { command: "serve" } & ResolvedScalarOptions & ServeOnlyArgs;

const isOption = (row: FlagRow): row is OptionFlag => "option" in row;
const isServeOnly = (row: FlagRow): row is ServeFlag => "arg" in row && !("command" in row);

export const optionFlags: readonly OptionFlag[] = (flags as readonly FlagRow[]).filter(isOption);
export const serveOnlyFlags: readonly ServeFlag[] = (flags as readonly FlagRow[]).filter(isServeOnly);

/** The row of a flag given by its name without dashes, as parseArgs names it. */
export const rowOf = (name: string): FlagRow | undefined => (flags as readonly FlagRow[]).find((row) => row.flag === name);

/** Whether a flag applies to a command: serve's flags are exec's too, and some are another command's (`also`). */
export const appliesTo = (row: FlagRow, command: CommandName): boolean => {
  if ("command" in row) return row.command === "any" || (row.command as readonly CommandName[]).includes(command);
  return command === "serve" || command === "exec" || (row.also ?? []).includes(command);
};

/** `node:util` parseArgs' `options`, for every row. */
export function parseArgsOptions(): Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> {
  return Object.fromEntries(
    (flags as readonly FlagRow[]).map((row) => [
      row.flag,
      {
        type: row.parser === "boolean" ? "boolean" : "string",
        ...("short" in row && row.short !== undefined ? { short: row.short } : {}),
        ...(row.parser === "list" ? { multiple: true } : {}),
      },
    ]),
  );
}

/** The default the usage text shows for a flag of serve, if any: a number or a string. */
function shownDefault(row: OptionFlag | ServeFlag): string | undefined {
  const value = row.default ?? (isOption(row) ? (defaults as Partial<Record<string, unknown>>)[row.option] : undefined);
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  return row.defaultNote === undefined ? String(value) : `${value}, ${row.defaultNote}`;
}

/** Where a flag's help starts in the usage text. */
const helpColumn = 33;

/** The usage text's lines for serve's flags: `-p, --port <n>`, its help beside it (or below, if it is too long), its default. */
export function serveFlagsUsage(): string {
  const lines: string[] = [];
  for (const row of flags as readonly FlagRow[]) {
    if (!isOption(row) && !isServeOnly(row)) continue;
    const left = `  ${row.short === undefined ? "    " : `-${row.short}, `}--${row.flag}${row.value === undefined ? "" : ` ${row.value}`}`;
    const shown = shownDefault(row);
    const help = shown === undefined ? row.help : [...row.help.slice(0, -1), `${row.help.at(-1)} (default ${shown})`];
    const [first = "", ...rest] = help;
    if (left.length + 2 <= helpColumn) lines.push(left.padEnd(helpColumn) + first);
    else lines.push(left, " ".repeat(helpColumn) + first);
    for (const line of rest) lines.push(" ".repeat(helpColumn) + line);
  }
  return lines.join("\n");
}
