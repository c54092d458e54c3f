import t from "tap";
import { MockError } from "../errors.ts";
import { defaults, resolveOptions, scalarOptions } from "../options.ts";
import { optionsOf, parseCliArgs, type ServeArgs, usage } from "./args.ts";
import { flags, optionFlags, serveFlagsUsage } from "./flags.ts";

t.test("serve without flags gets every default", async (t) => {
  t.same(parseCliArgs(["serve"]), {
    command: "serve",
    port: defaults.cliPort,
    hostname: "127.0.0.1",
    region: "westus",
    tokenLifetimeSeconds: 600,
    authFailureStyle: "legacy",
    stsKeyInQuery: false,
    quotaExceeded: "close",
    idleTimeoutSeconds: 180,
    connectionLifetimeSeconds: 600,
    maxConnections: 10_000,
    maxHandshakes: 1_000,
    responseLatencyMs: 50,
    headerTimeoutSeconds: 10,
    bodyTimeoutSeconds: 90,
    journalSize: 10_000,
    journalBytes: 64 * 1024 * 1024,
    adminHosts: [],
    tls: false,
    tlsPort: 0,
    adminTokenFile: undefined,
    fixtures: undefined,
    transcripts: undefined,
    logFormat: "json",
  });
});

t.test("every flag of serve sets its option", async (t) => {
  const args = parseCliArgs([
    "serve",
    "--port",
    "9001",
    "--host",
    "0.0.0.0",
    "--fixtures",
    "fixtures/examples/two-regions.json",
    "--region",
    "eastus",
    "--token-lifetime",
    "60",
    "--auth-failure-style",
    "modern",
    "--sts-key-in-query",
    "--transcripts",
    "fixtures/transcripts.json",
    "--quota-exceeded",
    "refuse",
    "--idle-timeout",
    "30",
    "--max-connection-lifetime",
    "120",
    "--max-handshakes",
    "7",
    "--response-latency",
    "120",
    "--max-connections",
    "5",
    "--header-timeout",
    "1.5",
    "--body-timeout",
    "2",
    "--journal-size",
    "500",
    "--journal-bytes",
    "2097152",
    "--log-format",
    "pretty",
    "--admin-token-file",
    "secrets/admin-token",
    "--admin-host",
    "mock.test",
    "--tls-port",
    "9443",
    "--tls-dir",
    "/tmp/speechmock-tls",
  ]);
  t.same(args, {
    command: "serve",
    port: 9001,
    hostname: "0.0.0.0",
    region: "eastus",
    tokenLifetimeSeconds: 60,
    authFailureStyle: "modern",
    stsKeyInQuery: true,
    quotaExceeded: "refuse",
    idleTimeoutSeconds: 30,
    connectionLifetimeSeconds: 120,
    maxConnections: 5,
    maxHandshakes: 7,
    responseLatencyMs: 120,
    headerTimeoutSeconds: 1.5,
    bodyTimeoutSeconds: 2,
    journalSize: 500,
    journalBytes: 2_097_152,
    adminHosts: ["mock.test"],
    tls: true,
    tlsPort: 9443,
    tlsDir: "/tmp/speechmock-tls",
    adminTokenFile: "secrets/admin-token",
    fixtures: "fixtures/examples/two-regions.json",
    transcripts: "fixtures/transcripts.json",
    logFormat: "pretty",
  });
});

t.test("both ways of answering a key out of quota are accepted", async (t) => {
  t.match(parseCliArgs(["serve", "--quota-exceeded", "close"]), { quotaExceeded: "close" });
  t.match(parseCliArgs(["serve", "--quota-exceeded=refuse"]), { quotaExceeded: "refuse" });
});

t.test("--idle-timeout and --max-connection-lifetime take fractions of a second, up to a day", async (t) => {
  t.match(parseCliArgs(["serve", "--idle-timeout", "0.3", "--max-connection-lifetime", "0.5"]), {
    idleTimeoutSeconds: 0.3,
    connectionLifetimeSeconds: 0.5,
  });
  t.match(parseCliArgs(["serve", "--idle-timeout", "0.001", "--max-connection-lifetime", "86400"]), {
    idleTimeoutSeconds: 0.001,
    connectionLifetimeSeconds: 86_400,
  });
  t.match(parseCliArgs(["serve", "--idle-timeout=86400.0"]), { idleTimeoutSeconds: 86_400 });
});

t.test("--max-connections takes a whole number from 1 to 1000000", async (t) => {
  t.match(parseCliArgs(["serve", "--max-connections", "1"]), { maxConnections: 1 });
  t.match(parseCliArgs(["serve", "--max-connections=1000000"]), { maxConnections: 1_000_000 });
});

t.test("--header-timeout and --body-timeout take fractions of a second, up to a day", async (t) => {
  t.match(parseCliArgs(["serve", "--header-timeout", "0.5", "--body-timeout", "86400"]), {
    headerTimeoutSeconds: 0.5,
    bodyTimeoutSeconds: 86_400,
  });
});

t.test("--journal-size takes a whole number from 1 to 10000000", async (t) => {
  t.match(parseCliArgs(["serve", "--journal-size", "1"]), { journalSize: 1 });
  t.match(parseCliArgs(["serve", "--journal-size", "10000000"]), { journalSize: 10_000_000 });
});

t.test("--journal-bytes takes a whole number of bytes from 1 MiB to 4 GiB, 64 MiB by default", async (t) => {
  t.match(parseCliArgs(["serve", "--journal-bytes", "1048576"]), { journalBytes: 1_048_576 });
  t.match(parseCliArgs(["serve", "--journal-bytes=4294967296"]), { journalBytes: 4_294_967_296 });
  t.equal(defaults.journalBytes, 64 * 1024 * 1024);
  t.match(usage, "--journal-bytes <n>");
});

t.test("--admin-token takes 16 to 256 visible ASCII characters", async (t) => {
  t.match(parseCliArgs(["serve", "--admin-token", "0123456789abcdef"]), { adminToken: "0123456789abcdef" });
  t.equal((parseCliArgs(["serve"]) as { adminToken?: string }).adminToken, undefined, "none by default");
});

t.test("--admin-host is repeatable and comma-separated: every name, in order", async (t) => {
  t.match(parseCliArgs(["serve", "--admin-host", "mock.test", "--admin-host=a.test, b.test", "--admin-host", "[::2]"]), {
    adminHosts: ["mock.test", "a.test", "b.test", "[::2]"],
  });
});

t.test("--admin-token-file takes a path; reading the secret comes later, and never with --admin-token", async (t) => {
  t.match(parseCliArgs(["serve", "--admin-token-file", "no/such/file"]), { adminTokenFile: "no/such/file", adminToken: undefined });
});

t.test("--transcripts takes any path; reading and checking the file come later", async (t) => {
  t.match(parseCliArgs(["serve", "--transcripts", "no/such/file.json"]), { transcripts: "no/such/file.json" });
  t.match(parseCliArgs(["serve", "--transcripts=fixtures/transcripts.json"]), { transcripts: "fixtures/transcripts.json" });
});

t.test("flags may come before the command and as --flag=value", async (t) => {
  t.match(parseCliArgs(["--port=0", "--log-format=none", "serve", "--region=westeurope"]), {
    command: "serve",
    port: 0,
    logFormat: "none",
    region: "westeurope",
  });
});

t.test("-p is --port", async (t) => {
  t.match(parseCliArgs(["serve", "-p", "0"]), { command: "serve", port: 0 });
  t.match(parseCliArgs(["serve", "-p", "65535"]), { command: "serve", port: 65535 });
});

t.test("every log format is accepted", async (t) => {
  for (const format of ["json", "pretty", "none"]) {
    t.match(parseCliArgs(["serve", "--log-format", format]), { logFormat: format }, format);
  }
});

t.test("--help and --version win over everything else", async (t) => {
  t.same(parseCliArgs(["--help"]), { command: "help" });
  t.same(parseCliArgs(["-h"]), { command: "help" });
  t.same(parseCliArgs(["serve", "--port", "1", "--help"]), { command: "help" });
  t.same(parseCliArgs(["--version"]), { command: "version" });
  t.same(parseCliArgs(["-v"]), { command: "version" });
  t.same(parseCliArgs(["--version", "nonsense"]), { command: "version" });
});

t.test("the usage text lists every flag", async (t) => {
  for (const flag of [
    "-p, --port",
    "--host",
    "--fixtures",
    "--region",
    "--token-lifetime",
    "--auth-failure-style",
    "--sts-key-in-query",
    "--transcripts",
    "--quota-exceeded",
    "--idle-timeout",
    "--max-connection-lifetime",
    "--max-connections",
    "--header-timeout",
    "--body-timeout",
    "--journal-size",
    "--journal-bytes",
    "--admin-token",
    "--admin-token-file",
    "--admin-host",
    "--log-format",
    "--json",
    "--help",
    "--version",
  ]) {
    t.ok(usage.includes(flag), flag);
  }
});

/** argv, then what the message must say: the flag, the quoted value and what was expected. */
const refused: [argv: string[], message: RegExp][] = [
  [["serve", "--port", "abc"], /^Invalid value for --port: "abc"\. Expected a whole number/],
  [["serve", "--admin-token", "has a space in it!!"], /^Invalid value for --admin-token: \(not shown\)\. Expected 16 to 256 visible ASCII/],
  [["serve", "--port", "-1"], /^Invalid value for --port: "-1"\. Expected a whole number/],
  [["serve", "-p", "-1"], /^Invalid value for --port: "-1"\. Expected a whole number/],
  [["serve", "--port", "70000"], /^Invalid value for --port: "70000"\. .*expected number to be <=65535/],
  [["serve", "--port", "80.5"], /^Invalid value for --port: "80\.5"\. Expected a whole number/],
  [["serve", "--port", "1e3"], /^Invalid value for --port: "1e3"\. Expected a whole number/],
  [["serve", "--host", ""], /^Invalid value for --host: ""\. Expected a host name or IP address/],
  [["serve", "--region", "West US"], /^Invalid value for --region: "West US"\. Expected an Azure region name such as "westus"/],
  [["serve", "--token-lifetime", "0"], /^Invalid value for --token-lifetime: "0"\. .*expected number to be >=1/],
  [["serve", "--token-lifetime", "abc"], /^Invalid value for --token-lifetime: "abc"\. Expected a whole number/],
  [["serve", "--token-lifetime", "90000"], /^Invalid value for --token-lifetime: "90000"\. .*expected number to be <=86400/],
  [["serve", "--auth-failure-style", "foo"], /^Invalid value for --auth-failure-style: "foo"\. .*expected one of "legacy"\|"modern"/],
  [["serve", "--log-format", "xml"], /^Invalid value for --log-format: "xml"\. Expected one of json, pretty, none/],
  [["serve", "--fixtures", ""], /^Invalid value for --fixtures: ""\. Expected a file path/],
  [["serve", "--bogus"], /^Unknown flag --bogus/],
  [["serve", "-x"], /^Unknown flag -x/],
  [["serve", "--port"], /^Missing value for --port/],
  [["serve", "-p"], /^Missing value for --port/],
  [["serve", "--region"], /^Missing value for --region/],
  [[], /^Missing command\. Expected "serve"/],
  [["--port", "0"], /^Missing command\. Expected "serve"/],
  [["start"], /^Unknown command "start"\. Expected "serve"/],
  [["serve", "extra"], /^Unexpected argument "extra"/],
  [["hash"], /^Missing file\. Expected hash <file\.wav>\.\.\./],
  [["hash", "--json"], /^Missing file\. Expected hash <file\.wav>\.\.\./],
];

for (const [argv, message] of refused) {
  t.test(`${JSON.stringify(argv.join(" "))} is refused with a usage error that says what was wrong`, async (t) => {
    const err = t.throws(() => parseCliArgs(argv)) as MockError;
    t.type(err, MockError);
    t.equal(err.code, "ERR_USAGE");
    t.match(err.message, message);
    t.match(err.message, /\nRun "speechmock --help" for the flags\.$/, "points at --help");
  });
}

/** argv of the speech-connection flags, then the whole first line of the message. */
const refusedExactly: [argv: string[], message: string][] = [
  [["serve", "--quota-exceeded", "block"], 'Invalid value for --quota-exceeded: "block". Invalid option: expected one of "close"|"refuse"'],
  [["serve", "--quota-exceeded", "Close"], 'Invalid value for --quota-exceeded: "Close". Invalid option: expected one of "close"|"refuse"'],
  [["serve", "--quota-exceeded"], "Missing value for --quota-exceeded"],
  [["serve", "--idle-timeout", "0"], 'Invalid value for --idle-timeout: "0". Expected a number of seconds above 0'],
  [["serve", "--idle-timeout", "0.0"], 'Invalid value for --idle-timeout: "0.0". Expected a number of seconds above 0'],
  [["serve", "--idle-timeout", "86401"], 'Invalid value for --idle-timeout: "86401". Expected at most 86400 seconds (a day)'],
  [["serve", "--idle-timeout", "abc"], 'Invalid value for --idle-timeout: "abc". Expected a number of seconds'],
  [["serve", "--idle-timeout", "-1"], 'Invalid value for --idle-timeout: "-1". Expected a number of seconds'],
  [["serve", "--idle-timeout", ".5"], 'Invalid value for --idle-timeout: ".5". Expected a number of seconds'],
  [["serve", "--idle-timeout", "1e3"], 'Invalid value for --idle-timeout: "1e3". Expected a number of seconds'],
  [["serve", "--idle-timeout"], "Missing value for --idle-timeout"],
  [["serve", "--max-connection-lifetime", "0"], 'Invalid value for --max-connection-lifetime: "0". Expected a number of seconds above 0'],
  [
    ["serve", "--max-connection-lifetime", "100000"],
    'Invalid value for --max-connection-lifetime: "100000". Expected at most 86400 seconds (a day)',
  ],
  [["serve", "--max-connection-lifetime", "10m"], 'Invalid value for --max-connection-lifetime: "10m". Expected a number of seconds'],
  [["serve", "--max-connections", "0"], 'Invalid value for --max-connections: "0". Expected a number of connections from 1 to 1000000'],
  [["serve", "--response-latency", "-1"], 'Invalid value for --response-latency: "-1". Expected a whole number'],
  [
    ["serve", "--response-latency", "60001"],
    'Invalid value for --response-latency: "60001". Expected a number of milliseconds from 0 to 60000',
  ],
  [["serve", "--max-handshakes", "0"], 'Invalid value for --max-handshakes: "0". Expected a number of handshakes from 1 to 1000000'],
  [["serve", "--max-handshakes", "2.5"], 'Invalid value for --max-handshakes: "2.5". Expected a whole number'],
  [
    ["serve", "--max-connections", "1000001"],
    'Invalid value for --max-connections: "1000001". Expected a number of connections from 1 to 1000000',
  ],
  [["serve", "--max-connections", "5.5"], 'Invalid value for --max-connections: "5.5". Expected a whole number'],
  [["serve", "--max-connections", "-1"], 'Invalid value for --max-connections: "-1". Expected a whole number'],
  [["serve", "--max-connections"], "Missing value for --max-connections"],
  [["serve", "--header-timeout", "0"], 'Invalid value for --header-timeout: "0". Expected a number of seconds above 0'],
  [["serve", "--header-timeout", "10s"], 'Invalid value for --header-timeout: "10s". Expected a number of seconds'],
  [["serve", "--header-timeout"], "Missing value for --header-timeout"],
  [["serve", "--body-timeout", "86401"], 'Invalid value for --body-timeout: "86401". Expected at most 86400 seconds (a day)'],
  [["serve", "--body-timeout", "-2"], 'Invalid value for --body-timeout: "-2". Expected a number of seconds'],
  [["serve", "--body-timeout"], "Missing value for --body-timeout"],
  [["serve", "--journal-size", "0"], 'Invalid value for --journal-size: "0". Too small: expected number to be >=1'],
  [["serve", "--journal-size", "10000001"], 'Invalid value for --journal-size: "10000001". Too big: expected number to be <=10000000'],
  [["serve", "--journal-size", "1.5"], 'Invalid value for --journal-size: "1.5". Expected a whole number'],
  [["serve", "--journal-size", "-5"], 'Invalid value for --journal-size: "-5". Expected a whole number'],
  [["serve", "--journal-size", "abc"], 'Invalid value for --journal-size: "abc". Expected a whole number'],
  [
    ["serve", "--journal-bytes", "1048575"],
    'Invalid value for --journal-bytes: "1048575". Expected a number of bytes from 1048576 (1 MiB) to 4294967296 (4 GiB)',
  ],
  [
    ["serve", "--journal-bytes", "4294967297"],
    'Invalid value for --journal-bytes: "4294967297". Expected a number of bytes from 1048576 (1 MiB) to 4294967296 (4 GiB)',
  ],
  [["serve", "--journal-bytes", "64MiB"], 'Invalid value for --journal-bytes: "64MiB". Expected a whole number'],
  [["serve", "--journal-bytes", "-1"], 'Invalid value for --journal-bytes: "-1". Expected a whole number'],
  [["serve", "--journal-bytes"], "Missing value for --journal-bytes"],
  [["serve", "--transcripts", ""], 'Invalid value for --transcripts: "". Expected a file path'],
  [["serve", "--transcripts"], "Missing value for --transcripts"],
  [
    ["serve", "--admin-host", "mock.test:8410"],
    'Invalid value for --admin-host: "mock.test:8410". Expected a host name without a port, such as mock.test',
  ],
  [
    ["serve", "--admin-host", "a.test,,b.test"],
    'Invalid value for --admin-host: "". Expected a host name without a port, such as mock.test',
  ],
  [
    ["serve", "--admin-host", "a.test,http://b.test"],
    'Invalid value for --admin-host: "http://b.test". Expected a host name without a port, such as mock.test',
  ],
  [["serve", "--admin-host"], "Missing value for --admin-host"],
  [["serve", "--admin-token-file", ""], 'Invalid value for --admin-token-file: "". Expected a file path'],
  [["serve", "--admin-token-file"], "Missing value for --admin-token-file"],
  [
    ["serve", "--admin-token", "0123456789abcdef", "--admin-token-file", "token"],
    "Flags --admin-token and --admin-token-file both give the admin token. Expected one of them",
  ],
  [["hash", "--port", "1", "a.wav"], "Flag --port does not apply to hash"],
  [["hash", "--json", "--log-format", "json", "a.wav"], "Flag --log-format does not apply to hash"],
  [["hash", "--json=yes", "a.wav"], "Flag --json takes no value"],
  [["serve", "--json"], "Flag --json does not apply to serve"],
  [["serve", "--sts-key-in-query=yes"], "Flag --sts-key-in-query takes no value"],
];

for (const [argv, message] of refusedExactly) {
  t.test(`${JSON.stringify(argv.join(" "))} is refused with exactly its message`, async (t) => {
    const err = t.throws(() => parseCliArgs(argv)) as MockError;
    t.type(err, MockError);
    t.equal(err.code, "ERR_USAGE");
    t.equal(err.message, `${message}\nRun "speechmock --help" for the flags.`);
  });
}

t.test("hash takes files, and --json anywhere among them", async (t) => {
  t.same(parseCliArgs(["hash", "a.wav", "b.wav"]), { command: "hash", files: ["a.wav", "b.wav"], json: false });
  t.same(parseCliArgs(["hash", "--json", "a.wav"]), { command: "hash", files: ["a.wav"], json: true });
  t.same(parseCliArgs(["hash", "a.wav", "--json", "b.wav"]), { command: "hash", files: ["a.wav", "b.wav"], json: true });
});

t.test("without a command, the message names every command, conform included", async (t) => {
  const err = t.throws(() => parseCliArgs([])) as MockError;
  t.equal(
    err.message,
    'Missing command. Expected "serve", "exec", "hash", "hosts", "ca-path", "browser-flags" or "conform"\nRun "speechmock --help" for the flags.',
  );
  // And stays so: each command of the usage text (conform's line included) is in the message.
  const inUsage = [...usage.matchAll(/^ {2}speechmock ([a-z][a-z-]*)/gm)].map((m) => m[1] as string);
  t.same(inUsage, ["serve", "exec", "hosts", "ca-path", "browser-flags", "hash", "conform"], "the usage text's commands");
  for (const command of inUsage) t.match(err.message, `"${command}"`, command);
  const unknown = t.throws(() => parseCliArgs(["start"])) as MockError;
  t.match(
    unknown.message,
    /^Unknown command "start"\. Expected "serve", "exec", "hash", "hosts", "ca-path", "browser-flags" or "conform"\n/,
  );
});

t.test("the flags table: one row per option of scalarOptions, one per flag name and alias", async (t) => {
  t.same(optionFlags.map((row) => row.option).sort(), Object.keys(scalarOptions.shape).sort(), "every option has its flag, and no other");
  const names = flags.map((row) => row.flag);
  t.same(names, [...new Set(names)], "no flag has two rows");
  const shorts = flags.flatMap((row) => ("short" in row ? [row.short] : []));
  t.same(shorts, [...new Set(shorts)], "no alias has two rows");
});

t.test("the usage text's flags of serve are the table's rows, in its order, each default from defaults", async (t) => {
  t.ok(usage.includes(`Flags of serve and exec:\n${serveFlagsUsage()}\n\nexec runs the command with:`));
  const listed = [...serveFlagsUsage().matchAll(/^ {2}(?:-\w, | {4})--([\w-]+)/gm)].map((m) => m[1]);
  t.same(
    listed,
    flags.filter((row) => !("command" in row)).map((row) => row.flag),
  );
  for (const [flag, shown] of [
    ["port", defaults.cliPort],
    ["host", defaults.hostname],
    ["token-lifetime", defaults.tokenLifetimeSeconds],
    ["max-connection-lifetime", defaults.connectionLifetimeSeconds],
    ["journal-bytes", `${defaults.journalBytes}, 64 MiB`],
    ["log-format", "json"],
  ] as const) {
    t.match(usage, new RegExp(`--${flag} [^]*?\\(default ${String(shown).replace(/[.]/g, "\\.")}\\)`), flag);
  }
  t.notMatch(usage, /--sts-key-in-query[^\n]*\(default/, "a switch shows no default");
  t.match(usage, /\n {6}--max-connection-lifetime <s>\n {33}close any speech connection/, "a long flag has its help on the next line");
});

t.test("optionsOf gives every option of serve's arguments, and nothing else: what main starts the mock with", async (t) => {
  const args = parseCliArgs([
    "serve",
    "--port",
    "0",
    "--max-handshakes",
    "7",
    "--admin-host",
    "a.test",
    "--log-format",
    "none",
  ]) as ServeArgs;
  const options = optionsOf(args);
  t.same(Object.keys(options).sort(), Object.keys(scalarOptions.shape).sort());
  t.match(options, { port: 0, maxHandshakes: 7, adminHosts: ["a.test"], hostname: defaults.hostname });
  t.notOk("logFormat" in options || "fixtures" in options || "adminTokenFile" in options, "the CLI's own values stay out");
  t.match(resolveOptions(options), options, "and the options schema takes them as they are");
});

t.test("TLS: --tls serves on the CLI's TLS port; each TLS flag turns it on; a certificate comes with its key", async (t) => {
  t.match(parseCliArgs(["serve", "--tls"]), { tls: true, tlsPort: defaults.cliTlsPort });
  t.match(parseCliArgs(["serve", "--tls-port", "0"]), { tls: true, tlsPort: 0 });
  t.match(parseCliArgs(["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem"]), { tls: true, tlsCert: "c.pem", tlsKey: "k.pem" });
  t.throws(() => parseCliArgs(["serve", "--tls-cert", "c.pem"]), {
    code: "ERR_USAGE",
    message: /^Flags --tls-cert and --tls-key go together \(a certificate and its key\)\. Expected both/,
  });
  t.throws(() => parseCliArgs(["serve", "--tls-port", "70000"]), { code: "ERR_USAGE", message: /^Invalid value for --tls-port: "70000"/ });
  t.throws(() => parseCliArgs(["serve", "--tls-dir", ""]), {
    code: "ERR_USAGE",
    message: /^Invalid value for --tls-dir: ""\. Expected a directory path/,
  });
  t.throws(() => resolveOptions({ tlsPort: 9443 }), { code: "ERR_OPTION_INVALID", message: /tlsPort: it applies to TLS, which is off/ });
  t.throws(() => resolveOptions({ tls: true, tlsCert: "c.pem" }), { code: "ERR_OPTION_INVALID", message: /expected both/ });
});

t.test("exec: serve's flags before --, the command after it, untouched; free ports, TLS on and no logs unless given", async (t) => {
  const args = parseCliArgs(["exec", "--region", "eastus", "--", "node", "--port", "1", "-e", "x", "--"]);
  t.match(args, { command: "exec", region: "eastus", port: 0, tls: true, tlsPort: 0, logFormat: "none" });
  t.same((args as { run: string[] }).run, ["node", "--port", "1", "-e", "x", "--"], "flags after -- are the command's");
  t.match(parseCliArgs(["exec", "-p", "9000", "--tls-port", "9443", "--log-format", "json", "--", "true"]), {
    port: 9000,
    tlsPort: 9443,
    logFormat: "json",
  });
  t.match(parseCliArgs(["--tls-dir", "/tmp/x", "exec", "--", "npm test"]), { command: "exec", tlsDir: "/tmp/x", run: ["npm test"] });
  t.same(parseCliArgs(["exec", "--help", "--", "x"]), { command: "help" });
  t.same(parseCliArgs(["exec", "--", "node", "--help"]).command, "exec", "--help after -- is the command's");
});

t.test("serve and hash still read -- as the end of flags", async (t) => {
  t.same(parseCliArgs(["hash", "--", "--odd.wav"]), { command: "hash", files: ["--odd.wav"], json: false });
});

t.test("hosts takes --region and --fixtures; ca-path --tls-dir; browser-flags --tls-dir and --json", async (t) => {
  t.same(parseCliArgs(["hosts"]), { command: "hosts", region: defaults.region, fixtures: undefined });
  t.same(parseCliArgs(["hosts", "--region", "eastus", "--fixtures", "f.json"]), { command: "hosts", region: "eastus", fixtures: "f.json" });
  t.same(parseCliArgs(["ca-path"]), { command: "ca-path", tlsDir: undefined });
  t.same(parseCliArgs(["ca-path", "--tls-dir", "/tmp/ca"]), { command: "ca-path", tlsDir: "/tmp/ca" });
  t.same(parseCliArgs(["browser-flags"]), { command: "browser-flags", tlsDir: undefined, json: false });
  t.same(parseCliArgs(["browser-flags", "--json", "--tls-dir=/tmp/ca"]), { command: "browser-flags", tlsDir: "/tmp/ca", json: true });
});

/** The new commands' refusals: argv, then the whole first line of the message. */
const refusedCommands: [argv: string[], message: string][] = [
  [["exec"], "Missing command after --. Expected exec [flags] -- <command> [args...]"],
  [["exec", "--"], "Missing command after --. Expected exec [flags] -- <command> [args...]"],
  [["exec", "--", ""], "Missing command after --. Expected exec [flags] -- <command> [args...]"],
  [["exec", "--port", "0"], "Missing command after --. Expected exec [flags] -- <command> [args...]"],
  [["exec", "npm", "test"], 'Unexpected argument "npm". Expected exec [flags] -- <command> [args...]: the command after --'],
  [["exec", "--port", "x", "--", "true"], 'Invalid value for --port: "x". Expected a whole number'],
  [["exec", "--json", "--", "true"], "Flag --json does not apply to exec"],
  [["exec", "--tls-cert", "c.pem", "--", "true"], "Flags --tls-cert and --tls-key go together (a certificate and its key). Expected both"],
  [["hosts", "--port", "1"], "Flag --port does not apply to hosts"],
  [["hosts", "--tls-dir", "/tmp"], "Flag --tls-dir does not apply to hosts"],
  [
    ["hosts", "--region", "West US"],
    'Invalid value for --region: "West US". Expected an Azure region name such as "westus" (lower-case letters and digits)',
  ],
  [["hosts", "--fixtures", ""], 'Invalid value for --fixtures: "". Expected a file path'],
  [["hosts", "eastus"], 'Unexpected argument "eastus"'],
  [["ca-path", "--json"], "Flag --json does not apply to ca-path"],
  [["ca-path", "--tls-dir", ""], 'Invalid value for --tls-dir: "". Expected a directory path'],
  [["ca-path", "--tls-dir"], "Missing value for --tls-dir"],
  [["browser-flags", "--region", "eastus"], "Flag --region does not apply to browser-flags"],
  [["browser-flags", "--tls-dir", ""], 'Invalid value for --tls-dir: "". Expected a directory path'],
  [["browser-flags", "x"], 'Unexpected argument "x"'],
];

for (const [argv, message] of refusedCommands) {
  t.test(`${JSON.stringify(argv.join(" "))} is refused with exactly its usage error`, async (t) => {
    const err = t.throws(() => parseCliArgs(argv)) as MockError;
    t.equal(err.code, "ERR_USAGE");
    t.equal(err.message, `${message}\nRun "speechmock --help" for the flags.`);
  });
}

t.test("the usage text names each new command with its flags, and exec's variables", async (t) => {
  for (const line of [
    "speechmock exec [flags] -- <command> [args...]",
    "speechmock hosts [--region <name>] [--fixtures <file>]",
    "speechmock ca-path [--tls-dir <dir>]",
    "speechmock browser-flags [--tls-dir <dir>] [--json]",
  ]) {
    t.ok(usage.includes(line), line);
  }
  for (const name of [
    "SPEECHMOCK_URL",
    "SPEECHMOCK_STS",
    "SPEECHMOCK_WS",
    "SPEECHMOCK_ADMIN",
    "SPEECHMOCK_KEY",
    "SPEECHMOCK_REGION",
    "SPEECHMOCK_TLS_DIR",
    "NODE_EXTRA_CA_CERTS",
    "NODE_OPTIONS",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
  ]) {
    t.ok(usage.includes(name), name);
  }
});
