import { X509Certificate } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { MockError } from "../errors.ts";
import { nodeTlsFiles, type TlsFiles } from "./files.ts";
import { caOwner, ensureLocalCa } from "./local-ca.ts";

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const tempDir = async (t: Test): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "speechmock-tls-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

const isRoot = process.getuid?.() === 0;

t.test("the first call makes a P-256 CA with a 0600 key in a 0700 directory", async (t) => {
  const dir = join(await tempDir(t), "state", "tls");
  const ca = await ensureLocalCa(dir, nodeTlsFiles, { owner: "alice@box" });
  t.equal(ca.created, true);
  t.equal(ca.certPath, join(dir, "ca.pem"));
  t.equal(ca.keyPath, join(dir, "ca-key.pem"));
  if (process.platform !== "win32") {
    t.equal((await stat(ca.keyPath)).mode & 0o777, 0o600, "key file mode");
    t.equal((await stat(dir)).mode & 0o777, 0o700, "directory mode");
  }
  const cert = new X509Certificate(await readFile(ca.certPath));
  t.equal(cert.subject, "CN=speechmock local CA (alice@box)");
  t.equal(cert.issuer, cert.subject, "self-signed");
  t.equal(cert.ca, true);
  t.ok(cert.verify(cert.publicKey), "self-signature verifies");
  t.equal(cert.publicKey.asymmetricKeyType, "ec");
  t.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600 * 1000);
  t.ok(years > 9.9 && years < 10.1, `about ten years (${years.toFixed(2)})`);
  t.match(await readFile(ca.keyPath, "utf8"), /^-----BEGIN PRIVATE KEY-----\n/);
});

t.test("a second call reuses the CA: same certificate, nothing rewritten", async (t) => {
  const dir = await tempDir(t);
  const first = await ensureLocalCa(dir);
  const before = await stat(first.keyPath);
  const second = await ensureLocalCa(dir);
  t.equal(second.created, false);
  t.equal(second.certPem, first.certPem);
  t.equal((await stat(first.keyPath)).mtimeMs, before.mtimeMs);
});

t.test("two calls at the same moment end with one CA", async (t) => {
  const dir = await tempDir(t);
  const cas = await Promise.all([ensureLocalCa(dir), ensureLocalCa(dir), ensureLocalCa(dir)]);
  t.equal(cas.filter((ca) => ca.created).length, 1, "one made it");
  const onDisk = await readFile(join(dir, "ca.pem"), "utf8");
  for (const ca of cas) t.equal(ca.certPem, onDisk);
});

t.test("caOwner is user@host from the environment, as far as it tells", async (t) => {
  t.equal(caOwner({ USER: "alice", HOSTNAME: "box" }), "alice@box");
  t.equal(caOwner({ USERNAME: "bob", COMPUTERNAME: "PC" }), "bob@PC");
  t.equal(caOwner({ LOGNAME: "carol" }), "carol");
  t.equal(caOwner({}), "local");
});

const expectDirError = async (t: Test, promise: Promise<unknown>, pattern: RegExp) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof MockError, "a MockError");
  t.equal((error as MockError).code, "ERR_TLS_DIR");
  t.match((error as MockError).message, pattern);
};

t.test("a directory that cannot be created is ERR_TLS_DIR naming it and --tls-dir", async (t) => {
  const file = join(await tempDir(t), "a-file");
  await writeFile(file, "");
  const dir = join(file, "tls");
  await expectDirError(
    t,
    ensureLocalCa(dir),
    new RegExp(
      `^Cannot create the TLS directory ${dir.replace(/[\\.]/g, "\\$&")}: ENOTDIR\\. Expected a writable directory; set --tls-dir$`,
    ),
  );
});

t.test("an unwritable directory is ERR_TLS_DIR with EACCES", { skip: isRoot && "root writes through chmod 0500" }, async (t) => {
  const parent = await tempDir(t);
  await chmod(parent, 0o500);
  t.teardown(() => chmod(parent, 0o700));
  await expectDirError(
    t,
    ensureLocalCa(join(parent, "tls")),
    /^Cannot create the TLS directory .*: EACCES\. Expected a writable directory; set --tls-dir$/,
  );
  await expectDirError(
    t,
    ensureLocalCa(parent),
    /^Cannot write the TLS directory .*: EACCES\. Expected a writable directory; set --tls-dir$/,
  );
});

t.test("EACCES from the file system (as an unwritable directory gives it) is ERR_TLS_DIR, also as root", async (t) => {
  const denied = () => Promise.reject(Object.assign(new Error("permission denied"), { code: "EACCES" }));
  const noDir: TlsFiles = { ...nodeTlsFiles, mkdir: denied };
  await expectDirError(t, ensureLocalCa("/nowhere/tls", noDir), /^Cannot create the TLS directory \/nowhere\/tls: EACCES\. /);
  const dir = await tempDir(t);
  const readOnly: TlsFiles = { ...nodeTlsFiles, writeFile: denied };
  await expectDirError(
    t,
    ensureLocalCa(dir, readOnly),
    /^Cannot write the TLS directory .*: EACCES\. Expected a writable directory; set --tls-dir$/,
  );
});

const expectCaError = async (t: Test, dir: string, pattern: RegExp) => {
  const error = await ensureLocalCa(dir, nodeTlsFiles, { waitMs: 100 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof MockError, "a MockError");
  t.equal((error as MockError).code, "ERR_TLS_CA_INVALID");
  t.match((error as MockError).message, pattern);
  t.match((error as MockError).message, /Delete .* to make a new CA/);
};

t.test("a corrupt ca.pem is ERR_TLS_CA_INVALID naming the file", async (t) => {
  const dir = await tempDir(t);
  await ensureLocalCa(dir);
  await writeFile(join(dir, "ca.pem"), "not a certificate\n");
  await expectCaError(t, dir, /ca\.pem is not a PEM certificate \(expected -----BEGIN CERTIFICATE-----\)/);
  await writeFile(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  await expectCaError(t, dir, /ca\.pem is not a PEM certificate/);
});

t.test("a corrupt ca-key.pem is ERR_TLS_CA_INVALID naming the file", async (t) => {
  const dir = await tempDir(t);
  await ensureLocalCa(dir);
  await writeFile(join(dir, "ca-key.pem"), "garbage");
  await expectCaError(t, dir, /ca-key\.pem is not a PEM PKCS#8 P-256 private key/);
});

t.test("a key that is not the certificate's is ERR_TLS_CA_INVALID", async (t) => {
  const [a, b] = [await tempDir(t), await tempDir(t)];
  await ensureLocalCa(a);
  await ensureLocalCa(b);
  await writeFile(join(a, "ca-key.pem"), await readFile(join(b, "ca-key.pem")));
  await expectCaError(t, a, /ca-key\.pem is not the private key of .*ca\.pem/);
});

t.test("half a CA (one file missing) is ERR_TLS_CA_INVALID, not silently replaced", async (t) => {
  const dir = await tempDir(t);
  await ensureLocalCa(dir);
  await rm(join(dir, "ca-key.pem"));
  await expectCaError(t, dir, /ca-key\.pem is missing/);
  const other = await tempDir(t);
  await ensureLocalCa(other);
  await rm(join(other, "ca.pem"));
  await expectCaError(t, other, /ca\.pem is missing/);
});

t.test("an expired CA is ERR_TLS_CA_INVALID", async (t) => {
  const dir = await tempDir(t);
  await ensureLocalCa(dir, nodeTlsFiles, { now: () => new Date("2000-01-01T00:00:00Z") });
  await expectCaError(t, dir, /ca\.pem expired on 2009-/);
});
