import { exitCodeOf, MockError } from "../errors.ts";
import { type MockOptions, resolveOptions, scalarOptions } from "../options.ts";
import { readyFilePath } from "../preload/ready-file.ts";
import { isWildcardHost, type MockServer } from "../start.ts";
import { parseSubscriptions } from "../subscriptions/load.ts";
import { parseTranscripts } from "../transcripts/load.ts";
import { parseVoices } from "../tts/voices.ts";
import { type ExecArgs, optionsOf, parseCliArgs, type ServeArgs, usage } from "./args.ts";
import type { SpawnedChild } from "./commands/exec.ts";
import { hashClips } from "./hash.ts";
import { createLogger } from "./log-format.ts";

/** What the CLI needs from its runtime; `entry/cli.node.ts` and `entry/cli.deno.ts` supply it. */
export interface CliHost {
  runtime: "node" | "deno";
  version: string;
  pid: number;
  argv: readonly string[];
  stdoutIsTerminal: boolean;
  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, text: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  removeFile(path: string): Promise<void>;
  /** An environment variable, or undefined. */
  env(name: string): string | undefined;
  stdout(line: string): void;
  stderr(line: string): void;
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  startMock(options: MockOptions): Promise<MockServer>;
  /** Runs a command with stdio inherited and these variables added to the environment (`exec`). */
  spawn(command: string, args: readonly string[], env: Readonly<Record<string, string>>): SpawnedChild;
  /** Commands the entry point adds, by name: `conform`, which the mock does not import itself. */
  commands?: Readonly<Record<string, (host: CliHost, argv: readonly string[]) => Promise<number>>>;
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

async function writeReadyFile(host: CliHost, path: string, ready: string): Promise<void> {
  try {
    await host.writeTextFile(path, `${ready}\n`);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new MockError("ERR_TLS_DIR", `Cannot write the ready line to ${path}: ${reason}. Expected a writable directory; set --tls-dir`);
  }
}

/** Only if it is still this process's: a second mock on the same TLS directory may have written its own since. */
async function removeOwnReadyFile(host: CliHost, path: string): Promise<void> {
  try {
    if ((JSON.parse(await host.readTextFile(path)) as { pid?: number }).pid === host.pid) await host.removeFile(path);
  } catch {
    // Gone or unreadable: nothing of ours to remove.
  }
}

/** A mock started from serve's (or exec's) arguments, its ready line, and how to stop it. */
interface Started {
  server: MockServer;
  ready: string;
  /** Stops the mock within the grace period and removes its ready line from the TLS directory. */
  stop(signal?: string): Promise<void>;
}

async function startFromArgs(host: CliHost, args: ServeArgs | ExecArgs): Promise<Started> {
  const subscriptions =
    args.fixtures === undefined
      ? undefined
      : await loadFixture<MockOptions["subscriptions"]>(host, args.fixtures, "fixtures", parseSubscriptions);
  const transcripts =
    args.transcripts === undefined
      ? undefined
      : await loadFixture<MockOptions["transcripts"]>(host, args.transcripts, "transcripts", parseTranscripts);
  const voices = args.voices === undefined ? undefined : await loadFixture<MockOptions["voices"]>(host, args.voices, "voices", parseVoices);
  if (args.adminToken !== undefined) host.stderr(adminTokenWarning);
  const adminToken =
    args.adminToken ??
    (args.adminTokenFile === undefined ? host.env("SPEECHMOCK_ADMIN_TOKEN") : await readAdminToken(host, args.adminTokenFile));
  const logger = createLogger(args.logFormat, host.stderr);
  // Every option from its flag (or its default), then what the CLI read or chose itself.
  const server = await host.startMock({ ...optionsOf(args), adminToken, subscriptions, transcripts, voices, logger });
  const tls = server.tls && { url: server.tls.url, ws: server.tls.ws, port: server.tls.port, ca: server.tls.ca, spki: server.tls.spki };
  const ready = JSON.stringify({
    event: "ready",
    runtime: host.runtime,
    pid: host.pid,
    url: server.url,
    // The address bound, and with every address bound, where other machines reach it: `url`
    // stays the loopback URL, which works on this machine whatever the interfaces.
    host: server.hostname,
    ...(server.network ? { network: server.network } : {}),
    sts: server.sts,
    ws: server.ws,
    admin: server.admin,
    region: server.region,
    resources: server.resources,
    jwks: server.jwks,
    ...(tls ? { tls } : {}),
  });
  if (server.network === undefined && isWildcardHost(server.hostname)) {
    host.stderr(
      `speechmock: note: the ready line has no network URLs: ${host.runtime} may not list this machine's addresses` +
        (host.runtime === "deno" ? " (run deno with --allow-sys=networkInterfaces)" : ""),
    );
  }
  // With TLS the ready line is also kept in the TLS directory while the mock runs: where the Node
  // preload and `speechmock browser-flags` find the mock when nothing else tells them.
  const readyFile = server.tls && readyFilePath(server.tls.dir);
  if (readyFile)
    await writeReadyFile(host, readyFile, ready).catch(async (err) => {
      await server.close();
      throw err;
    });
  const stop = async (signal?: string) => {
    if (signal !== undefined) logger({ type: "shutdown", signal });
    await Promise.race([server.close(), new Promise((r) => setTimeout(r, shutdownGraceMs))]);
    if (readyFile) await removeOwnReadyFile(host, readyFile);
  };
  return { server, ready, stop };
}

/** The default region and every resource's, for `hosts`: from the fixtures file, else the built-in resources. */
async function regionsOf(host: CliHost, region: string, fixtures: string | undefined): Promise<string[]> {
  const subscriptions =
    fixtures === undefined ? undefined : await loadFixture<MockOptions["subscriptions"]>(host, fixtures, "fixtures", parseSubscriptions);
  return [region, ...resolveOptions({ region, subscriptions }).resources.map((r) => r.region)];
}

/**
 * Runs the CLI and resolves with the exit status once the process should end: at once for bad
 * input, after a signal for `serve`, when the command ends for `exec`.
 */
export async function runCli(host: CliHost): Promise<number> {
  const [name = "", ...rest] = host.argv;
  if (host.commands && Object.hasOwn(host.commands, name))
    return (host.commands[name] as NonNullable<CliHost["commands"]>[string])(host, rest);
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
    // The other commands are loaded when used: serve starts without them.
    if (args.command === "hosts")
      return (await import("./commands/hosts.ts")).runHosts(host, await regionsOf(host, args.region, args.fixtures));
    if (args.command === "ca-path") return await (await import("./commands/ca-path.ts")).runCaPath(host, args.tlsDir);
    if (args.command === "browser-flags")
      return await (await import("./commands/browser-flags.ts")).runBrowserFlags(host, args.tlsDir, args.json);
    if (args.command === "exec") {
      const { runExec } = await import("./commands/exec.ts");
      const started = await startFromArgs(host, args);
      return await runExec(host, args.run, started.server, () => started.stop());
    }
    // Listen for signals before saying ready: a supervisor may signal as soon as it reads the line.
    const started = await startFromArgs(host, args);
    const shutdownSignal = new Promise<string>((resolve) => host.onShutdownSignal(resolve));
    host.stdout(started.ready);
    await started.stop(await shutdownSignal);
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
