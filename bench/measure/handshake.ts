/** One authenticated WebSocket handshake from the `ws` client, bounded in time. */
import WebSocket from "ws";
import { handshakeHeaders } from "./dev-credentials.ts";

export type Attempt = { ok: true; ws: WebSocket } | { ok: false; why: string };

/** Resolves with the open socket, or with why it did not open within `timeoutMs`. */
export function openSocket(url: string, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: handshakeHeaders(), perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let settled = false;
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!attempt.ok) ws.terminate();
      resolve(attempt);
    };
    const timer = setTimeout(() => settle({ ok: false, why: `no open within ${timeoutMs} ms` }), timeoutMs);
    // After the open, errors (a reset at shutdown) are the holder's business, not a failure here.
    ws.on("error", (err) => settle({ ok: false, why: err.message }));
    ws.on("unexpected-response", (req, res) => {
      req.destroy();
      settle({ ok: false, why: `HTTP ${res.statusCode} ${res.headers["x-speechmock-reason"] ?? ""}`.trim() });
    });
    ws.on("open", () => settle({ ok: true, ws }));
  });
}

/** Closes an open socket with the closing handshake; resolves once it is closed (or cut after `timeoutMs`). */
export function closeSocket(ws: WebSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}
