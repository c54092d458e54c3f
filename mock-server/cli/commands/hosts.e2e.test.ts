/** `speechmock hosts` and `speechmock ca-path` as a user runs them, on Node and on Deno. */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { commandFor, root, runCommand, runtimes } from "../../../test/support/spawn.ts";
import { hostsLines } from "./hosts.ts";

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), `speechmock-hosts-${runtime}-`));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));

    t.test("hosts: the default region's and the built-in resources' hostnames, or --region's and the fixtures'", async (t) => {
      const builtin = await runCommand(runtime, ["hosts"]);
      t.equal(builtin.code, 0, builtin.stderr);
      t.equal(builtin.stdout, `${hostsLines(["westus", "eastus"]).join("\n")}\n`);
      const fixtures = await runCommand(runtime, ["hosts", "--region", "northeurope", "--fixtures", "fixtures/examples/two-regions.json"]);
      t.equal(fixtures.code, 0, fixtures.stderr);
      t.equal(fixtures.stdout, `${hostsLines(["northeurope", "westeurope", "eastus2"]).join("\n")}\n`);
      t.match(fixtures.stdout, /^# speechmock: .*\n127\.0\.0\.1 northeurope\.api\.cognitive\.microsoft\.com\n/);
    });

    t.test("hosts piped into a reader that stops early (head -1) ends quietly, status 0", async (t) => {
      const [command, args] = commandFor(runtime, ["hosts"]);
      const quoted = [command, ...args].map((a) => `'${a}'`).join(" ");
      const piped = spawnSync("bash", ["-c", `${quoted} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: root, encoding: "utf8" });
      t.match(piped.stdout, /^# speechmock: /);
      t.equal(piped.stderr, "status=0\n", "no EPIPE stack trace");
    });

    t.test("hosts: a fixtures file that cannot be read or is invalid, or a bad region, exits 2", async (t) => {
      const missing = await runCommand(runtime, ["hosts", "--fixtures", "no/such.json"]);
      t.equal(missing.code, 2);
      t.equal(missing.stderr, 'speechmock: Cannot read fixtures file "no/such.json": ENOENT\n');
      t.equal(missing.stdout, "");
      const invalid = join(dir, "invalid.json");
      writeFileSync(invalid, '{"resources": [{"name": "x"}]}');
      const bad = await runCommand(runtime, ["hosts", "--fixtures", invalid]);
      t.equal(bad.code, 2);
      t.match(bad.stderr, invalid);
      const region = await runCommand(runtime, ["hosts", "--region", "West US"]);
      t.equal(region.code, 2);
      t.match(region.stderr, 'speechmock: Invalid value for --region: "West US"');
    });

    t.test("ca-path: only the CA's path on stdout; the CA made on first use, its key 0600, the same CA after", async (t) => {
      const tlsDir = join(dir, "tls");
      const first = await runCommand(runtime, ["ca-path", "--tls-dir", tlsDir]);
      t.equal(first.code, 0, first.stderr);
      t.equal(first.stdout, `${join(tlsDir, "ca.pem")}\n`);
      t.equal(first.stderr, "");
      t.equal(statSync(join(tlsDir, "ca-key.pem")).mode & 0o777, 0o600);
      t.equal(statSync(tlsDir).mode & 0o777, 0o700);
      t.match(readFileSync(join(tlsDir, "ca.pem"), "utf8"), /^-----BEGIN CERTIFICATE-----\n/);
      const pem = readFileSync(join(tlsDir, "ca.pem"), "utf8");
      const again = await runCommand(runtime, ["ca-path"], 20_000, { SPEECHMOCK_TLS_DIR: tlsDir });
      t.equal(again.stdout, `${join(tlsDir, "ca.pem")}\n`, "SPEECHMOCK_TLS_DIR when --tls-dir is not given");
      t.equal(readFileSync(join(tlsDir, "ca.pem"), "utf8"), pem, "the same CA");
    });

    t.test("ca-path: a directory that cannot be made exits 2, saying why", async (t) => {
      writeFileSync(join(dir, "file"), "");
      const result = await runCommand(runtime, ["ca-path", "--tls-dir", join(dir, "file", "tls")]);
      t.equal(result.code, 2);
      t.equal(result.stdout, "");
      t.match(result.stderr, `speechmock: Cannot create the TLS directory ${join(dir, "file", "tls")}: ENOTDIR`);
    });
  });
}
