import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { MockError } from "../errors.ts";
import { issueServerCertificate, leafValidityDays, loadUserCertificate } from "./certificate.ts";
import { certificateNames } from "./hostnames.ts";
import { ensureLocalCa, type LocalCa } from "./local-ca.ts";

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const tempDir = async (t: Test): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "speechmock-tls-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

const newCa = async (t: Test): Promise<LocalCa> => ensureLocalCa(join(await tempDir(t), "tls"));

/** The PEM blocks of a chain, as node:crypto certificates. */
const chain = (pem: string): X509Certificate[] =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));

t.test("the leaf is signed by the CA and names every hostname and address", async (t) => {
  const ca = await newCa(t);
  const issued = await issueServerCertificate(ca, certificateNames(["westus", "eastus"]));
  const [leaf, caInChain, ...rest] = chain(issued.certPem);
  t.ok(leaf && caInChain, "leaf then CA");
  t.equal(rest.length, 0);
  if (!leaf || !caInChain) return;
  const caCert = new X509Certificate(ca.certPem);
  t.equal(caInChain.fingerprint256, caCert.fingerprint256, "the chain ends with the CA");
  t.ok(leaf.verify(caCert.publicKey), "the CA's signature verifies");
  t.ok(leaf.checkIssued(caCert), "issued by the CA");
  t.equal(leaf.ca, false);
  t.same(leaf.keyUsage, ["1.3.6.1.5.5.7.3.1"], "serverAuth");
  t.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  for (const host of [
    "westus.stt.speech.microsoft.com",
    "westus.tts.speech.microsoft.com",
    "westus.api.cognitive.microsoft.com",
    "westus.cognitiveservices.azure.com",
    "eastus.stt.speech.microsoft.com",
    "api.cognitive.microsoft.com",
    "speech.platform.bing.com",
    "localhost",
    "eastus.localhost",
  ]) {
    t.equal(leaf.checkHost(host), host, host);
  }
  t.equal(leaf.checkHost("my-resource.cognitiveservices.azure.com"), "*.cognitiveservices.azure.com", "a custom domain");
  t.equal(leaf.checkHost("northeurope.stt.speech.microsoft.com"), "*.stt.speech.microsoft.com", "another region, by the wildcard");
  t.equal(leaf.checkHost("a.b.stt.speech.microsoft.com"), undefined, "a wildcard is one label");
  t.equal(leaf.checkHost("example.com"), undefined);
  t.equal(leaf.checkIP("127.0.0.1"), "127.0.0.1");
  t.equal(leaf.checkIP("::1"), "::1");
  t.equal(leaf.checkIP("10.0.0.1"), undefined);
  const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
  t.ok(days <= 398, `valid ${days} days, within Chromium's 398`);
  t.equal(days, leafValidityDays);
  t.ok(Date.parse(leaf.validFrom) < Date.now(), "valid already (backdated for clock skew)");
});

t.test("a leaf never outlives its CA", async (t) => {
  const ca = await newCa(t);
  const issued = await issueServerCertificate(ca, ["localhost"], { now: new Date(Date.now() + 3640 * 86_400_000) });
  const [leaf] = chain(issued.certPem);
  t.equal(leaf?.validTo, new X509Certificate(ca.certPem).validTo);
});

t.test("each call makes a new key and serial", async (t) => {
  const ca = await newCa(t);
  const [a, b] = await Promise.all([issueServerCertificate(ca, ["localhost"]), issueServerCertificate(ca, ["localhost"])]);
  t.not(a.keyPem, b.keyPem);
  t.not(chain(a.certPem)[0]?.serialNumber, chain(b.certPem)[0]?.serialNumber);
});

/** An HTTPS server with the certificate on 127.0.0.1, port 0; its port. */
const serve = async (t: Test, certPem: string, keyPem: string): Promise<number> => {
  const server = createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end("ok"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
};

/** A GET over TLS to 127.0.0.1 with the given SNI and trust; the body, or the error's code. */
const get = (port: number, ca: string, servername?: string): Promise<string> =>
  new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", ca, agent: false, ...(servername ? { servername } : {}) }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve(body));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(`error: ${e.code ?? e.message}`));
    req.end();
  });

t.test("a real TLS handshake: trusted for an Azure hostname, refused for a name not in the certificate", async (t) => {
  const ca = await newCa(t);
  const issued = await issueServerCertificate(ca, certificateNames(["westus"]));
  const port = await serve(t, issued.certPem, issued.keyPem);
  t.equal(await get(port, ca.certPem, "westus.stt.speech.microsoft.com"), "ok", "westus.stt.speech.microsoft.com");
  t.equal(await get(port, ca.certPem, "speech.platform.bing.com"), "ok", "speech.platform.bing.com");
  t.equal(await get(port, ca.certPem), "ok", "by IP, 127.0.0.1");
  t.equal(await get(port, ca.certPem, "eastus.stt.speech.microsoft.com"), "ok", "another region, by the regional wildcard");
  t.equal(await get(port, ca.certPem, "speech.example.com"), "error: ERR_TLS_CERT_ALTNAME_INVALID");
  const other = await newCa(t);
  t.equal(await get(port, other.certPem, "westus.stt.speech.microsoft.com"), "error: SELF_SIGNED_CERT_IN_CHAIN", "another CA");
});

const expectCertError = async (t: Test, promise: Promise<unknown>, pattern: RegExp) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof MockError, "a MockError");
  t.equal((error as MockError).code, "ERR_TLS_CERT_INVALID");
  t.match((error as MockError).message, pattern);
};

t.test("loadUserCertificate reads a good pair, which serves TLS", async (t) => {
  const dir = await tempDir(t);
  const ca = await newCa(t);
  const issued = await issueServerCertificate(ca, ["localhost", "127.0.0.1"]);
  await writeFile(join(dir, "cert.pem"), issued.certPem);
  await writeFile(join(dir, "key.pem"), issued.keyPem);
  const loaded = await loadUserCertificate(join(dir, "cert.pem"), join(dir, "key.pem"));
  t.equal(loaded.certPem, issued.certPem);
  t.equal(loaded.keyPem, issued.keyPem);
  t.equal(await get(await serve(t, loaded.certPem, loaded.keyPem), ca.certPem, "localhost"), "ok");
});

t.test("loadUserCertificate refuses bad files, naming the file and what was expected", async (t) => {
  const dir = await tempDir(t);
  const ca = await newCa(t);
  const issued = await issueServerCertificate(ca, ["localhost"]);
  const other = await issueServerCertificate(ca, ["localhost"]);
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const cert = await file("cert.pem", issued.certPem);
  const key = await file("key.pem", issued.keyPem);
  const missing = join(dir, "missing.pem");
  await expectCertError(
    t,
    loadUserCertificate(missing, key),
    new RegExp(`^Cannot read --tls-cert ${missing.replace(/[\\.]/g, "\\$&")}: ENOENT\\. Expected a PEM certificate file$`),
  );
  await expectCertError(
    t,
    loadUserCertificate(cert, missing),
    /^Cannot read --tls-key .*missing\.pem: ENOENT\. Expected a PEM private key file$/,
  );
  const junk = await file("junk.pem", "hello\n");
  await expectCertError(
    t,
    loadUserCertificate(junk, key),
    /^--tls-cert .*junk\.pem is not a PEM certificate\. Expected -----BEGIN CERTIFICATE-----$/,
  );
  await expectCertError(t, loadUserCertificate(key, cert), /^--tls-cert .*key\.pem is not a PEM certificate \(it holds a private key/);
  await expectCertError(t, loadUserCertificate(cert, cert), /^--tls-key .*cert\.pem is not a PEM private key \(it holds a certificate/);
  await expectCertError(
    t,
    loadUserCertificate(cert, junk),
    /^--tls-key .*junk\.pem is not a PEM private key\. Expected -----BEGIN PRIVATE KEY-----$/,
  );
  const broken = await file("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  await expectCertError(t, loadUserCertificate(broken, key), /^--tls-cert .*broken\.pem: certificate 1 is not a valid X\.509 certificate/);
  const encrypted = await file("enc.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
  await expectCertError(t, loadUserCertificate(cert, encrypted), /^--tls-key .*enc\.pem is not a PEM private key \(it is encrypted/);
  const otherKey = await file("other-key.pem", other.keyPem);
  await expectCertError(
    t,
    loadUserCertificate(cert, otherKey),
    /^--tls-key .*other-key\.pem is not the private key of the certificate in --tls-cert/,
  );
});
