/** Time from `spawn()` to the first stdout line (the ready line), over several runs. */
import { startProcess, stopProcess } from "../processes.ts";
import type { ServerSpec } from "../servers.ts";
import { root } from "../servers.ts";
import { median } from "./stats.ts";

export interface StartTime {
  medianMs: number;
  bestMs: number;
  samples: number[];
}

async function sample(spec: ServerSpec): Promise<number> {
  const started = await startProcess(spec.command, spec.args, root);
  await stopProcess(started.child);
  return started.readyMs;
}

/**
 * Samples each server `runs` times, taking turns so a burst of load on the machine hits all of
 * them alike; one untimed run each first fills the file and compile caches.
 */
export async function measureStartTimes(specs: readonly ServerSpec[], runs: number): Promise<StartTime[]> {
  for (const spec of specs) await sample(spec);
  const samples = specs.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, spec] of specs.entries()) samples[j]?.push(await sample(spec));
  }
  return samples.map((xs) => ({ medianMs: median(xs), bestMs: Math.min(...xs), samples: xs }));
}
