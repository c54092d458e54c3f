/**
 * `speechmock exec` as a user runs it, on Node and on Deno: the mock starts with TLS, the command
 * gets the variables, Node, Python and curl reach the mock over HTTPS (Node by Azure's own
 * hostname, through the preload), and exec ends with the command's status.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { commandFor, root, runCommand, runtimes } from "../../../test/support/spawn.ts";

const has = (command: string) => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;

/** exec's own environment: no NODE_OPTIONS of the test runner's (its loaders are not the command's). */
const quiet = { NODE_OPTIONS: "" };

/** Node code that POSTs to the token service at `url` with SPEECHMOCK_KEY and prints the status. */
const nodeIssueToken = (url: string) =>
  `{ const r = await fetch(${url}, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": process.env.SPEECHMOCK_KEY } }); console.log(r.status, (await r.text()).split(".").length); }`;

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), `speechmock-exec-${runtime}-`));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const tlsDir = join(dir, "tls");
    const exec = (command: string[], flags: string[] = [], env: Record<string, string> = quiet) =>
      runCommand(runtime, ["exec", "--tls-dir", tlsDir, ...flags, "--", ...command], 30_000, env);

    t.test("the command gets every variable; the mock answers at them while it runs and is gone after", async (t) => {
      const names = [
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
      ];
      const code = `const fs = await import("node:fs"); const e = Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n]]));
        const health = await fetch(e.SPEECHMOCK_ADMIN + "/health");
        console.log(JSON.stringify({ env: e, health: health.status, ready: fs.existsSync(e.SPEECHMOCK_TLS_DIR + "/ready.json") }));`;
      const result = await exec(["node", "--input-type=module", "-e", code], [], { NODE_OPTIONS: "--no-deprecation" });
      t.equal(result.code, 0, result.stderr);
      t.equal(result.stderr, "", "the mock logs nothing by default");
      const { env, health, ready } = JSON.parse(result.stdout) as { env: Record<string, string>; health: number; ready: boolean };
      t.match(env, {
        SPEECHMOCK_URL: /^https:\/\/127\.0\.0\.1:\d+$/,
        SPEECHMOCK_STS: /^https:\/\/127\.0\.0\.1:\d+\/sts\/v1\.0\/issueToken$/,
        SPEECHMOCK_WS: /^wss:\/\/127\.0\.0\.1:\d+$/,
        SPEECHMOCK_ADMIN: /^https:\/\/127\.0\.0\.1:\d+\/__speechmock$/,
        SPEECHMOCK_KEY: "7e57c0de5eec4d0c0000000000000001",
        SPEECHMOCK_REGION: "westus",
        SPEECHMOCK_TLS_DIR: tlsDir,
        NODE_EXTRA_CA_CERTS: join(tlsDir, "ca.pem"),
        REQUESTS_CA_BUNDLE: join(tlsDir, "ca-bundle.pem"),
        SSL_CERT_FILE: join(tlsDir, "ca-bundle.pem"),
        CURL_CA_BUNDLE: join(tlsDir, "ca-bundle.pem"),
      });
      // (Under tap, its hook on spawn quotes NODE_OPTIONS and adds its own loader.)
      t.match(env.NODE_OPTIONS, /^"?--no-deprecation"? /, "NODE_OPTIONS kept");
      t.match(env.NODE_OPTIONS, new RegExp(`--import"? "?file://${root}dist/register\\.mjs`), "the preload added");
      t.equal(health, 200, "the control plane over HTTPS, the CA trusted");
      t.ok(ready, "the ready line is in the TLS directory while the command runs");
      t.notOk(existsSync(join(tlsDir, "ready.json")), "and removed after");
      t.ok(await refused(Number(new URL(String(env.SPEECHMOCK_URL)).port)), "the mock has stopped");
    });

    t.test("Node gets a token from SPEECHMOCK_STS, and from Azure's own hostname through the preload", async (t) => {
      const code = `${nodeIssueToken("process.env.SPEECHMOCK_STS")} ${nodeIssueToken('"https://westus.api.cognitive.microsoft.com/sts/v1.0/issueToken"')}`;
      const result = await exec(["node", "--input-type=module", "-e", code]);
      t.equal(result.code, 0, result.stderr);
      t.equal(result.stdout, "200 3\n200 3\n", "two JWTs");
    });

    t.test(
      "Python's urllib, with the default SSL context, trusts the mock through SSL_CERT_FILE",
      { skip: !has("python3") && "no python3" },
      async (t) => {
        const code = [
          "import os, ssl, urllib.request",
          'req = urllib.request.Request(os.environ["SPEECHMOCK_STS"], method="POST", headers={"Ocp-Apim-Subscription-Key": os.environ["SPEECHMOCK_KEY"]})',
          "print(urllib.request.urlopen(req, context=ssl.create_default_context()).status)",
        ].join("\n");
        const result = await exec(["python3", "-c", code]);
        t.equal(result.code, 0, result.stderr);
        t.equal(result.stdout, "200\n");
      },
    );

    t.test(
      "curl trusts the mock through CURL_CA_BUNDLE; a single argument with spaces runs with sh -c",
      { skip: !has("curl") && "no curl" },
      async (t) => {
        const line = 'curl -sS -o /dev/null -w "%{http_code}\\n" -X POST -H "Ocp-Apim-Subscription-Key: $SPEECHMOCK_KEY" "$SPEECHMOCK_STS"';
        const result = await exec([line]);
        t.equal(result.code, 0, result.stderr);
        t.equal(result.stdout, "200\n");
      },
    );

    t.test("exec exits with the command's status, 128+n for signal n", async (t) => {
      t.equal((await exec(["node", "-e", "process.exit(3)"])).code, 3);
      t.equal((await exec(["exit 5"])).code, 5, "through sh -c");
      t.equal((await exec(["sh", "-c", "kill -TERM $$"])).code, 143);
    });

    t.test("SIGTERM to exec is passed on to the command; exec stops the mock and exits 143", async (t) => {
      const [cmd, argv] = commandFor(runtime, ["exec", "--tls-dir", tlsDir, "--", "sleep", "30"]);
      const child = spawn(cmd, argv, { cwd: root, stdio: "ignore", env: { ...process.env, ...quiet } });
      const started = Date.now();
      while (!existsSync(join(tlsDir, "ready.json"))) {
        if (Date.now() - started > 15_000) throw new Error("exec did not start");
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      t.equal(code, 143);
      t.ok(Date.now() - started < 10_000, "without waiting for sleep to end");
      t.notOk(existsSync(join(tlsDir, "ready.json")), "the mock stopped");
    });

    t.test("a command that is not found exits 127, one that cannot be run 126, each with its message", async (t) => {
      const missing = await exec(["speechmock-no-such-command", "x"]);
      t.equal(missing.code, 127);
      t.equal(missing.stderr, "speechmock: exec: command not found: speechmock-no-such-command\n");
      const script = join(dir, "not-executable.sh");
      writeFileSync(script, "#!/bin/sh\necho hi\n");
      chmodSync(script, 0o644);
      const denied = await exec([script]);
      t.equal(denied.code, 126);
      t.equal(denied.stderr, `speechmock: exec: cannot run ${script}: permission denied (not executable)\n`);
      t.notOk(existsSync(join(tlsDir, "ready.json")), "the mock stopped all the same");
    });

    t.test("no command after --, or no --, is a usage error: exit 2", async (t) => {
      for (const argv of [["exec"], ["exec", "--"], ["exec", "--port", "0", "--"]]) {
        const result = await runCommand(runtime, argv);
        t.equal(result.code, 2, argv.join(" "));
        t.equal(
          result.stderr,
          'speechmock: Missing command after --. Expected exec [flags] -- <command> [args...]\nRun "speechmock --help" for the flags.\n',
        );
      }
      const noDashes = await runCommand(runtime, ["exec", "npm", "test"]);
      t.equal(noDashes.code, 2);
      t.match(noDashes.stderr, 'speechmock: Unexpected argument "npm". Expected exec [flags] -- <command> [args...]: the command after --');
    });

    t.test("--log-format brings the mock's logs to stderr; serve's flags apply", async (t) => {
      const code = `${nodeIssueToken("process.env.SPEECHMOCK_STS")} console.log(process.env.SPEECHMOCK_REGION, process.env.SPEECHMOCK_KEY);`;
      const result = await exec(
        ["node", "--input-type=module", "-e", code],
        ["--log-format", "json", "--fixtures", "fixtures/examples/two-regions.json", "--region", "westeurope"],
      );
      t.equal(result.code, 0, result.stderr);
      t.equal(result.stdout, "200 3\nwesteurope e0d1c2b3a4958677e0d1c2b3a4958601\n");
      const logs = result.stderr
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { event?: string });
      t.ok(
        logs.some((l) => l.event === "token.issued" || JSON.stringify(l).includes("issueToken")),
        "the token request is logged",
      );
    });
  });
}
