/** Resident memory of a server holding many open, authenticated, idle WebSockets. */
import { setTimeout as sleep } from "node:timers/promises";
import type { Memory } from "../report/rows.ts";
import { holdConnections } from "./held-connections.ts";
import { residentKiB } from "./proc.ts";

/** Opens `count` connections, waits `settleMs`, reads VmRSS, then cuts them all and waits again. */
export async function measureHeldMemory(
  server: { pid: number; wsUrl: string },
  idleKiB: number,
  count: number,
  batch: number,
  settleMs: number,
): Promise<Memory> {
  const held = await holdConnections(server.wsUrl, count, batch);
  try {
    await sleep(settleMs);
    return { idleKiB, heldKiB: residentKiB(server.pid), held: held.openCount(), failures: held.failures, firstFailure: held.firstFailure };
  } finally {
    held.release();
    await sleep(settleMs);
  }
}
