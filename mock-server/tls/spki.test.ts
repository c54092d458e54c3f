import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { issueServerCertificate } from "./certificate.ts";
import { ensureLocalCa } from "./local-ca.ts";
import { spkiSha256 } from "./spki.ts";

t.test("spkiSha256 is the base64 SHA-256 of the leaf's SubjectPublicKeyInfo, as node:crypto computes it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "speechmock-tls-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await ensureLocalCa(dir);
  const issued = await issueServerCertificate(ca, ["localhost"]);
  const leaf = new X509Certificate(issued.certPem);
  const der = createPublicKey(leaf.toString()).export({ type: "spki", format: "der" });
  const expected = createHash("sha256").update(der).digest("base64");
  t.equal(await spkiSha256(issued.certPem), expected, "the leaf's, the first certificate of the chain");
  t.not(await spkiSha256(ca.certPem), expected, "the CA's own differs");
  t.match(expected, /^[A-Za-z0-9+/]{43}=$/);
});

t.test("spkiSha256 of text without a certificate throws", async (t) => {
  await t.rejects(spkiSha256("nothing"), TypeError);
});
