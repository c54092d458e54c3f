import { parseArgs } from "node:util";
import { MockError } from "../errors.ts";
import { defaults, scalarOptions } from "../options.ts";

export const logFormats = ["json", "pretty", "none"] as const;
export type LogFormat = (typeof logFormats)[number];

export interface ServeArgs {
  command: "serve";
  port: number;
  hostname: string;
  region: string;
  tokenLifetimeSeconds: number;
  authFailureStyle: "legacy" | "modern";
  stsKeyInQuery: boolean;
  quotaExceeded: "close" | "refuse";
  idleTimeoutSeconds: number;
  responseLatencyMs: number;
  connectionLifetimeSeconds: number;
  maxConnections: number;
  maxHandshakes: number;
  headerTimeoutSeconds: number;
  bodyTimeoutSeconds: number;
  journalSize: number;
  journalBytes: number;
  adminToken?: string;
  /** A file holding the admin token (main reads it): unlike --admin-token, not in the process list. */
  adminTokenFile?: string;
  adminHosts: string[];
  fixtures?: string;
  transcripts?: string;
  logFormat: LogFormat;
}

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
  -p, --port <n>                 TCP port, 0 for a free one (default ${defaults.cliPort})
      --host <address>           address to bind (default ${defaults.hostname})
      --fixtures <file>          subscriptions fixtures file (default: the built-in development resources)
      --transcripts <file>       transcripts fixtures file: what the mock hears in which audio
                                 (default: the transcripts of the clips in fixtures/audio)
      --region <name>            region of requests whose Host names none (default ${defaults.region})
      --token-lifetime <s>       lifetime of issued tokens in seconds (default ${defaults.tokenLifetimeSeconds})
      --auth-failure-style <s>   legacy: 403 for every refused handshake; modern: 401 without
                                 credentials, 403 with invalid ones (default ${defaults.authFailureStyle})
      --sts-key-in-query         also accept ?subscription-key= on the token service
      --quota-exceeded <s>       a key out of quota: close (accept, then close 1007 "Quota exceeded.")
                                 or refuse (403 at the handshake) (default ${defaults.quotaExceeded})
      --idle-timeout <s>         close a speech connection silent this many seconds (default ${defaults.idleTimeoutSeconds})
      --response-latency <ms>    after a turn is decided: speech.endDetected at once, the phrase and
                                 turn.end this much later, on the mock's clock (default ${defaults.responseLatencyMs})
      --max-connection-lifetime <s>
                                 close any speech connection after this many seconds (default ${defaults.connectionLifetimeSeconds})
      --max-connections <n>      requests in progress (handshakes included) plus open WebSockets; past
                                 it a request gets 503, Retry-After: 1 (default ${defaults.maxConnections})
      --max-handshakes <n>       WebSocket handshakes in progress (credentials being checked); past it
                                 a handshake gets 503, Retry-After: 1 (default ${defaults.maxHandshakes})
      --header-timeout <s>       drop a client that has not sent a request's head within this many
                                 seconds, with 408 (default ${defaults.headerTimeoutSeconds})
      --body-timeout <s>         seconds a request's body may take after its head, then 408 and
                                 close (default ${defaults.bodyTimeoutSeconds})
      --journal-size <n>         journal entries kept before the oldest are dropped (default ${defaults.journalSize})
      --journal-bytes <n>        the journal's budget in bytes (estimated JSON size) before the oldest
                                 entries are dropped (default ${defaults.journalBytes}, 64 MiB)
      --admin-token-file <path>  require "Authorization: Bearer <secret>" on the control plane, the
                                 secret read from this file (or set SPEECHMOCK_ADMIN_TOKEN); needed
                                 to listen beyond loopback; with a token any Host is answered
      --admin-token <secret>     the same, but the secret shows in the process list: prefer the above
      --admin-host <name>        a Host name (no port) the control plane answers besides localhost,
                                 *.localhost, 127.0.0.0/8 and [::1] when no token is set (repeatable,
                                 or comma-separated)
      --log-format <f>           json, pretty or none, on stderr (default json)

Exit status: 0 after a clean shutdown, 1 if the server cannot start, 2 for bad flags or fixtures.`;

const flagOf: Record<string, string> = {
  port: "--port",
  hostname: "--host",
  region: "--region",
  tokenLifetimeSeconds: "--token-lifetime",
  authFailureStyle: "--auth-failure-style",
  stsKeyInQuery: "--sts-key-in-query",
  quotaExceeded: "--quota-exceeded",
  idleTimeoutSeconds: "--idle-timeout",
  responseLatencyMs: "--response-latency",
  connectionLifetimeSeconds: "--max-connection-lifetime",
  maxConnections: "--max-connections",
  maxHandshakes: "--max-handshakes",
  headerTimeoutSeconds: "--header-timeout",
  bodyTimeoutSeconds: "--body-timeout",
  journalSize: "--journal-size",
  journalBytes: "--journal-bytes",
  adminToken: "--admin-token",
  adminHosts: "--admin-host",
};

const usageError = (message: string) => new MockError("ERR_USAGE", `${message}\nRun "speechmock --help" for the flags.`);

/** Whole numbers only: `--port 80.5` or `--port 1e3` is a typo, not a port. */
function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`Invalid value for ${flag}: ${JSON.stringify(value)}. Expected a whole number`);
  return Number(value);
}

/** Seconds, fractions allowed (`--idle-timeout 0.5`); range checks are the options schema's. */
function decimal(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw usageError(`Invalid value for ${flag}: ${JSON.stringify(value)}. Expected a number of seconds`);
  return Number(value);
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
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (positionals.length === 0) throw usageError('Missing command. Expected "serve" or "hash"');
  if (positionals[0] === "hash") {
    const flag = Object.keys(values).find((name) => name !== "json");
    if (flag !== undefined) throw usageError(`Flag --${flag} does not apply to hash`);
    if (positionals.length === 1) throw usageError("Missing file. Expected hash <file.wav>...");
    return { command: "hash", files: positionals.slice(1), json: values.json === true };
  }
  if (positionals[0] !== "serve") throw usageError(`Unknown command ${JSON.stringify(positionals[0])}. Expected "serve" or "hash"`);
  if (positionals.length > 1) throw usageError(`Unexpected argument ${JSON.stringify(positionals[1])}`);
  if (values.json !== undefined) throw usageError("Flag --json does not apply to serve");

  const logFormat = values["log-format"] ?? "json";
  if (!(logFormats as readonly string[]).includes(logFormat)) {
    throw usageError(`Invalid value for --log-format: ${JSON.stringify(logFormat)}. Expected one of ${logFormats.join(", ")}`);
  }
  if (values["admin-token"] !== undefined && values["admin-token-file"] !== undefined) {
    throw usageError("Flags --admin-token and --admin-token-file both give the admin token. Expected one of them");
  }
  for (const flag of ["fixtures", "transcripts", "admin-token-file"] as const) {
    if (values[flag] === "") throw usageError(`Invalid value for --${flag}: "". Expected a file path`);
  }

  // --admin-host a --admin-host b,c: three names.
  const adminHosts = values["admin-host"]?.flatMap((v) => v.split(",").map((name) => name.trim()));
  const scalars = scalarOptions.safeParse({
    port: integer("--port", values.port) ?? defaults.cliPort,
    hostname: values.host,
    region: values.region,
    tokenLifetimeSeconds: integer("--token-lifetime", values["token-lifetime"]),
    authFailureStyle: values["auth-failure-style"],
    stsKeyInQuery: values["sts-key-in-query"],
    quotaExceeded: values["quota-exceeded"],
    idleTimeoutSeconds: decimal("--idle-timeout", values["idle-timeout"]),
    responseLatencyMs: integer("--response-latency", values["response-latency"]),
    connectionLifetimeSeconds: decimal("--max-connection-lifetime", values["max-connection-lifetime"]),
    maxConnections: integer("--max-connections", values["max-connections"]),
    maxHandshakes: integer("--max-handshakes", values["max-handshakes"]),
    headerTimeoutSeconds: decimal("--header-timeout", values["header-timeout"]),
    bodyTimeoutSeconds: decimal("--body-timeout", values["body-timeout"]),
    journalSize: integer("--journal-size", values["journal-size"]),
    journalBytes: integer("--journal-bytes", values["journal-bytes"]),
    adminToken: values["admin-token"],
    adminHosts,
  });
  if (!scalars.success) {
    const [issue] = scalars.error.issues;
    const field = String(issue?.path[0]);
    const given = {
      port: values.port,
      hostname: values.host,
      region: values.region,
      tokenLifetimeSeconds: values["token-lifetime"],
      authFailureStyle: values["auth-failure-style"],
      quotaExceeded: values["quota-exceeded"],
      idleTimeoutSeconds: values["idle-timeout"],
      responseLatencyMs: values["response-latency"],
      connectionLifetimeSeconds: values["max-connection-lifetime"],
      maxConnections: values["max-connections"],
      maxHandshakes: values["max-handshakes"],
      headerTimeoutSeconds: values["header-timeout"],
      bodyTimeoutSeconds: values["body-timeout"],
      journalSize: values["journal-size"],
      journalBytes: values["journal-bytes"],
      adminHosts: adminHosts?.[Number(issue?.path[1])],
    }[field];
    // A secret is never echoed, not even a wrong one.
    const shown = field === "adminToken" ? "(not shown)" : JSON.stringify(given);
    throw usageError(`Invalid value for ${flagOf[field] ?? field}: ${shown}. ${issue?.message}`);
  }
  return {
    command: "serve",
    ...scalars.data,
    adminTokenFile: values["admin-token-file"],
    fixtures: values.fixtures,
    transcripts: values.transcripts,
    logFormat: logFormat as LogFormat,
  };
}

/** `--port -1` is a bad number, not a forgotten value: join it so validation names it (`--port=-1`). */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if ((arg === "-p" || /^--[\w-]+$/.test(arg)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg === "-p" ? "--port" : arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: "string", short: "p" },
      host: { type: "string" },
      fixtures: { type: "string" },
      region: { type: "string" },
      "token-lifetime": { type: "string" },
      "auth-failure-style": { type: "string" },
      "sts-key-in-query": { type: "boolean" },
      transcripts: { type: "string" },
      "quota-exceeded": { type: "string" },
      "idle-timeout": { type: "string" },
      "max-connection-lifetime": { type: "string" },
      "max-connections": { type: "string" },
      "response-latency": { type: "string" },
      "max-handshakes": { type: "string" },
      "header-timeout": { type: "string" },
      "body-timeout": { type: "string" },
      "journal-size": { type: "string" },
      "journal-bytes": { type: "string" },
      "admin-token": { type: "string" },
      "admin-token-file": { type: "string" },
      "admin-host": { type: "string", multiple: true },
      "log-format": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}
