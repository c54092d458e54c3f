/**
 * Authenticated WebSocket handshakes, two ways: `rawHandshake` writes a canned RFC 6455 upgrade
 * request on a bare `node:net` socket (cheap, for the handshake rate, so the figure measures the
 * server rather than the client), and `openSocket` opens a real `ws` client (for held connections).
 */
import { createHash } from "node:crypto";
import { connect } from "node:net";
import WebSocket from "ws";
import { devKey, handshakeHeaders, keyHeader } from "./dev-credentials.ts";

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

/** Where raw handshakes go: 127.0.0.1, a port, and the request target (path and query). */
export interface RawTarget {
  host: string;
  port: number;
  path: string;
  /** The credential header of each raw handshake: the dev key unless given (`Authorization: Bearer <jwt>`). */
  credential?: readonly [name: string, value: string];
}

/** `ws://host:port/path?query` as a raw target; only loopback addresses are accepted. */
export function rawTarget(url: string, credential?: readonly [name: string, value: string]): RawTarget {
  const u = new URL(url);
  if (u.protocol !== "ws:" || u.hostname !== "127.0.0.1") throw new Error(`Expected a ws://127.0.0.1 URL, got ${url}`);
  return { host: u.hostname, port: Number(u.port), path: `${u.pathname}${u.search}`, ...(credential ? { credential } : {}) };
}

// A fixed, valid Sec-WebSocket-Key (the base64 of 16 bytes) and the accept value RFC 6455 derives from it.
export const wsKey = "c3BlZWNobW9jay1iZW5jaA==";
export const wsAccept = createHash("sha1").update(`${wsKey}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
// A close frame with no payload, masked as every client frame must be (FIN + opcode 8, mask bit + length 0, mask key).
const maskedClose = Buffer.from([0x88, 0x80, 0x5e, 0xec, 0x4d, 0x0c]);
const connectionIdHeader = "X-ConnectionId";

export type RawOutcome = { ok: true } | { ok: false; why: string };

/** The canned request for `target`, split around the connection id so only the id is new each time. */
function cannedRequest(target: RawTarget): { head: string; tail: string } {
  const [credentialName, credentialValue] = target.credential ?? [keyHeader, devKey];
  const head =
    `GET ${target.path} HTTP/1.1\r\n` +
    `Host: ${target.host}:${target.port}\r\n` +
    "Upgrade: websocket\r\n" +
    "Connection: Upgrade\r\n" +
    `Sec-WebSocket-Key: ${wsKey}\r\n` +
    "Sec-WebSocket-Version: 13\r\n" +
    `${credentialName}: ${credentialValue}\r\n` +
    `${connectionIdHeader}: `;
  return { head, tail: "\r\n\r\n" };
}

const requests = new WeakMap<RawTarget, { head: string; tail: string }>();

/** The reason header of a refused handshake, for the error message (empty when there is none). */
export function reasonOf(headers: string): string {
  return /^x-speechmock-reason:\s*(.*)$/im.exec(headers)?.[1]?.trim() ?? "";
}

/**
 * One handshake on a bare socket: writes the canned upgrade request, reads up to the end of the
 * response headers and checks for `HTTP/1.1 101` with the right Sec-WebSocket-Accept, then sends
 * a masked close frame and ends. `onResult` is called once, as soon as the response is judged;
 * `onDone` once the socket is closed (or cut after `timeoutMs`), so a slot is freed only then.
 */
export function rawHandshake(target: RawTarget, timeoutMs: number, onResult: (outcome: RawOutcome) => void, onDone: () => void): void {
  let request = requests.get(target);
  if (!request) {
    request = cannedRequest(target);
    requests.set(target, request);
  }
  const connectionId = handshakeHeaders()[connectionIdHeader] as string;
  const socket = connect({ host: target.host, port: target.port, noDelay: true });
  let received = "";
  let judged = false;
  const judge = (outcome: RawOutcome) => {
    if (judged) return;
    judged = true;
    onResult(outcome);
  };
  socket.setTimeout(timeoutMs, () => {
    judge({ ok: false, why: `no response within ${timeoutMs} ms` });
    socket.destroy();
  });
  socket.on("error", (err) => judge({ ok: false, why: err.message }));
  socket.on("close", () => {
    judge({ ok: false, why: "closed before the end of the response headers" });
    onDone();
  });
  const onData = (chunk: Buffer) => {
    received += chunk.toString("latin1");
    const end = received.indexOf("\r\n\r\n");
    if (end === -1) return;
    socket.off("data", onData);
    // Anything after the headers (the server's close frame) is read and dropped.
    socket.on("data", () => {});
    const headers = received.slice(0, end);
    if (headers.startsWith("HTTP/1.1 101 ") && headers.includes(wsAccept)) {
      judge({ ok: true });
      socket.end(maskedClose);
      return;
    }
    const status = headers.slice(0, headers.indexOf("\r\n"));
    const why = status.startsWith("HTTP/1.1 101") ? `${status} without Sec-WebSocket-Accept: ${wsAccept}` : status;
    judge({ ok: false, why: `${why} ${reasonOf(headers)}`.trim() });
    socket.destroy();
  };
  socket.on("data", onData);
  socket.write(`${request.head}${connectionId}${request.tail}`, "latin1");
}
