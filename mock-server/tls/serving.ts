/**
 * The certificate a mock serves TLS with: the user's (`tlsCert`, `tlsKey`), or one issued on each
 * start by the local CA for `localhost`, the loopback addresses and Azure's hostnames of every
 * region the mock knows (its default region and its resources'), plus the regional wildcards.
 */
import { homedir } from "node:os";
import process from "node:process";
import type { ResolvedOptions } from "../options.ts";
import { issueServerCertificate, loadUserCertificate } from "./certificate.ts";
import { certificateNames } from "./hostnames.ts";
import { caOwner, ensureLocalCa, ensureTlsDir } from "./local-ca.ts";
import { spkiSha256 } from "./spki.ts";
import { defaultTlsDir } from "./tls-dir.ts";

export interface ServedCertificate {
  cert: string;
  key: string;
  /** The directory of the local CA and the ready line. */
  dir: string;
  /** The local CA's PEM file, for clients to trust; absent with the user's own certificate. */
  caPath?: string;
  /** Base64 SHA-256 of the leaf's public key, for Chromium's `--ignore-certificate-errors-spki-list`. */
  spki: string;
}

/** The per-user TLS directory of this process's user, from its environment. */
export const tlsDirOf = (options: Pick<ResolvedOptions, "tlsDir">): string =>
  options.tlsDir ??
  defaultTlsDir({ platform: process.platform, env: process.env, homedir: process.env.HOME ?? process.env.USERPROFILE ?? homedir() });

export async function servedCertificate(options: ResolvedOptions): Promise<ServedCertificate> {
  const dir = tlsDirOf(options);
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    const user = await loadUserCertificate(options.tlsCert, options.tlsKey);
    // No CA to keep, but the ready line still goes there.
    await ensureTlsDir(dir);
    return { cert: user.certPem, key: user.keyPem, dir, spki: await spkiSha256(user.certPem) };
  }
  const ca = await ensureLocalCa(dir, undefined, { owner: caOwner(process.env) });
  const regions = [options.region, ...options.resources.map((r) => r.region)];
  const leaf = await issueServerCertificate(ca, certificateNames(regions));
  return { cert: leaf.certPem, key: leaf.keyPem, dir, caPath: ca.certPath, spki: await spkiSha256(leaf.certPem) };
}
