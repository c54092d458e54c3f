/** Many open, authenticated, idle WebSockets, opened a batch at a time, for the memory figure. */
import type WebSocket from "ws";
import { openSocket } from "./handshake.ts";

export interface HeldConnections {
  sockets: WebSocket[];
  failures: number;
  firstFailure?: string;
  /** Sockets that are still open right now. */
  openCount(): number;
  /** Cuts every socket (no closing handshake: the server's side of it is not what is measured). */
  release(): void;
}

export async function holdConnections(url: string, count: number, batch: number, timeoutMs = 60_000): Promise<HeldConnections> {
  const sockets: WebSocket[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const deadline = performance.now() + timeoutMs;
  // Bounded by count; a batch that fails entirely or a spent deadline stops it early.
  for (let opened = 0; opened < count && performance.now() < deadline; ) {
    const size = Math.min(batch, count - opened);
    const attempts = await Promise.all(Array.from({ length: size }, () => openSocket(url, 10_000)));
    for (const attempt of attempts) {
      if (attempt.ok) {
        attempt.ws.on("error", () => {});
        sockets.push(attempt.ws);
      } else {
        failures++;
        firstFailure ??= attempt.why;
      }
    }
    opened += size;
    if (attempts.every((a) => !a.ok)) break;
  }
  return {
    sockets,
    failures,
    firstFailure,
    openCount: () => sockets.filter((ws) => ws.readyState === 1).length,
    release: () => {
      for (const ws of sockets) ws.terminate();
    },
  };
}
