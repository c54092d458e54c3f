/** The SPKI pin Chromium's `--ignore-certificate-errors-spki-list` takes. */
import * as pkijs from "pkijs";
import { readPemBlocks, toBase64 } from "./pem.ts";

/** Base64 SHA-256 of the SubjectPublicKeyInfo of the first certificate (the leaf) in the PEM text. */
export async function spkiSha256(certPem: string): Promise<string> {
  const block = readPemBlocks(certPem).find((b) => b.label === "CERTIFICATE");
  if (!block) throw new TypeError("spkiSha256: no PEM certificate");
  const spki = pkijs.Certificate.fromBER(block.der).subjectPublicKeyInfo.toSchema().toBER(false);
  return toBase64(await crypto.subtle.digest("SHA-256", spki));
}
