/**
 * The mock's server certificate: a fresh leaf from the local CA on every start (one P-256 key and
 * one signature, a few milliseconds, so nothing is cached and nothing goes stale), or the user's
 * own pair from `--tls-cert`/`--tls-key`.
 */
import * as pkijs from "pkijs";
import { MockError } from "../errors.ts";
import { errorCode, nodeTlsFiles, type TlsFiles } from "./files.ts";
import { ipBytes } from "./ip.ts";
import type { LocalCa } from "./local-ca.ts";
import { asText, type PemBlock, readPemBlocks, toPem } from "./pem.ts";
import {
  certificateDer,
  createCertificate,
  dayMs,
  type EcKeyImportParams,
  generateKeyPair,
  type JsonWebKey,
  type RsaHashedImportParams,
} from "./x509.ts";

/** Chromium refuses leaves valid for more than 398 days; stay under it. */
export const leafValidityDays = 397;

export interface ServerCertificate {
  /** The leaf, then the CA: the chain a server sends. */
  certPem: string;
  /** The leaf's PKCS#8 private key. */
  keyPem: string;
}

export interface IssuedCertificate extends ServerCertificate {
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
}

/**
 * A server certificate for the names (DNS names, wildcards and IP addresses; see `certificateNames`),
 * signed by the CA: ECDSA P-256, serverAuth, valid from an hour ago for `leafValidityDays` or until
 * the CA expires, whichever is sooner.
 */
export async function issueServerCertificate(
  ca: Pick<LocalCa, "certificate" | "privateKey">,
  names: readonly string[],
  options: { now?: Date } = {},
): Promise<IssuedCertificate> {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const ipValues: Uint8Array[] = [];
  for (const name of new Set(names)) {
    const ip = ipBytes(name);
    if (ip) {
      ipAddresses.push(name);
      ipValues.push(ip);
    } else {
      dnsNames.push(name.toLowerCase());
    }
  }
  if (dnsNames.length + ipAddresses.length === 0) throw new TypeError("issueServerCertificate: no names");
  const notBefore = new Date((options.now ?? new Date()).getTime() - 60 * 60 * 1000);
  const notAfter = new Date(Math.min(notBefore.getTime() + leafValidityDays * dayMs, ca.certificate.notAfter.value.getTime()));
  const keys = await generateKeyPair();
  const leaf = await createCertificate({
    subjectCommonName: dnsNames[0] ?? ipAddresses[0] ?? "speechmock",
    publicKey: keys.publicKey,
    issuer: { certificate: ca.certificate, privateKey: ca.privateKey },
    notBefore,
    notAfter,
    ca: false,
    dnsNames,
    ipAddresses: ipValues,
  });
  const certPem = toPem("CERTIFICATE", certificateDer(leaf)) + toPem("CERTIFICATE", certificateDer(ca.certificate));
  const keyPem = toPem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { certPem, keyPem, notBefore, notAfter, dnsNames, ipAddresses };
}

const keyLabels = new Set(["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]);

/**
 * The user's own certificate and key (`--tls-cert`, `--tls-key`), checked: the certificate file must
 * hold PEM certificates (the leaf first, then any chain), the key file an unencrypted PEM private
 * key (PKCS#8, SEC1 or PKCS#1) and, where WebCrypto can tell (PKCS#8 EC or RSA), the certificate's.
 */
export async function loadUserCertificate(certPath: string, keyPath: string, files: TlsFiles = nodeTlsFiles): Promise<ServerCertificate> {
  const certText = await readUserFile("--tls-cert", certPath, "a PEM certificate", files);
  const keyText = await readUserFile("--tls-key", keyPath, "a PEM private key", files);
  const certBlocks = readPemBlocks(certText);
  const keyBlocks = readPemBlocks(keyText);

  const certs = certBlocks.filter((b) => b.label === "CERTIFICATE");
  if (certs.length === 0) {
    const hint = certBlocks.some((b) => keyLabels.has(b.label)) ? " (it holds a private key: pass that file as --tls-key)" : "";
    throw certError(`--tls-cert ${certPath} is not a PEM certificate${hint}. Expected -----BEGIN CERTIFICATE-----`);
  }
  let leaf: pkijs.Certificate | undefined;
  for (const [i, block] of certs.entries()) {
    try {
      const parsed = pkijs.Certificate.fromBER(block.der);
      leaf ??= parsed;
    } catch (cause) {
      throw certError(
        `--tls-cert ${certPath}: certificate ${i + 1} is not a valid X.509 certificate. Expected -----BEGIN CERTIFICATE----- blocks`,
        cause,
      );
    }
  }

  const key = keyBlocks.find((b) => keyLabels.has(b.label));
  if (!key) {
    const hint = keyBlocks.some((b) => b.label === "ENCRYPTED PRIVATE KEY")
      ? " (it is encrypted: decrypt it first)"
      : keyBlocks.some((b) => b.label === "CERTIFICATE")
        ? " (it holds a certificate: pass that file as --tls-cert)"
        : "";
    throw certError(`--tls-key ${keyPath} is not a PEM private key${hint}. Expected -----BEGIN PRIVATE KEY-----`);
  }
  if (leaf && (await keyMismatch(leaf, key))) {
    throw certError(`--tls-key ${keyPath} is not the private key of the certificate in --tls-cert ${certPath}`);
  }
  return { certPem: certText, keyPem: keyText };
}

async function readUserFile(flag: string, path: string, expected: string, files: TlsFiles): Promise<string> {
  try {
    return asText(await files.readFile(path));
  } catch (cause) {
    throw certError(`Cannot read ${flag} ${path}: ${errorCode(cause)}. Expected ${expected} file`, cause);
  }
}

const ecCurves: Record<string, string> = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521" };

/** True when WebCrypto can read both keys and they differ; false when they match or it cannot tell. */
async function keyMismatch(leaf: pkijs.Certificate, key: PemBlock): Promise<boolean> {
  if (key.label !== "PRIVATE KEY") return false;
  const info = leaf.subjectPublicKeyInfo;
  let algorithm: EcKeyImportParams | RsaHashedImportParams;
  if (info.algorithm.algorithmId === "1.2.840.10045.2.1") {
    const params = info.algorithm.algorithmParams as { valueBlock?: { toString(): string } } | undefined;
    const curve = ecCurves[params?.valueBlock?.toString() ?? ""];
    if (!curve) return false;
    algorithm = { name: "ECDSA", namedCurve: curve };
  } else if (info.algorithm.algorithmId === "1.2.840.113549.1.1.1") {
    algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  } else {
    return false;
  }
  const subtle = crypto.subtle;
  let pub: JsonWebKey;
  try {
    pub = await subtle.exportKey("jwk", await subtle.importKey("spki", info.toSchema().toBER(false), algorithm, true, ["verify"]));
  } catch {
    return false;
  }
  try {
    const priv = await subtle.exportKey("jwk", await subtle.importKey("pkcs8", key.der, algorithm, true, ["sign"]));
    return algorithm.name === "ECDSA" ? pub.x !== priv.x || pub.y !== priv.y : pub.n !== priv.n || pub.e !== priv.e;
  } catch {
    // The certificate's key reads but the private key does not read as the same kind: they differ.
    return true;
  }
}

function certError(message: string, cause?: unknown): MockError {
  return new MockError("ERR_TLS_CERT_INVALID", message, { cause });
}
