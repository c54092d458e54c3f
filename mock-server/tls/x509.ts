/**
 * X.509 building blocks over pkijs and WebCrypto (`crypto`, on Node 20 and Deno alike).
 * Every key is ECDSA P-256 and every signature ecdsa-with-SHA256.
 */
import type { webcrypto } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { readPemBlocks } from "./pem.ts";

/** pkijs's engine over the runtime's WebCrypto (the global `crypto`), passed explicitly so pkijs's global engine is never touched. */
/** WebCrypto's types, named from @types/node (the project compiles without the DOM library). */
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
export type JsonWebKey = webcrypto.JsonWebKey;
export type EcKeyImportParams = webcrypto.EcKeyImportParams;
export type RsaHashedImportParams = webcrypto.RsaHashedImportParams;

export const cryptoEngine = new pkijs.CryptoEngine({ name: "speechmock", crypto: crypto });

export const ecAlgorithm: EcKeyImportParams = { name: "ECDSA", namedCurve: "P-256" };

export const generateKeyPair = (): Promise<CryptoKeyPair> =>
  crypto.subtle.generateKey(ecAlgorithm, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;

export const dayMs = 24 * 60 * 60 * 1000;

const oid = {
  commonName: "2.5.4.3",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

export interface CertificateSpec {
  subjectCommonName: string;
  publicKey: CryptoKey;
  /** The signer: its name and key. Absent for a self-signed certificate. */
  issuer?: { certificate: pkijs.Certificate; privateKey: CryptoKey };
  /** The subject's own private key, for a self-signed certificate. */
  selfSigningKey?: CryptoKey;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  /** DNS names and IP addresses for the subjectAltName extension (leaves only). */
  dnsNames?: readonly string[];
  ipAddresses?: readonly Uint8Array[];
}

export async function createCertificate(spec: CertificateSpec): Promise<pkijs.Certificate> {
  const signingKey = spec.issuer?.privateKey ?? spec.selfSigningKey;
  if (!signingKey) throw new TypeError("createCertificate: an issuer or a self-signing key is needed");
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial() });
  cert.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: oid.commonName, value: new asn1js.Utf8String({ value: spec.subjectCommonName }) }),
  );
  // The issuer's name, copied as its encoded bytes so a chain matches byte for byte.
  cert.issuer = spec.issuer
    ? pkijs.RelativeDistinguishedNames.fromBER(spec.issuer.certificate.subject.toSchema().toBER(false))
    : pkijs.RelativeDistinguishedNames.fromBER(cert.subject.toSchema().toBER(false));
  cert.notBefore = timeOf(spec.notBefore);
  cert.notAfter = timeOf(spec.notAfter);
  await cert.subjectPublicKeyInfo.importKey(spec.publicKey, cryptoEngine);

  const subjectKeyId = await keyIdentifier(cert.subjectPublicKeyInfo);
  const issuerKeyId = spec.issuer ? await keyIdentifier(spec.issuer.certificate.subjectPublicKeyInfo) : subjectKeyId;
  const basicConstraints = new pkijs.BasicConstraints(spec.ca ? { cA: true, pathLenConstraint: 0 } : { cA: false });
  // keyCertSign (bit 5) and cRLSign (bit 6) for a CA; digitalSignature (bit 0) for a leaf.
  const keyUsage = spec.ca
    ? new asn1js.BitString({ valueHex: new Uint8Array([0x06]), unusedBits: 1 })
    : new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 });
  const extensions = [
    extension(pkijs.id_BasicConstraints, true, basicConstraints.toSchema().toBER(false)),
    extension(pkijs.id_KeyUsage, true, keyUsage.toBER(false)),
    extension(pkijs.id_SubjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: subjectKeyId }).toBER(false)),
    extension(
      pkijs.id_AuthorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: issuerKeyId }) }).toSchema().toBER(false),
    ),
  ];
  if (!spec.ca) {
    extensions.push(
      extension(pkijs.id_ExtKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [oid.serverAuth] }).toSchema().toBER(false)),
    );
    const altNames = [
      ...(spec.dnsNames ?? []).map((value) => new pkijs.GeneralName({ type: 2, value })),
      ...(spec.ipAddresses ?? []).map((ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ip }) })),
    ];
    extensions.push(extension(pkijs.id_SubjectAltName, false, new pkijs.GeneralNames({ names: altNames }).toSchema().toBER(false)));
  }
  cert.extensions = extensions;
  await cert.sign(signingKey, "SHA-256", cryptoEngine);
  return cert;
}

export const certificateDer = (cert: pkijs.Certificate): Uint8Array => new Uint8Array(cert.toSchema(true).toBER(false));

/** Parses one DER certificate; throws on anything else. */
export function parseCertificate(der: Uint8Array<ArrayBuffer>): pkijs.Certificate {
  return pkijs.Certificate.fromBER(der);
}

/** The certificates of a PEM text, in order; throws when a CERTIFICATE block does not parse. */
export function parseCertificatesPem(text: string): pkijs.Certificate[] {
  return readPemBlocks(text)
    .filter((b) => b.label === "CERTIFICATE")
    .map((b) => parseCertificate(b.der));
}

/** The certificate's public key in WebCrypto, as JWK coordinates (for comparing with a private key). */
export async function publicJwk(cert: pkijs.Certificate): Promise<JsonWebKey> {
  const spki = cert.subjectPublicKeyInfo.toSchema().toBER(false);
  const key = await crypto.subtle.importKey("spki", spki, ecAlgorithm, true, ["verify"]);
  return crypto.subtle.exportKey("jwk", key);
}

/** The RFC 5280 method 1 key identifier: SHA-1 of the subjectPublicKey bits. */
async function keyIdentifier(spki: pkijs.PublicKeyInfo): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-1", new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView));
}

function extension(extnID: string, critical: boolean, extnValue: ArrayBuffer): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue });
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 requires. */
function timeOf(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

/** 16 random bytes, positive and with a non-zero first byte so the DER integer keeps all 16. */
function randomSerial(): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes;
}
