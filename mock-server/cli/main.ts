import { type ConformHost, runConform } from "../../conformance/cli.ts";
import { exitCodeOf, MockError } from "../errors.ts";
import { type MockOptions, scalarOptions } from "../options.ts";
import { readyFilePath } from "../preload/ready-file.ts";
import type { MockServer } from "../start.ts";
import { parseSubscriptions } from "../subscriptions/load.ts";
import { parseTranscripts } from "../transcripts/load.ts";
import { optionsOf, parseCliArgs, usage } from "./args.ts";
import { hashClips } from "./hash.ts";
import { createLogger } from "./log-format.ts";

/** What the CLI needs from its runtime; `cli/node.ts` and `cli/deno.ts` supply it. */
export interface CliHost extends Omit<ConformHost, "startMock"> {
  runtime: "node" | "deno";
  version: string;
  pid: number;
  argv: readonly string[];
  readTextFile(path: string): Promise<string>;
  readFile(path: string): Promise<Uint8Array>;
  removeFile(path: string): Promise<void>;
  /** An environment variable, or undefined. */
  env(name: string): string | undefined;
  stdout(line: string): void;
  stderr(line: string): void;
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  startMock(options: MockOptions): Promise<MockServer>;
}

/** Shutdown must finish within a second even if a peer does not answer the closing handshake. */
const shutdownGraceMs = 900;

/** Reads and checks a fixtures file; `parse` throws with the file name and JSON path of every problem. */
async function loadFixture<T>(host: CliHost, path: string, what: string, parse: (text: string, source: string) => unknown): Promise<T> {
  let text: string;
  try {
    text = await host.readTextFile(path);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new MockError("ERR_FIXTURE_UNREADABLE", `Cannot read ${what} file ${JSON.stringify(path)}: ${reason}`);
  }
  parse(text, path);
  return JSON.parse(text) as T;
}

/** The admin token from `--admin-token-file`, trimmed; never echoed, not even when it is refused. */
async function readAdminToken(host: CliHost, path: string): Promise<string> {
  let text: string;
  try {
    text = await host.readTextFile(path);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new MockError("ERR_OPTION_INVALID", `Cannot read the admin token file ${JSON.stringify(path)}: ${reason}`);
  }
  const token = text.trim();
  if (token === "") throw new MockError("ERR_OPTION_INVALID", `The admin token file ${JSON.stringify(path)} is empty. Expected the secret`);
  const checked = scalarOptions.shape.adminToken.safeParse(token);
  if (!checked.success) {
    const expected = checked.error.issues[0]?.message;
    throw new MockError("ERR_OPTION_INVALID", `The admin token in ${JSON.stringify(path)} is invalid (not shown). ${expected}`);
  }
  return token;
}

/** Printed when the secret came on the command line, where `ps` shows it to every user of the machine. */
export const adminTokenWarning =
  "speechmock: warning: --admin-token shows the secret to anyone who can list processes; " +
  "set SPEECHMOCK_ADMIN_TOKEN or use --admin-token-file <path> instead";

/**
 * Runs the CLI and resolves with the exit status once the process should end: at once for bad
 * input, after a signal for `serve`.
 */
export async function runCli(host: CliHost): Promise<number> {
  if (host.argv[0] === "conform") return runConform(host, host.argv.slice(1));
  try {
    const args = parseCliArgs(host.argv);
    if (args.command === "help") {
      host.stdout(usage);
      return 0;
    }
    if (args.command === "version") {
      host.stdout(host.version);
      return 0;
    }
    if (args.command === "hash") return await hashClips(host, args.files, args.json);
    const subscriptions =
      args.fixtures === undefined
        ? undefined
        : await loadFixture<MockOptions["subscriptions"]>(host, args.fixtures, "fixtures", parseSubscriptions);
    const transcripts =
      args.transcripts === undefined
        ? undefined
        : await loadFixture<MockOptions["transcripts"]>(host, args.transcripts, "transcripts", parseTranscripts);
    if (args.adminToken !== undefined) host.stderr(adminTokenWarning);
    const adminToken =
      args.adminToken ??
      (args.adminTokenFile === undefined ? host.env("SPEECHMOCK_ADMIN_TOKEN") : await readAdminToken(host, args.adminTokenFile));
    const logger = createLogger(args.logFormat, host.stderr);
    // Every option from its flag (or its default), then what the CLI read or chose itself.
    const server = await host.startMock({ ...optionsOf(args), adminToken, subscriptions, transcripts, logger });
    // Listen for signals before saying ready: a supervisor may signal as soon as it reads the line.
    const shutdownSignal = new Promise<string>((resolve) => host.onShutdownSignal(resolve));
    const tls = server.tls && { url: server.tls.url, ws: server.tls.ws, port: server.tls.port, ca: server.tls.ca, spki: server.tls.spki };
    const ready = JSON.stringify({
      event: "ready",
      runtime: host.runtime,
      pid: host.pid,
      url: server.url,
      sts: server.sts,
      ws: server.ws,
      admin: server.admin,
      region: server.region,
      resources: server.resources,
      jwks: server.jwks,
      ...(tls ? { tls } : {}),
    });
    // With TLS the ready line is also kept in the TLS directory while the mock runs: where the Node
    // preload and `speechmock browser-flags` find the mock when nothing else tells them.
    const readyFile = server.tls && readyFilePath(server.tls.dir);
    if (readyFile) await host.writeTextFile(readyFile, `${ready}\n`);
    host.stdout(ready);
    const signal = await shutdownSignal;
    logger({ type: "shutdown", signal });
    await Promise.race([server.close(), new Promise((r) => setTimeout(r, shutdownGraceMs))]);
    if (readyFile) await host.removeFile(readyFile).catch(() => {});
    return 0;
  } catch (err) {
    if (err instanceof MockError) {
      host.stderr(`speechmock: ${err.message}`);
      return exitCodeOf(err.code);
    }
    host.stderr(`speechmock: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
