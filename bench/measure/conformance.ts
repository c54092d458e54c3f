/**
 * Issue 5: the whole conformance suite against the reference client, timed from the command line
 * as a user runs it, beside a baseline measured in the same run: the same client interpreter
 * started and stopped once per case at the same concurrency, which is the part of the suite's
 * time a runner cannot remove.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { conformanceCases } from "../../entry/node.ts";
import { commandFor, denoBin, type RuntimeName, root } from "../../test/support/spawn.ts";

export interface ConformanceTiming {
  cases: number;
  passed: number;
  suiteSeconds: number;
  launchSeconds: number;
  exitCode: number | null;
}

/** The reference client on the same runtime as the runner. */
export const referenceClient = (runtime: RuntimeName): string =>
  runtime === "node" ? "node --import tsx fixtures/clients/reference/main.ts" : `${denoBin} run -A fixtures/clients/reference/main.ts`;

const idleClient = (runtime: RuntimeName): string => (runtime === "node" ? 'node --import tsx -e ""' : `${denoBin} eval ""`);
const concurrency = 4;

async function timed(command: string, args: string[]): Promise<{ seconds: number; code: number | null; stdout: string }> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const [code] = (await once(child, "close")) as [number | null];
  return { seconds: (performance.now() - started) / 1000, code, stdout };
}

export async function measureConformance(runtime: RuntimeName): Promise<ConformanceTiming> {
  const [command, args] = commandFor(runtime, [
    "conform",
    "--client",
    referenceClient(runtime),
    "--reporter",
    "json",
    "--concurrency",
    String(concurrency),
  ]);
  const suite = await timed(command, args);
  const report = JSON.parse(suite.stdout) as { results: { outcome: string }[] };
  const n = conformanceCases.length;
  // The same launches, in the same number of lanes: ceil(n / concurrency) after one another.
  const lanes = Array.from({ length: concurrency }, (_, lane) =>
    Array.from({ length: Math.ceil((n - lane) / concurrency) }, () => idleClient(runtime)).join(" && "),
  );
  const launch = await timed("/bin/sh", ["-c", `${lanes.map((l) => `(${l}) &`).join(" ")} wait`]);
  return {
    cases: report.results.length,
    passed: report.results.filter((r) => r.outcome === "PASS").length,
    suiteSeconds: suite.seconds,
    launchSeconds: launch.seconds,
    exitCode: suite.code,
  };
}
