import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { tlsDirOf } from "../../tls/serving.ts";
import { lookupTlsDir, runCaPath } from "./ca-path.ts";

t.test("the TLS directory: --tls-dir, else SPEECHMOCK_TLS_DIR, else the per-user default", async (t) => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  t.equal(lookupTlsDir(env({ SPEECHMOCK_TLS_DIR: "/from/env" }), "/given"), "/given");
  t.equal(lookupTlsDir(env({ SPEECHMOCK_TLS_DIR: "/from/env" }), undefined), "/from/env");
  t.equal(lookupTlsDir(env({ SPEECHMOCK_TLS_DIR: "" }), undefined), tlsDirOf({ tlsDir: undefined }));
});

t.test("prints only the CA's path, making the CA on first use with its key 0600, and the same path after", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "speechmock-ca-path-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tlsDir = join(dir, "tls");
  const out: string[] = [];
  const host = { stdout: (line: string) => out.push(line), env: () => undefined };
  t.equal(await runCaPath(host, tlsDir), 0);
  t.same(out, [join(tlsDir, "ca.pem")]);
  t.equal(statSync(join(tlsDir, "ca-key.pem")).mode & 0o777, 0o600);
  const made = statSync(join(tlsDir, "ca.pem")).mtimeMs;
  t.equal(await runCaPath(host, tlsDir), 0);
  t.same(out, [join(tlsDir, "ca.pem"), join(tlsDir, "ca.pem")]);
  t.equal(statSync(join(tlsDir, "ca.pem")).mtimeMs, made, "reused, not made again");
});

t.test("a directory that cannot be made is refused with ERR_TLS_DIR", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "speechmock-ca-path-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "file"), "");
  await t.rejects(runCaPath({ stdout: () => {}, env: () => undefined }, join(dir, "file", "tls")), {
    code: "ERR_TLS_DIR",
    message: new RegExp(`^Cannot create the TLS directory ${join(dir, "file", "tls")}: ENOTDIR`),
  });
});
