/**
 * Handshakes no WebSocket library would send, as exact bytes on a raw TCP socket, against the real
 * `speechmock serve` under Node and Deno: an h2c upgrade (what `curl --http2` sends) to any path,
 * `Upgrade: websocket` without `Connection: Upgrade`, a bad subprotocol, an HTTP/1.0 or versionless
 * request line, HEAD, two Authorization headers. Each is answered (every read has a timeout, so a
 * hang fails instead of stalling), never upgraded unless valid, journaled and logged as what the
 * client got, and its socket is left closed or reusable.
 */
import { randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import t from "tap";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";

const interactive = "/speech/recognition/interactive/cognitiveservices/v1";
const reasonHeader = "x-speechmock-reason";
/** How long any read waits: a hang is a failure, not a stalled suite. */
const readTimeoutMs = 3_000;
const websocketHeaders = "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
const h2cHeaders = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n";

/** A tap test object, as its subtest callbacks receive it. */
type Assert = Parameters<Parameters<typeof t.test>[0]>[0];

interface Reply {
  statusLine: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One TCP connection, read with a timeout on every wait. */
class RawConnection {
  #buffer = "";
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  static open(mock: SpawnedMock): Promise<RawConnection> {
    const { hostname, port } = new URL(mock.ready.url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: string): void {
    this.socket.write(bytes, "latin1");
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves once `ready()` holds or the socket closes; rejects after `ms`. */
  async #until(ready: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ready() && !this.#closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${what} within ${ms} ms; got ${JSON.stringify(this.#buffer.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** The next response: its head, and a body of its Content-Length (none after HEAD or a 101). */
  async response(opts: { head?: boolean } = {}): Promise<Reply> {
    await this.#until(() => this.#buffer.includes("\r\n\r\n"), readTimeoutMs, "response head");
    const end = this.#buffer.indexOf("\r\n\r\n");
    if (end === -1) throw new Error(`The connection closed before a response head: ${JSON.stringify(this.#buffer)}`);
    const [statusLine = "", ...lines] = this.#buffer.slice(0, end).split("\r\n");
    this.#buffer = this.#buffer.slice(end + 4);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(" ")[1]);
    const length = opts.head || status === 101 ? 0 : Number(headers["content-length"] ?? 0);
    await this.#until(() => this.#buffer.length >= length, readTimeoutMs, `body of ${length} bytes`);
    const body = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.slice(length);
    return { statusLine, status, headers, body };
  }

  /**
   * Closed by the server, or still serving: a health request on the same connection is answered.
   * Either way the connection neither hangs nor leaks.
   */
  async settled(): Promise<"closed" | "reusable"> {
    await this.#until(() => false, 200, "close").catch(() => {});
    if (this.#closed) return "closed";
    this.write("GET /__speechmock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const reply = await this.response();
    if (reply.status !== 200) throw new Error(`The reused connection answered ${reply.statusLine}`);
    return "reusable";
  }
}

const newConnectionId = () => randomUUID().replaceAll("-", "").toUpperCase();

/** Sends `bytes` on a fresh connection and returns the first response, then closes it. */
async function exchange(mock: SpawnedMock, bytes: string, opts: { head?: boolean } = {}) {
  const conn = await RawConnection.open(mock);
  conn.write(bytes);
  try {
    const reply = await conn.response(opts);
    const after = reply.status === 101 ? "upgraded" : await conn.settled();
    return { reply, after };
  } finally {
    conn.destroy();
  }
}

interface Expected {
  status: number;
  reason: string;
}

/** The journal's handshake entries for one connection id, from the admin URL of the ready line. */
async function journaled(mock: SpawnedMock, connectionId: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${mock.ready.admin}/journal?type=handshake&connectionId=${connectionId}`, {
    signal: AbortSignal.timeout(readTimeoutMs),
  });
  const page = (await res.json()) as { entries?: Record<string, unknown>[] };
  return page.entries ?? [];
}

/** The refusal as the client got it, and as the journal and the log line tell it: the same status and reason. */
async function expectRefusal(
  t: Assert,
  mock: SpawnedMock,
  bytes: string,
  connectionId: string,
  e: Expected,
  opts: { head?: boolean } = {},
) {
  const { reply, after } = await exchange(mock, bytes, opts);
  t.equal(reply.status, e.status, `answered ${e.status}: ${reply.statusLine}`);
  t.equal(reply.headers[reasonHeader], e.reason, "X-Speechmock-Reason");
  if (!opts.head)
    t.match(JSON.parse(reply.body), { error: { code: String(e.status), message: String, reason: e.reason } }, "the JSON body");
  t.not(after, "upgraded", `the connection is ${after}, not upgraded`);
  const log = await mock.waitForLog((l) => l.event === "handshake" && l.connectionId === connectionId);
  t.match(log, { decision: "reject", status: e.status, reason: e.reason }, "the log line says what the client got");
  const entries = await journaled(mock, connectionId);
  t.equal(entries.length, 1, "one journal entry");
  t.match(
    entries[0],
    { type: "handshake", decision: "reject", status: e.status, reason: e.reason },
    "the journal says what the client got",
  );
  return reply;
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => {}));
    const resource = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    const key = resource?.keys[0] ?? "";
    const credentialed = (connectionId: string) => `Ocp-Apim-Subscription-Key: ${key}\r\nX-ConnectionId: ${connectionId}\r\n`;
    const speech = `${interactive}?language=en-US`;

    t.test("an h2c upgrade to the health endpoint is answered as plain HTTP/1.1", async (t) => {
      const { reply, after } = await exchange(mock, `GET /__speechmock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${h2cHeaders}\r\n`);
      t.equal(reply.status, 200, reply.statusLine);
      t.same(JSON.parse(reply.body), { status: "ok" });
      // Deno's `node:http` answers the h2c request but then closes the connection (a socket handed
      // to another server object, see answerOtherUpgradesAsPlain, serves one request there).
      t.equal(
        after,
        "reusable",
        "the connection serves the next request",
        runtime === "deno" ? { todo: "Deno closes it after the answer" } : {},
      );
    });

    t.test("a request pipelined behind an h2c upgrade is answered too", async (t) => {
      const conn = await RawConnection.open(mock);
      try {
        const health = "GET /__speechmock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        conn.write(`${health}${h2cHeaders}\r\n${health}\r\n`);
        t.equal((await conn.response()).status, 200, "the h2c request");
        t.equal((await conn.response()).status, 200, "the request behind it");
      } finally {
        conn.destroy();
      }
    });

    t.test("an h2c upgrade to the token service gets a token", async (t) => {
      const bytes = `POST /sts/v1.0/issueToken HTTP/1.1\r\nHost: 127.0.0.1\r\n${h2cHeaders}Ocp-Apim-Subscription-Key: ${key}\r\n\r\n`;
      const { reply, after } = await exchange(mock, bytes);
      t.equal(reply.status, 200, reply.statusLine);
      t.match(reply.body, /^[\w-]+\.[\w-]+\.[\w-]+$/, "a JWT");
      t.not(after, "upgraded");
    });

    t.test("an h2c upgrade with a body to the token service is answered", async (t) => {
      const bytes = `POST /sts/v1.0/issueToken HTTP/1.1\r\nHost: 127.0.0.1\r\n${h2cHeaders}Ocp-Apim-Subscription-Key: ${key}\r\nContent-Length: 0\r\n\r\n`;
      const { reply, after } = await exchange(mock, bytes);
      t.equal(reply.status, 200, reply.statusLine);
      t.not(after, "upgraded");
    });

    t.test("an h2c upgrade to a speech path is a request without a WebSocket upgrade: 426", async (t) => {
      const id = newConnectionId();
      const bytes = `GET ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\n${h2cHeaders}${credentialed(id)}\r\n`;
      await expectRefusal(t, mock, bytes, id, { status: 426, reason: "request.not_websocket" });
    });

    t.test("Upgrade: websocket with Connection: keep-alive is refused, not accepted then failed", async (t) => {
      const id = newConnectionId();
      const bytes = `GET ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n${websocketHeaders}${credentialed(id)}\r\n`;
      await expectRefusal(t, mock, bytes, id, { status: 400, reason: "request.connection_not_upgrade" });
    });

    t.test("a Sec-WebSocket-Protocol that is not a list of tokens is refused before the upgrade", async (t) => {
      const id = newConnectionId();
      const bytes = `GET ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}Sec-WebSocket-Protocol: a b, c\r\n${credentialed(id)}\r\n`;
      await expectRefusal(t, mock, bytes, id, { status: 400, reason: "request.subprotocol_invalid" });
    });

    t.test("an upgrade in an HTTP/1.0 request line is refused", async (t) => {
      const id = newConnectionId();
      const bytes = `GET ${speech} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}${credentialed(id)}\r\n`;
      await expectRefusal(t, mock, bytes, id, { status: 400, reason: "request.http_version_invalid" });
    });

    t.test("a HEAD upgrade is refused with 405 and Allow: GET", async (t) => {
      const id = newConnectionId();
      const bytes = `HEAD ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}${credentialed(id)}\r\n`;
      const reply = await expectRefusal(t, mock, bytes, id, { status: 405, reason: "request.method_invalid" }, { head: true });
      t.equal(reply.headers.allow, "GET", "Allow");
    });

    t.test("an upgrade in a request line without a version gets 400 and never upgrades", async (t) => {
      const id = newConnectionId();
      const bytes = `GET ${speech}\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}${credentialed(id)}\r\n`;
      const { reply, after } = await exchange(mock, bytes);
      t.equal(reply.status, 400, reply.statusLine);
      t.not(after, "upgraded");
      const accepted = mock.logs.filter((l) => l.event === "handshake" && l.connectionId === id && l.decision === "accept");
      t.same(accepted, [], "no accept logged");
    });

    t.test("an upgrade whose target and Host form no URL gets 400 with a JSON body, not silence", async (t) => {
      // Found by the handshake fuzz: `@hono/node-server` could not build the URL and nobody answered.
      const { port } = new URL(mock.ready.url);
      for (const [target, host] of [
        ["*", `127.0.0.1:${port}`],
        [speech, `127.0.0.1:${port}x`],
        [speech, "a b"],
        ["/\\speech", `127.0.0.1:${port}`],
      ]) {
        const id = newConnectionId();
        const { reply, after } = await exchange(
          mock,
          `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\n${websocketHeaders}${credentialed(id)}\r\n`,
        );
        t.equal(reply.status, 400, `${target} at ${host}: ${reply.statusLine}`);
        t.match(JSON.parse(reply.body), { error: { code: "400", message: /do not form a URL/ } });
        t.equal(after, "closed");
      }
    });

    t.test("two Authorization headers are refused as auth.ambiguous, even two valid ones", async (t) => {
      const token = await (
        await fetch(mock.ready.sts, {
          method: "POST",
          headers: { "Ocp-Apim-Subscription-Key": key },
          signal: AbortSignal.timeout(readTimeoutMs),
        })
      ).text();
      const id = newConnectionId();
      const auth = `Authorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\n`;
      const bytes = `GET ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}${auth}X-ConnectionId: ${id}\r\n\r\n`;
      await expectRefusal(t, mock, bytes, id, { status: 403, reason: "auth.ambiguous" });
    });

    t.test("two subscription key headers are refused as auth.ambiguous", async (t) => {
      const id = newConnectionId();
      const keys = `Ocp-Apim-Subscription-Key: ${key}\r\nOcp-Apim-Subscription-Key: ${key}\r\n`;
      const bytes = `GET ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}${keys}X-ConnectionId: ${id}\r\n\r\n`;
      await expectRefusal(t, mock, bytes, id, { status: 403, reason: "auth.ambiguous" });
    });

    t.test("the same bytes with a valid handshake are accepted: 101, journaled and logged as accepted", async (t) => {
      const id = newConnectionId();
      const bytes = `GET ${speech} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n${websocketHeaders}Sec-WebSocket-Protocol: a, b\r\n${credentialed(id)}\r\n`;
      const { reply, after } = await exchange(mock, bytes);
      t.equal(reply.status, 101, reply.statusLine);
      t.equal(after, "upgraded");
      const log = await mock.waitForLog((l) => l.event === "handshake" && l.connectionId === id);
      t.match(log, { decision: "accept", status: 101, reason: "handshake.accepted_key" });
      t.match(await journaled(mock, id), [{ decision: "accept", status: 101 }]);
    });
  });
}
