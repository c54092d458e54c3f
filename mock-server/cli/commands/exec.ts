/**
 * `speechmock exec [serve flags] -- <command> [args...]`, as Firebase's `emulators:exec`: the mock
 * runs in this process with TLS, the command runs with the variables that point every client at
 * it (below), and when the command ends the mock stops and exec exits with the command's status.
 *
 * The command runs without a shell, its argv as given; a single argument with a space in it is a
 * shell command line and runs with `sh -c` (`exec -- 'npm test && npm run e2e'`), as Firebase
 * runs its script. stdin, stdout and stderr are the command's own. SIGTERM is passed on to the
 * command; SIGINT is not (a terminal's Ctrl-C reaches the command already: a second one would make
 * npm and test runners abandon their cleanup), exec waits for the command to end either way.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { rootCertificates } from "node:tls";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { MockServer } from "../../start.ts";

/** How a child process ended: its exit code, or the signal that ended it. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
}

/** A running child; `exit` rejects with `code` ENOENT (not found) or EACCES (not executable) when it cannot start. */
export interface SpawnedChild {
  exit: Promise<ChildExit>;
  kill(signal: string): void;
}

/** What exec needs from the runtime. */
export interface ExecHost {
  env(name: string): string | undefined;
  stderr(line: string): void;
  /** Runs a command with stdio inherited and these variables added to the environment. */
  spawn(command: string, args: readonly string[], env: Readonly<Record<string, string>>): SpawnedChild;
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
}

/** The CA bundle exec writes in the TLS directory: the system's roots, then the mock's CA. */
export const caBundleFile = "ca-bundle.pem";

/** The program and its arguments: the argv as given, or `sh -c <line>` for a single argument with a space. */
export function commandLine(run: readonly string[]): [string, string[]] {
  const [first = "", ...rest] = run;
  if (rest.length === 0 && /\s/.test(first)) return ["sh", ["-c", first]];
  return [first, rest];
}

/** The exit status for how the command ended: its code, or 128+n for signal n, as shells report it. */
export function exitStatusOf({ code, signal }: ChildExit): number {
  if (signal !== null) return 128 + ((constants.signals as Record<string, number>)[signal] ?? 0);
  return code ?? 1;
}

/**
 * The package's root: the nearest directory above this module (a source file, the CLI bundle or
 * one of its chunks) whose package.json is speechmock's.
 */
export function packageRoot(from: string | URL = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "speechmock") return dir;
      } catch {
        // Not a package.json we can read: keep looking above.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`speechmock's package.json not found above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

/** The Node preload's file URL (`dist/register.mjs`, the package's `speechmock/register`). */
export const registerUrl = (root: string): string => pathToFileURL(join(root, "dist", "register.mjs")).href;

export interface ExecEnvInput {
  server: Pick<MockServer, "url" | "admin" | "region" | "resources" | "tls">;
  /** The preload's file URL for `NODE_OPTIONS`. */
  register: string;
  /** `NODE_OPTIONS` as it was, if set. */
  nodeOptions: string | undefined;
  /** The CA bundle, when the mock's certificate is from the local CA (not --tls-cert). */
  bundle: string | undefined;
}

/** The variables the command gets, on top of exec's own environment. */
export function execEnvironment({ server, register, nodeOptions, bundle }: ExecEnvInput): Record<string, string> {
  const tls = server.tls;
  if (tls === undefined) throw new Error("exec starts the mock with TLS");
  // A resource of the default region first: its key works on SPEECHMOCK_STS, whose Host (an address) names no region.
  const enabled = server.resources.filter((r) => r.state === "enabled");
  const resource = enabled.find((r) => r.region === server.region) ?? enabled[0];
  const env: Record<string, string> = {
    SPEECHMOCK_URL: tls.url,
    SPEECHMOCK_STS: `${tls.url}/sts/v1.0/issueToken`,
    SPEECHMOCK_WS: tls.ws,
    SPEECHMOCK_ADMIN: `${tls.url}${server.admin.slice(server.url.length)}`,
    ...(resource ? { SPEECHMOCK_KEY: resource.keys[0], SPEECHMOCK_REGION: resource.region } : {}),
    SPEECHMOCK_TLS_DIR: tls.dir,
    // NODE_OPTIONS splits at spaces; a file URL has none (they are %20).
    NODE_OPTIONS: [nodeOptions?.trim(), `--import ${register}`].filter((part) => part !== undefined && part !== "").join(" "),
  };
  if (tls.ca !== undefined) env.NODE_EXTRA_CA_CERTS = tls.ca;
  if (bundle !== undefined) {
    env.REQUESTS_CA_BUNDLE = bundle;
    env.SSL_CERT_FILE = bundle;
    env.CURL_CA_BUNDLE = bundle;
  }
  return env;
}

/** The roots and the CA, one PEM block after another: for Python and curl, which take one file. */
export function caBundleText(caPem: string, roots: readonly string[]): string {
  return `${[...roots.map((root) => root.trim()), caPem.trim()].join("\n")}\n`;
}

/** The system's CA bundle files, where Linux distributions and macOS keep them. */
const systemBundles = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/ssl/cert.pem",
];

/**
 * The public roots: `node:tls`'s (Node's Mozilla store; Deno's own, which Deno gives only with
 * `--allow-sys`), else the system's bundle file, else none (with a warning: only the mock is trusted).
 */
export async function publicRoots(
  warn: (line: string) => void,
  files: readonly string[] = systemBundles,
  tlsRoots: () => readonly string[] = () => rootCertificates,
): Promise<string[]> {
  try {
    return [...tlsRoots()];
  } catch {
    // Deno without --allow-sys: "Requires sys access to "ca"".
  }
  for (const file of files) {
    try {
      return [await readFile(file, "utf8")];
    } catch {
      // Not there: the next one.
    }
  }
  warn(
    `speechmock: exec: warning: no public root certificates found (on Deno, allow them with --allow-sys); ${caBundleFile} trusts only the mock`,
  );
  return [];
}

/** Writes the bundle beside the CA, whole (aside, then renamed): another exec may be reading it. */
async function writeCaBundle(dir: string, caPath: string, warn: (line: string) => void): Promise<string> {
  const path = join(dir, caBundleFile);
  const aside = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(aside, caBundleText(await readFile(caPath, "utf8"), await publicRoots(warn)), { mode: 0o644 });
  await rename(aside, path);
  return path;
}

/**
 * Runs the command against the started mock; `stop` stops the mock (and removes its ready line).
 * Resolves with exec's exit status.
 */
export async function runExec(host: ExecHost, run: readonly string[], server: MockServer, stop: () => Promise<void>): Promise<number> {
  try {
    const tls = server.tls;
    if (tls === undefined) throw new Error("exec starts the mock with TLS");
    const root = packageRoot();
    const register = registerUrl(root);
    if (!existsSync(fileURLToPath(register))) {
      host.stderr(
        `speechmock: exec: the Node preload ${fileURLToPath(register)} is missing. Build it with "node ${join(root, "scripts", "build.mjs")}"`,
      );
      return 1;
    }
    const bundle = tls.ca === undefined ? undefined : await writeCaBundle(tls.dir, tls.ca, (line) => host.stderr(line));
    const env = execEnvironment({ server, register, nodeOptions: host.env("NODE_OPTIONS"), bundle });
    const [command, args] = commandLine(run);
    const child = host.spawn(command, args, env);
    host.onShutdownSignal((signal) => {
      if (signal !== "SIGINT") child.kill(signal);
    });
    try {
      return exitStatusOf(await child.exit);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ENOENT") {
        host.stderr(`speechmock: exec: command not found: ${command}`);
        return 127;
      }
      if (code === "EACCES") {
        host.stderr(`speechmock: exec: cannot run ${command}: permission denied (not executable)`);
        return 126;
      }
      host.stderr(`speechmock: exec: cannot run ${command}: ${(err as Error).message}`);
      return 126;
    }
  } finally {
    await stop();
  }
}
