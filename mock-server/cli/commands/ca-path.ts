/**
 * `speechmock ca-path`: the local CA's PEM file, for `NODE_EXTRA_CA_CERTS`, `curl --cacert` or a
 * CA bundle; the CA is made on first use (key mode 0600), as `serve --tls` would make it. Only
 * the path goes to stdout: `NODE_EXTRA_CA_CERTS="$(npx speechmock ca-path)" node app.js`.
 */
import process from "node:process";
import { caOwner, ensureLocalCa } from "../../tls/local-ca.ts";
import { tlsDirOf } from "../../tls/serving.ts";

/**
 * The TLS directory a lookup command reads: `--tls-dir`, else `SPEECHMOCK_TLS_DIR` (which
 * `speechmock exec` sets for its command, as the Node preload reads it), else the per-user default.
 */
export const lookupTlsDir = (env: (name: string) => string | undefined, given: string | undefined): string =>
  given ?? tlsDirOf({ tlsDir: env("SPEECHMOCK_TLS_DIR") || undefined });

export async function runCaPath(
  host: { stdout(line: string): void; env(name: string): string | undefined },
  tlsDir: string | undefined,
): Promise<number> {
  const ca = await ensureLocalCa(
    lookupTlsDir((name) => host.env(name), tlsDir),
    undefined,
    { owner: caOwner(process.env) },
  );
  host.stdout(ca.certPath);
  return 0;
}
