import t from "tap";
import { MockError } from "../errors.ts";
import { defaults } from "../options.ts";
import { parseCliArgs, usage } from "./args.ts";

t.test("serve without flags gets every default", async (t) => {
  t.same(parseCliArgs(["serve"]), {
    command: "serve",
    port: defaults.cliPort,
    hostname: "127.0.0.1",
    region: "westus",
    tokenLifetimeSeconds: 600,
    authFailureStyle: "legacy",
    stsKeyInQuery: false,
    fixtures: undefined,
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
    "--log-format",
    "pretty",
  ]);
  t.same(args, {
    command: "serve",
    port: 9001,
    hostname: "0.0.0.0",
    region: "eastus",
    tokenLifetimeSeconds: 60,
    authFailureStyle: "modern",
    stsKeyInQuery: true,
    fixtures: "fixtures/examples/two-regions.json",
    logFormat: "pretty",
  });
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
    "--log-format",
    "--help",
    "--version",
  ]) {
    t.ok(usage.includes(flag), flag);
  }
});

/** argv, then what the message must say: the flag, the quoted value and what was expected. */
const refused: [argv: string[], message: RegExp][] = [
  [["serve", "--port", "abc"], /^Invalid value for --port: "abc"\. Expected a whole number/],
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
