import { exitCodeOf, MockError } from "../errors.ts";
import type { MockOptions } from "../options.ts";
import type { MockServer } from "../start.ts";
import { parseSubscriptions } from "../subscriptions/load.ts";
import { parseCliArgs, usage } from "./args.ts";
import { createLogger } from "./log-format.ts";

/** What the CLI needs from its runtime; `cli/node.ts` and `cli/deno.ts` supply it. */
export interface CliHost {
  runtime: "node" | "deno";
  version: string;
  pid: number;
  argv: readonly string[];
  readTextFile(path: string): Promise<string>;
  stdout(line: string): void;
  stderr(line: string): void;
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  startMock(options: MockOptions): Promise<MockServer>;
}

/** Shutdown must finish within a second even if a peer does not answer the closing handshake. */
const shutdownGraceMs = 900;

async function loadFixtures(host: CliHost, path: string): Promise<MockOptions["subscriptions"]> {
  let text: string;
  try {
    text = await host.readTextFile(path);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new MockError("ERR_FIXTURE_UNREADABLE", `Cannot read fixtures file ${JSON.stringify(path)}: ${reason}`);
  }
  parseSubscriptions(text, path); // throws with the file name and JSON path of every problem
  return JSON.parse(text);
}

/**
 * Runs the CLI and resolves with the exit status once the process should end: at once for bad
 * input, after a signal for `serve`.
 */
export async function runCli(host: CliHost): Promise<number> {
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
    const subscriptions = args.fixtures === undefined ? undefined : await loadFixtures(host, args.fixtures);
    const logger = createLogger(args.logFormat, host.stderr);
    const server = await host.startMock({
      port: args.port,
      hostname: args.hostname,
      region: args.region,
      tokenLifetimeSeconds: args.tokenLifetimeSeconds,
      authFailureStyle: args.authFailureStyle,
      stsKeyInQuery: args.stsKeyInQuery,
      subscriptions,
      logger,
    });
    // Listen for signals before saying ready: a supervisor may signal as soon as it reads the line.
    const shutdownSignal = new Promise<string>((resolve) => host.onShutdownSignal(resolve));
    host.stdout(
      JSON.stringify({
        event: "ready",
        runtime: host.runtime,
        pid: host.pid,
        url: server.url,
        sts: server.sts,
        ws: server.ws,
        region: server.region,
        resources: server.resources,
        jwks: server.jwks,
      }),
    );
    const signal = await shutdownSignal;
    logger({ type: "shutdown", signal });
    await Promise.race([server.close(), new Promise((r) => setTimeout(r, shutdownGraceMs))]);
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
