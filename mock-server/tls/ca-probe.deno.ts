/**
 * Run under Deno by ca-probe.test.ts: makes a local CA in a fresh directory (given as the first
 * argument), reuses it, issues a leaf and prints one JSON line for the test to check with node:crypto.
 */
import { join } from "node:path";
import { certificateNames, ensureLocalCa, issueServerCertificate, loadUserCertificate, spkiSha256 } from "./mod.ts";

const dir = join(Deno.args[0] ?? Deno.makeTempDirSync(), "tls");
const ca = await ensureLocalCa(dir, undefined, { owner: "deno-probe" });
const again = await ensureLocalCa(dir);
const leaf = await issueServerCertificate(ca, certificateNames(["westus"]));
const leafPath = join(dir, "leaf.pem");
const keyPath = join(dir, "leaf-key.pem");
await Deno.writeTextFile(leafPath, leaf.certPem);
await Deno.writeTextFile(keyPath, leaf.keyPem);
const loaded = await loadUserCertificate(leafPath, keyPath);
let missing = "";
try {
  await loadUserCertificate(join(dir, "absent.pem"), keyPath);
} catch (error) {
  missing = `${(error as { code?: string }).code}: ${(error as Error).message}`;
}
console.log(
  JSON.stringify({
    runtime: "Deno" in globalThis ? "deno" : "other",
    created: ca.created,
    reused: !again.created && again.certPem === ca.certPem,
    caPem: ca.certPem,
    keyMode: (await Deno.stat(ca.keyPath)).mode,
    dirMode: (await Deno.stat(dir)).mode,
    leafPem: leaf.certPem,
    leafKeyPem: leaf.keyPem,
    loaded: loaded.certPem === leaf.certPem,
    missing,
    spki: await spkiSha256(leaf.certPem),
  }),
);
