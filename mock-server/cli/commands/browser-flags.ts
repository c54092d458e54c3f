/**
 * `speechmock browser-flags`: the Chromium flags that send Azure's Speech hostnames to the running
 * mock's TLS port and trust its certificate, read from the ready line `serve --tls` keeps in its
 * TLS directory (the SPKI pin is there; `SPEECHMOCK_URL` alone does not have it).
 *
 * `--host-resolver-rules` takes comma-separated `MAP <pattern> <host>[:<port>]` rules (Chromium's
 * HostMappingRules): the pattern is matched against the host, then against `host:port`, with `*`
 * for any characters (dots included), so `*.stt.speech.microsoft.com:443` covers every region's
 * hostname on port 443 and no other port. `*.x` does not match `x` itself: the unregional
 * hostnames have rules of their own.
 */
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { readyFilePath } from "../../preload/ready-file.ts";
import { regionalHostForms, unregionalHosts } from "../../tls/hostnames.ts";
import { lookupTlsDir } from "./ca-path.ts";

/** Every Speech hostname form as a Chromium host pattern: a wildcard per regional form, the unregional names as they are. */
export const chromiumHostPatterns: readonly string[] = [...regionalHostForms.map((form) => form("*")), ...unregionalHosts];

export interface MockTlsEndpoint {
  /** The host of the mock's TLS URL, an IPv6 address in brackets. */
  host: string;
  port: number;
  /** Base64 SHA-256 of the served certificate's public key. */
  spki: string;
}

/** The Chromium arguments, each whole (for `launch({ args })`); `shellLine` quotes them for a shell. */
export function browserFlags(mock: MockTlsEndpoint): string[] {
  const rules = chromiumHostPatterns.map((pattern) => `MAP ${pattern}:443 ${mock.host}:${mock.port}`).join(", ");
  return [`--host-resolver-rules=${rules}`, `--ignore-certificate-errors-spki-list=${mock.spki}`];
}

/** A word as a POSIX shell reads it back: as is when it is safe, else in single quotes. */
export const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

export const shellLine = (args: readonly string[]): string => args.map(shellQuote).join(" ");

/** Why there is no mock to point the browser at; exit status 1. */
export class NoRunningMock extends Error {}

const noMock = (file: string, why = "") =>
  new NoRunningMock(`no running mock with TLS found in ${file}${why}: start one with \`speechmock serve --tls\``);

/** The TLS endpoint in a ready line's text, or why it has none. */
export function endpointOf(text: string, file: string): MockTlsEndpoint & { pid?: number } {
  let ready: { pid?: unknown; tls?: { url?: unknown; port?: unknown; spki?: unknown } };
  try {
    ready = JSON.parse(text);
  } catch {
    throw noMock(file, " (it is not a ready line)");
  }
  const tls = ready?.tls;
  if (typeof tls?.url !== "string" || typeof tls.port !== "number" || typeof tls.spki !== "string") {
    throw noMock(file, " (its ready line has no tls)");
  }
  const host = new URL(tls.url).hostname;
  return { host, port: tls.port, spki: tls.spki, ...(typeof ready.pid === "number" ? { pid: ready.pid } : {}) };
}

/** Whether something accepts TCP connections there: a mock killed with SIGKILL leaves its ready line behind. */
const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ""), port });
    socket.setTimeout(2000, () => socket.destroy());
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false)).once("close", () => resolve(false));
  });

export async function runBrowserFlags(
  host: { stdout(line: string): void; stderr(line: string): void; env(name: string): string | undefined },
  tlsDir: string | undefined,
  json: boolean,
): Promise<number> {
  const file = readyFilePath(lookupTlsDir((name) => host.env(name), tlsDir));
  try {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      throw noMock(file);
    }
    const mock = endpointOf(text, file);
    if (!(await answers(mock.host, mock.port))) {
      const by = mock.pid === undefined ? "" : ` (pid ${mock.pid})`;
      throw noMock(file, `: the mock that wrote it${by} does not answer at ${mock.host}:${mock.port}`);
    }
    const args = browserFlags(mock);
    host.stdout(json ? JSON.stringify(args) : shellLine(args));
    return 0;
  } catch (err) {
    if (!(err instanceof NoRunningMock)) throw err;
    host.stderr(`speechmock: ${err.message}`);
    return 1;
  }
}
