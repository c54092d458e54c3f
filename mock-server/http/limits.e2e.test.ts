/**
 * The server's limits as a client meets them, on raw sockets against the real `speechmock serve`:
 * past `--max-connections` a handshake or a request gets `503` with `Retry-After: 1` and the reason
 * `limit.connections`, logged, and is served again once a connection closes; past
 * `--max-handshakes` a handshake gets `limit.handshakes` while other requests pass; a client that
 * never finishes its head, or whose body trickles, is cut off. Node and Deno alike. Every wait is
 * bounded, so a hang fails instead of stalling.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import t from "tap";
import WebSocket from "ws";
import { runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";

const interactive = "/speech/recognition/interactive/cognitiveservices/v1?language=en-US";
/** How long any wait lasts before it fails. */
const boundMs = 8_000;

/** Opens a raw connection, writes `bytes`, and resolves with everything read until the server closes it (or `boundMs`). */
async function rawUntilClosed(mock: SpawnedMock, bytes: string, opts: { endAfterHead?: boolean } = {}) {
  const { hostname, port } = new URL(mock.ready.url);
  const socket: Socket = connect({ host: hostname, port: Number(port) });
  await once(socket, "connect");
  let received = "";
  socket.setEncoding("latin1");
  socket.on("data", (d: string) => {
    received += d;
    // A refusal with a body of known length: enough to judge, even if the server keeps the socket.
    if (opts.endAfterHead && received.includes("\r\n\r\n")) socket.destroy();
  });
  socket.on("error", () => {});
  socket.write(bytes, "latin1");
  const closed = await Promise.race([once(socket, "close").then(() => true), new Promise<boolean>((r) => setTimeout(r, boundMs, false))]);
  socket.destroy();
  return { closed, received };
}

const statusOf = (received: string) => Number(received.split(" ")[1]);
const headerOf = (received: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*)$`, "im").exec(received.slice(0, received.indexOf("\r\n\r\n")))?.[1]?.trim();

/** Opens a speech WebSocket with a valid key and resolves once it is open. */
async function openSpeechSocket(mock: SpawnedMock, key: string): Promise<WebSocket> {
  const id = randomUUID().replaceAll("-", "");
  const ws = new WebSocket(`${mock.ready.ws}${interactive}&X-ConnectionId=${id}`, { headers: { "Ocp-Apim-Subscription-Key": key } });
  ws.on("error", () => {});
  await Promise.race([once(ws, "open"), new Promise((_, reject) => setTimeout(reject, boundMs, new Error("The WebSocket did not open")))]);
  return ws;
}

/** Health, retried until 200, for at most `boundMs`: the server frees a slot once it sees a close. */
async function healthAgain(mock: SpawnedMock): Promise<number> {
  const deadline = Date.now() + boundMs;
  let status = 0;
  while (Date.now() < deadline) {
    const res = await fetch(`${mock.ready.admin}/health`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    status = res.status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return status;
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}, past --max-connections 3`, async (t) => {
    const mock = await spawnMock(runtime, ["--max-connections", "3"]);
    t.teardown(() => mock.stop().then(() => {}));
    const key = mock.ready.resources.find((r) => r.state === "enabled")?.keys[0] ?? "";
    const open = [await openSpeechSocket(mock, key), await openSpeechSocket(mock, key), await openSpeechSocket(mock, key)];
    t.teardown(() => {
      for (const ws of open) ws.terminate();
    });

    t.test("a fourth handshake gets 503, Retry-After: 1 and the reason limit.connections", async (t) => {
      const handshake =
        `GET ${interactive} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOcp-Apim-Subscription-Key: ${key}\r\n\r\n`;
      const { received } = await rawUntilClosed(mock, handshake, { endAfterHead: true });
      t.equal(statusOf(received), 503, received.split("\r\n")[0] ?? "");
      t.equal(headerOf(received, "retry-after"), "1");
      t.equal(headerOf(received, "x-speechmock-reason"), "limit.connections");
    });

    t.test("a plain request gets 503 too, and the connection is closed", async (t) => {
      const request = "GET /__speechmock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      const { closed, received } = await rawUntilClosed(mock, request);
      t.equal(statusOf(received), 503, received.split("\r\n")[0] ?? "");
      t.equal(headerOf(received, "retry-after"), "1");
      t.equal(headerOf(received, "x-speechmock-reason"), "limit.connections");
      t.ok(closed, "closed");
    });

    t.test("the refusal is logged with the limit", async (t) => {
      const line = await mock.waitForLog((l) => l.event === "error" && String(l.message).includes("limit.connections"));
      t.match(line.message, /^Refused GET \/\S+ with 503 limit\.connections: 3 of --max-connections 3 in use/);
    });

    t.test("once a socket closes, requests are served again", async (t) => {
      const ws = open.pop() as WebSocket;
      ws.close();
      t.equal(await healthAgain(mock), 200);
    });

    t.test("and the journal has every refusal, though the log has at most one a second", async (t) => {
      const res = await fetch(`${mock.ready.admin}/journal?type=request.refused`);
      const { entries } = (await res.json()) as {
        entries: { method: string; path: string; status: number; reason: string; max: number }[];
      };
      t.ok(entries.length >= 2, `${entries.length} refusals journaled`);
      t.ok(entries.every((e) => e.status === 503 && e.reason === "limit.connections" && e.max === 3));
      t.ok(
        entries.some((e) => e.path === "/speech/recognition/interactive/cognitiveservices/v1"),
        "the handshake",
      );
      t.ok(
        entries.some((e) => e.path === "/__speechmock/health"),
        "the plain request",
      );
    });
  });
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}, past --max-handshakes 2, with handshakes held by a fault rule`, async (t) => {
    const mock = await spawnMock(runtime, ["--max-handshakes", "2"]);
    t.teardown(() => mock.stop().then(() => {}));
    const key = mock.ready.resources.find((r) => r.state === "enabled")?.keys[0] ?? "";
    const json = { "Content-Type": "application/json" };
    const rule = { target: "handshake", times: 2, action: { kind: "hang" } };
    t.equal((await fetch(`${mock.ready.admin}/faults`, { method: "POST", headers: json, body: JSON.stringify(rule) })).status, 201);
    const handshake = () =>
      `GET ${interactive} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOcp-Apim-Subscription-Key: ${key}\r\n` +
      `X-ConnectionId: ${randomUUID().replaceAll("-", "")}\r\n\r\n`;
    const { hostname, port } = new URL(mock.ready.url);
    const held = await Promise.all(
      [0, 1].map(async () => {
        const socket = connect({ host: hostname, port: Number(port) });
        socket.on("error", () => {});
        await once(socket, "connect");
        socket.write(handshake());
        return socket;
      }),
    );
    await mock.waitForLog((l) => l.event === "fault" && l.target === "handshake");
    await new Promise((r) => setTimeout(r, 100));

    t.test("a third handshake gets 503 limit.handshakes", async (t) => {
      const { received } = await rawUntilClosed(mock, handshake());
      t.equal(statusOf(received), 503, received.split("\r\n")[0] ?? "");
      t.equal(headerOf(received, "retry-after"), "1");
      t.equal(headerOf(received, "x-speechmock-reason"), "limit.handshakes");
      t.match(received.slice(received.indexOf("\r\n\r\n") + 4), /"Too many handshakes in progress \(at most 2\)/, "the JSON body");
    });

    t.test("other requests are still served", async (t) => {
      const res = await fetch(`${mock.ready.admin}/health`, { signal: AbortSignal.timeout(boundMs) });
      t.equal(res.status, 200);
    });

    t.test("once the held clients leave, their places are free: a handshake opens", async (t) => {
      for (const socket of held) socket.destroy();
      const deadline = Date.now() + boundMs;
      let opened: WebSocket | undefined;
      while (!opened && Date.now() < deadline) {
        opened = await openSpeechSocket(mock, key).catch(() => undefined);
        if (!opened) await new Promise((r) => setTimeout(r, 50));
      }
      t.ok(opened, "opened");
      opened?.terminate();
    });

    t.test("the refusal is journaled and logged with its cap", async (t) => {
      const { entries } = (await (await fetch(`${mock.ready.admin}/journal?type=request.refused`)).json()) as {
        entries: Record<string, unknown>[];
      };
      t.match(entries, [{ status: 503, reason: "limit.handshakes", inUse: 2, max: 2 }]);
      const line = await mock.waitForLog((l) => l.event === "error" && String(l.message).includes("limit.handshakes"));
      t.match(line.message, /^Refused GET \/\S+ with 503 limit\.handshakes: 2 of --max-handshakes 2 in use/);
    });
  });
}

for (const runtime of runtimes)
  t.test(`on ${runtime}, with --header-timeout 1 --body-timeout 1`, async (t) => {
    const mock = await spawnMock(runtime, ["--header-timeout", "1", "--body-timeout", "1"]);
    t.teardown(() => mock.stop().then(() => {}));

    t.test("a client that never finishes its request line is dropped", async (t) => {
      const { closed, received } = await rawUntilClosed(mock, "GET /__speechmock/health HTT");
      t.ok(closed, "closed by the server");
      t.ok(received === "" || statusOf(received) === 408, `nothing or 408: ${JSON.stringify(received.slice(0, 40))}`);
    });

    t.test("a request whose body never arrives whole is cut: 408 and closed", async (t) => {
      // An unrouted POST: the mock reads a body to its end before answering it.
      const head = "POST /no/such/path HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n";
      const { closed, received } = await rawUntilClosed(mock, `${head}0123456789`);
      t.ok(closed, "closed by the server");
      t.ok(received === "" || statusOf(received) === 408, `nothing or 408: ${JSON.stringify(received.slice(0, 40))}`);
    });

    t.test("a token request whose body trickles is answered from its head and not held open", async (t) => {
      const key = mock.ready.resources.find((r) => r.state === "enabled")?.keys[0] ?? "";
      const head = `POST /sts/v1.0/issueToken HTTP/1.1\r\nHost: 127.0.0.1\r\nOcp-Apim-Subscription-Key: ${key}\r\nContent-Length: 100\r\n\r\n`;
      const { closed } = await rawUntilClosed(mock, `${head}0123456789`);
      t.ok(closed, "closed by the server");
    });

    t.test("a whole request is still answered", async (t) => {
      const res = await fetch(`${mock.ready.admin}/health`, { signal: AbortSignal.timeout(boundMs) });
      t.equal(res.status, 200);
    });
  });
