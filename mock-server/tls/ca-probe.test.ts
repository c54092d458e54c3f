/** The TLS module under Deno: ca-probe.deno.ts makes a CA and a leaf there; node:crypto checks them. */
import { spawn } from "node:child_process";
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { denoBin } from "../../test/support/spawn.ts";

t.test("under Deno: a CA is made and reused, a leaf issued and loaded, with the right modes and SPKI pin", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "speechmock-tls-deno-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const probe = fileURLToPath(new URL("./ca-probe.deno.ts", import.meta.url));
  const child = spawn(denoBin, ["run", "--allow-read", "--allow-write", "--allow-env", probe, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const [code] = await once(child, "close");
  t.equal(code, 0, stderr);
  const out = JSON.parse(stdout.trim()) as Record<string, string | number | boolean>;
  t.equal(out.runtime, "deno");
  t.equal(out.created, true);
  t.equal(out.reused, true);
  t.equal(out.loaded, true, "loadUserCertificate read the pair back");
  t.match(out.missing, /^ERR_TLS_CERT_INVALID: Cannot read --tls-cert .*absent\.pem: ENOENT\. Expected a PEM certificate file$/);
  if (process.platform !== "win32") {
    t.equal(Number(out.keyMode) & 0o777, 0o600, "key file mode");
    t.equal(Number(out.dirMode) & 0o777, 0o700, "directory mode");
  }
  const ca = new X509Certificate(String(out.caPem));
  const leaf = new X509Certificate(String(out.leafPem));
  t.equal(ca.subject, "CN=speechmock local CA (deno-probe)");
  t.ok(leaf.verify(ca.publicKey), "the leaf made under Deno verifies against the CA made under Deno");
  t.equal(leaf.checkHost("westus.stt.speech.microsoft.com"), "westus.stt.speech.microsoft.com");
  t.equal(leaf.checkIP("::1"), "::1");
  const spki = createHash("sha256")
    .update(createPublicKey(leaf.toString()).export({ type: "spki", format: "der" }))
    .digest("base64");
  t.equal(out.spki, spki);
});
