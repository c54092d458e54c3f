/** The servers under test: speechmock on each runtime, and the bare server it is compared to. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { certificateNames, ensureLocalCa, issueServerCertificate } from "../mock-server/tls/mod.ts";
import { commandFor, denoBin, type RuntimeName, root } from "../test/support/spawn.ts";

export type ServerKind = "speechmock" | "bare" | "jose";

export interface ServerSpec {
  runtime: RuntimeName;
  kind: ServerKind;
  label: string;
  command: string;
  args: string[];
}

export { root };

export function speechmockSpec(runtime: RuntimeName): ServerSpec {
  const [command, args] = commandFor(runtime, ["serve", "--port", "0", "--log-format", "none"]);
  return { runtime, kind: "speechmock", label: `speechmock (${runtime})`, command, args };
}

export function bareSpec(runtime: RuntimeName): ServerSpec {
  return runtime === "node"
    ? { runtime, kind: "bare", label: "node:http", command: process.execPath, args: [`${root}bench/baselines/bare-node.mjs`] }
    : { runtime, kind: "bare", label: "Deno.serve", command: denoBin, args: ["run", "--allow-net", `${root}bench/baselines/bare.deno.ts`] };
}

/** The minimal Hono + jose app verifying speechmock's tokens: `jwks` is the JWKS of its ready line, as JSON. */
export function joseSpec(runtime: RuntimeName, jwks: string): ServerSpec {
  return runtime === "node"
    ? { runtime, kind: "jose", label: "Hono+jose (node)", command: process.execPath, args: [`${root}bench/baselines/jose-node.mjs`, jwks] }
    : {
        runtime,
        kind: "jose",
        label: "Hono+jose (deno)",
        command: denoBin,
        args: ["run", "--allow-net", "--allow-read", `${root}bench/baselines/jose.deno.ts`, jwks],
      };
}

/** The files the https section serves from both servers: one leaf for Azure's and the loopback names, and its CA. */
export interface BenchCertificate {
  dir: string;
  certPath: string;
  keyPath: string;
  caPem: string;
}

/** A local CA in `dir` and one server certificate from it (speechmock's own code makes both), written as PEM files. */
export async function benchCertificate(dir: string): Promise<BenchCertificate> {
  const ca = await ensureLocalCa(dir);
  const leaf = await issueServerCertificate(ca, certificateNames(["westus"]));
  const certPath = join(dir, "bench-cert.pem");
  const keyPath = join(dir, "bench-key.pem");
  writeFileSync(certPath, leaf.certPem);
  writeFileSync(keyPath, leaf.keyPem, { mode: 0o600 });
  return { dir, certPath, keyPath, caPem: ca.certPem };
}

/** speechmock with TLS on, serving the bench's certificate (`--tls-cert`); its ready line's `tls.url` is the HTTPS base URL. */
export function speechmockTlsSpec(runtime: RuntimeName, cert: BenchCertificate): ServerSpec {
  const tlsArgs = ["--tls", "--tls-port", "0", "--tls-dir", cert.dir, "--tls-cert", cert.certPath, "--tls-key", cert.keyPath];
  const [command, args] = commandFor(runtime, ["serve", "--port", "0", "--log-format", "none", ...tlsArgs]);
  return { runtime, kind: "speechmock", label: `speechmock --tls (${runtime})`, command, args };
}

/**
 * The bare TLS server, serving the same certificate: node:https, for speechmock on either runtime.
 * Not Deno.serve with a certificate: over TLS it answered each POST about 44 ms late (Deno 2.9.6,
 * 1,064 req/s on 50 connections, its CPU idle; GETs were not delayed), a wait, not a floor.
 */
export function bareTlsSpec(cert: BenchCertificate): ServerSpec {
  return {
    runtime: "node",
    kind: "bare",
    label: "node:https",
    command: process.execPath,
    args: [`${root}bench/baselines/bare-https-node.mjs`, cert.certPath, cert.keyPath],
  };
}
