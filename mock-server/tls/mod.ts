/** TLS for the mock: Azure's hostnames, the local CA, server certificates and the Chromium SPKI pin. */

export {
  type IssuedCertificate,
  issueServerCertificate,
  leafValidityDays,
  loadUserCertificate,
  type ServerCertificate,
} from "./certificate.ts";
export { nodeTlsFiles, type TlsFiles } from "./files.ts";
export { azureHostnames, certificateNames, customDomainWildcard, unregionalHosts } from "./hostnames.ts";
export { caCertFile, caKeyFile, caOwner, ensureLocalCa, type LocalCa, type LocalCaOptions } from "./local-ca.ts";
export { spkiSha256 } from "./spki.ts";
export { defaultTlsDir, type TlsDirContext } from "./tls-dir.ts";
