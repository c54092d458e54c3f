import type { WSContext } from "hono/ws";

/** The open speech sockets of one mock, so shutting down can say goodbye to each (`1001`). */
export class SocketRegistry {
  #open = new Set<WSContext>();

  add(ws: WSContext): void {
    this.#open.add(ws);
  }

  delete(ws: WSContext): void {
    this.#open.delete(ws);
  }

  get size(): number {
    return this.#open.size;
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.#open) {
      try {
        ws.close(code, reason);
      } catch {
        // Already closing: nothing more to say to it.
      }
    }
    this.#open.clear();
  }
}
