/**
 * The programmatic API on Deno, as a Deno user would call it (`deno.json` maps `speechmock` to the
 * Deno entry point). Prints one JSON line with what it saw; `start.test.ts` runs it and checks it.
 *
 * Deno's WebSocket, like a browser's, cannot set headers: the credential and the connection id go
 * in the query string.
 */
import { startMock } from "speechmock";

/** The browser-style WebSocket that Deno has as a global (Node 20's types do not declare one). */
interface BrowserWebSocket extends EventTarget {
  close(code?: number): void;
}
const { WebSocket } = globalThis as unknown as { WebSocket: new (url: string) => BrowserWebSocket };

const connectionId = () => crypto.randomUUID().replaceAll("-", "");
/** `promise`, or `fallback` after `ms`; the timer is cleared so it does not hold the process open. */
async function within<T, F>(ms: number, promise: Promise<T>, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a socket with a bearer token in the query; resolves with whether it opened and, later, how it closed. */
function connect(ws: string, token: string) {
  const query = `language=en-US&Authorization=${encodeURIComponent(`Bearer ${token}`)}&X-ConnectionId=${connectionId()}`;
  const socket = new WebSocket(`${ws}/speech/recognition/interactive/cognitiveservices/v1?${query}`);
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve((e as Event & { code: number }).code)));
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener("open", () => resolve(true));
    socket.addEventListener("error", () => resolve(false));
  });
  return { socket, opened: within(5_000, opened, false), closed };
}

const result: Record<string, unknown> = {};
let accepted: ReturnType<typeof connect> | undefined;
{
  await using mock = await startMock({ port: 0 });
  result.runtime = mock.runtime;
  result.url = mock.url;
  result.sts = mock.sts;
  result.ws = mock.ws;
  result.region = mock.region;
  result.resources = mock.resources.map((r) => r.name);
  result.jwksKids = mock.jwks.keys.map((k) => k.kid);

  const resource = mock.resources.find((r) => r.region === mock.region && r.state === "enabled");
  const res = await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": resource?.keys[0] ?? "" } });
  const token = await res.text();
  result.issueToken = { status: res.status, contentType: res.headers.get("content-type"), parts: token.split(".").length };

  accepted = connect(mock.ws, token);
  result.tokenOpened = await accepted.opened;
  const expired = connect(mock.ws, await mock.mintToken({ expiresIn: -1 }));
  result.expiredOpened = await expired.opened;
  expired.socket.close();
}
// The block has ended: the mock closed the open socket and stopped listening.
result.closeCode = await within(5_000, accepted.closed, null);
result.afterClose = await fetch(String(result.sts), { method: "POST" }).then(
  (r) => `answered ${r.status}`,
  () => "refused",
);
console.log(JSON.stringify(result));
