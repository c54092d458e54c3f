/**
 * A client given as code rather than a command: a JavaScript or TypeScript library runs the same
 * cases inside its own test suite. It gets the same environment (as an object) and reports the
 * same events, which are checked against the same schema.
 */
import type { ClientEvent, ContractEnv } from "../contract.ts";
import type { ClientRun } from "./client-run.ts";
import { EventCollector } from "./event-collector.ts";

export interface InProcessClient {
  /** Shown in reports where a command would be. */
  name: string;
  /**
   * Runs one case's plan. Resolve when done (also after reporting an error event); a rejection
   * is a crash (ERROR). `signal` aborts at the case's time limit: stop timers and close sockets.
   */
  run(env: ContractEnv, report: (event: ClientEvent) => void, signal: AbortSignal): Promise<void>;
}

export async function runInProcess(client: InProcessClient, env: ContractEnv, timeoutMs: number): Promise<ClientRun> {
  const collector = new EventCollector();
  const controller = new AbortController();
  let done = false;
  const report = (event: ClientEvent) => {
    if (!done) collector.line(JSON.stringify(event));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let crash: string | undefined;
  const outcome = await Promise.race([
    client.run(env, report, controller.signal).then(
      () => "done" as const,
      (err: unknown) => {
        crash = err instanceof Error ? `${err.name}: ${err.message}` : `Threw ${JSON.stringify(err)}`;
        return "crashed" as const;
      },
    ),
    limit,
  ]);
  clearTimeout(timer);
  done = true;
  if (outcome === "timeout") controller.abort(new Error(`The case's ${timeoutMs} ms are up`));
  return {
    exitCode: null,
    signal: null,
    timedOut: outcome === "timeout",
    crash,
    ...collector.result(),
    stdout: "",
    stderr: crash ?? "",
  };
}
