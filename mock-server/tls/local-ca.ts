/**
 * speechmock's local certificate authority: made on first use in the TLS directory and reused
 * after, so a client told to trust it once (`NODE_EXTRA_CA_CERTS`, a CA bundle, a browser flag)
 * keeps trusting every server certificate the mock issues.
 *
 * The directory holds `ca.pem` (the CA certificate) and `ca-key.pem` (its PKCS#8 private key, mode
 * 0600); the directory is created with mode 0700. Creation is safe against a second speechmock
 * starting at the same moment: the key file is created exclusively, and the certificate appears
 * whole (written aside, then renamed), after its key.
 */
import { join } from "node:path";
import type * as pkijs from "pkijs";
import { MockError } from "../errors.ts";
import { errorCode, nodeTlsFiles, type TlsFiles } from "./files.ts";
import { asText, readPemBlocks, toPem } from "./pem.ts";
import {
  type CryptoKey,
  certificateDer,
  createCertificate,
  dayMs,
  ecAlgorithm,
  generateKeyPair,
  parseCertificate,
  publicJwk,
} from "./x509.ts";

export const caCertFile = "ca.pem";
export const caKeyFile = "ca-key.pem";

/** About ten years. */
export const caValidityDays = 3650;

export interface LocalCa {
  dir: string;
  /** The path of `ca.pem`: what clients are told to trust. */
  certPath: string;
  keyPath: string;
  certPem: string;
  certificate: pkijs.Certificate;
  privateKey: CryptoKey;
  /** True when this call made the CA, false when it reused one. */
  created: boolean;
}

export interface LocalCaOptions {
  /** Who the CA belongs to, for its subject `CN=speechmock local CA (<owner>)`; see `caOwner`. */
  owner?: string;
  now?: () => Date;
  /** How long to wait for another process that is creating the CA at the same moment. */
  waitMs?: number;
}

/** The owner label for the CA's subject: `user@host` from the environment, as far as it tells. */
export function caOwner(env: Readonly<Record<string, string | undefined>>): string {
  const user = env.USER || env.USERNAME || env.LOGNAME;
  const host = env.HOSTNAME || env.COMPUTERNAME;
  return user && host ? `${user}@${host}` : user || host || "local";
}

export const caCommonName = (owner: string): string => `speechmock local CA (${owner})`;

export async function ensureLocalCa(dir: string, files: TlsFiles = nodeTlsFiles, options: LocalCaOptions = {}): Promise<LocalCa> {
  const certPath = join(dir, caCertFile);
  const keyPath = join(dir, caKeyFile);
  const now = options.now ?? (() => new Date());
  await ensureTlsDir(dir, files);
  const existing = await readExisting(dir, certPath, keyPath, files, now(), options.waitMs ?? 5000);
  if (existing) return existing;

  const keys = await generateKeyPair();
  const notBefore = new Date(now().getTime() - 60 * 60 * 1000);
  const certificate = await createCertificate({
    subjectCommonName: caCommonName(options.owner ?? "local"),
    publicKey: keys.publicKey,
    selfSigningKey: keys.privateKey,
    notBefore,
    notAfter: new Date(notBefore.getTime() + caValidityDays * dayMs),
    ca: true,
  });
  const certPem = toPem("CERTIFICATE", certificateDer(certificate));
  const keyPem = toPem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  try {
    await files.writeFile(keyPath, keyPem, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if (errorCode(error) === "EEXIST") {
      // Another speechmock is making the CA right now: use its CA.
      const theirs = await readExisting(dir, certPath, keyPath, files, now(), options.waitMs ?? 5000);
      if (theirs) return theirs;
    }
    throw dirError("write", dir, error);
  }
  const aside = `${certPath}.${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b: number) => b.toString(16).padStart(2, "0")).join("")}.tmp`;
  try {
    await files.writeFile(aside, certPem, { mode: 0o644 });
    await files.rename(aside, certPath);
  } catch (error) {
    throw dirError("write", dir, error);
  }
  return { dir, certPath, keyPath, certPem, certificate, privateKey: keys.privateKey, created: true };
}

/** The CA already in the directory, or undefined when there is none yet. */
async function readExisting(
  dir: string,
  certPath: string,
  keyPath: string,
  files: TlsFiles,
  now: Date,
  waitMs: number,
): Promise<LocalCa | undefined> {
  let certText = await readIfThere(certPath, files);
  let keyText = await readIfThere(keyPath, files);
  if (certText === undefined && keyText === undefined) return undefined;
  if (certText === undefined) {
    // A key without its certificate: another process may be between writing the two. Once the
    // certificate is there the key is whole (it was written first), so read the key again.
    for (let waited = 0; certText === undefined && waited < waitMs; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      certText = await readIfThere(certPath, files);
    }
    if (certText === undefined) throw caError(dir, `${caCertFile} is missing (expected both ${caCertFile} and ${caKeyFile})`);
    keyText = await readIfThere(keyPath, files);
  }
  if (keyText === undefined) throw caError(dir, `${caKeyFile} is missing (expected both ${caCertFile} and ${caKeyFile})`);

  const certBlock = readPemBlocks(certText).find((b) => b.label === "CERTIFICATE");
  let certificate: pkijs.Certificate;
  try {
    if (!certBlock) throw new Error("no CERTIFICATE block");
    certificate = parseCertificate(certBlock.der);
  } catch (cause) {
    throw caError(dir, `${certPath} is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`, cause);
  }
  const keyBlock = readPemBlocks(keyText).find((b) => b.label === "PRIVATE KEY");
  let privateKey: CryptoKey;
  try {
    if (!keyBlock) throw new Error("no PRIVATE KEY block");
    privateKey = await crypto.subtle.importKey("pkcs8", keyBlock.der, ecAlgorithm, true, ["sign"]);
  } catch (cause) {
    throw caError(dir, `${keyPath} is not a PEM PKCS#8 P-256 private key (expected -----BEGIN PRIVATE KEY-----)`, cause);
  }
  let matches = false;
  try {
    const [pub, priv] = await Promise.all([publicJwk(certificate), crypto.subtle.exportKey("jwk", privateKey)]);
    matches = pub.x === priv.x && pub.y === priv.y;
  } catch {
    // A certificate whose key is not P-256 cannot match.
  }
  if (!matches) throw caError(dir, `${keyPath} is not the private key of ${certPath}`);
  const notAfter = certificate.notAfter.value;
  if (notAfter.getTime() <= now.getTime()) throw caError(dir, `${certPath} expired on ${notAfter.toISOString()}`);
  return { dir, certPath, keyPath, certPem: asText(certText), certificate, privateKey, created: false };
}

async function readIfThere(path: string, files: TlsFiles): Promise<string | undefined> {
  try {
    return asText(await files.readFile(path));
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw new MockError("ERR_TLS_DIR", `Cannot read ${path}: ${errorCode(error)}. Expected a readable file; set --tls-dir`, {
      cause: error,
    });
  }
}

/** The TLS directory, created private (0700) if it is not there: it holds the CA's key and the ready line. */
export async function ensureTlsDir(dir: string, files: TlsFiles = nodeTlsFiles): Promise<void> {
  try {
    await files.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw dirError("create", dir, error);
  }
}

function dirError(action: "create" | "write", dir: string, cause: unknown): MockError {
  return new MockError(
    "ERR_TLS_DIR",
    `Cannot ${action} the TLS directory ${dir}: ${errorCode(cause)}. Expected a writable directory; set --tls-dir`,
    { cause },
  );
}

function caError(dir: string, problem: string, cause?: unknown): MockError {
  return new MockError(
    "ERR_TLS_CA_INVALID",
    `The local CA in ${dir} is unusable: ${problem}. Delete ${dir} to make a new CA (clients that trusted the old one must then trust the new one), or set --tls-dir`,
    { cause },
  );
}
