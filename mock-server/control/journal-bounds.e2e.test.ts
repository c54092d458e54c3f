/**
 * The journal stays bounded and readable under requests with huge query strings, on the real
 * command under Node and Deno (issue 10, item 6): 10,000 refused handshakes with a 60 KiB query
 * once took Deno to 734 MiB and made `GET <admin>/journal` answer 500.
 */
import { connect } from "node:net";
import t from "tap";
import { rssMiB } from "../../test/support/process-memory.ts";
import { runCommand, runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";

const requests = 2000;
/**
 * The HTTP parser (Node's, and Deno's `node:http`) refuses a request head over 16 KiB
 * (`--max-http-header-size`) with 431 before the mock sees it, so the query is 15 KiB: the most
 * that reaches the mock.
 */
const queryBytes = 15 * 1024;
const wsPath = "/speech/recognition/interactive/cognitiveservices/v1";

/** The status line a raw upgrade request for `target` gets, over its own socket. */
function rawUpgrade(mock: SpawnedMock, target: string): Promise<string> {
  const { hostname, port, host } = new URL(mock.ready.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let head = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      head += chunk;
      const end = head.indexOf("\r\n");
      if (end !== -1) {
        socket.destroy();
        resolve(head.slice(0, end));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(head.split("\r\n")[0] ?? ""));
  });
}

/** `count` refused handshakes (no credentials), each with a `bytes`-long query value, 16 at a time. */
async function flood(mock: SpawnedMock, count: number, bytes: number): Promise<Map<string, number>> {
  const statuses = new Map<string, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      const n = sent++;
      const line = await rawUpgrade(mock, `${wsPath}?language=en-US&n=${n}&pad=${"a".repeat(bytes)}`);
      statuses.set(line, (statuses.get(line) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return statuses;
}

type Page = { entries: { seq: number; type: string; query?: Record<string, string> }[]; next?: number; more: boolean } & Record<
  string,
  unknown
>;

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const [mock, small] = await Promise.all([
      spawnMock(runtime, ["--log-format", "none"]),
      spawnMock(runtime, ["--log-format", "none", "--journal-bytes", "1048576"]),
    ]);
    t.teardown(async () => {
      await Promise.all([mock.stop(), small.stop()]);
    });
    const bytes = queryBytes;

    t.test(`${requests} refused handshakes with a ${bytes / 1024} KiB query: the journal answers 200, bounded, RSS bounded`, async (t) => {
      const rssBefore = rssMiB(mock.ready.pid);
      const statuses = await flood(mock, requests, bytes);
      t.same([...statuses], [["HTTP/1.1 403 Forbidden", requests]], "every one refused: no credentials");
      const rssAfter = rssMiB(mock.ready.pid);

      const res = await fetch(`${mock.ready.admin}/journal?type=handshake`);
      const text = await res.text();
      t.equal(res.status, 200);
      const page = JSON.parse(text) as Page;
      t.equal(page.entries.length, 1000, "a page of 1000 without limit");
      t.equal(page.more, true);
      t.equal(page.next, page.entries.at(-1)?.seq, "next: the last entry's seq");
      t.ok(text.length < 4 * 1024 * 1024, `the page is ${(text.length / 2 ** 20).toFixed(2)} MiB`);
      t.equal(page.entries[0]?.query?.language, "en-US");
      t.equal(page.entries[0]?.query?.pad, `${"a".repeat(1024)}…(+${bytes - 1024} chars)`, "each query value cut to 1 KiB, with a marker");

      const rest = (await (await fetch(`${mock.ready.admin}/journal?type=handshake&since=${page.next}`)).json()) as Page;
      t.same([rest.entries.length, rest.more, rest.next], [requests - 1000, false, undefined], "the following page ends it");
      t.equal(rest.dropped, 0);
      t.ok((rest.bytes as number) < 8 * 1024 * 1024, `the journal holds ${((rest.bytes as number) / 2 ** 20).toFixed(1)} MiB, estimated`);

      // Sixteen requests are in flight at a time, so the last two journaled are the last two of
      // `rest`, in the journal's order, not necessarily requests 1998 and 1999.
      const newest = (await (await fetch(`${mock.ready.admin}/journal?limit=2`)).json()) as Page;
      t.same(
        newest.entries.map((e) => e.seq),
        rest.entries.slice(-2).map((e) => e.seq),
        "limit: the newest",
      );

      // The queries sent weigh 2,000 x 15 KiB = 29 MiB. Kept whole, as before, that is what the
      // journal held (the issue measured 734 MiB of RSS for 10,000 60 KiB queries on Deno, when
      // Deno.serve took them); kept at 1 KiB each, it holds about 3 MiB. Measured: RSS grows about
      // 60 MiB on Node and 110-125 MiB on Deno, heap the runtime keeps rather than anything the
      // mock holds: with --journal-size 100, 16,000 such requests level off at +65 MiB (Node) and
      // +115 MiB (Deno). 150 MiB leaves room for that, and fails for the 60 KiB amplification.
      t.ok(rssAfter - rssBefore < 150, `RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB`);
      t.ok(rssAfter < 300, `RSS ${rssAfter.toFixed(0)} MiB after ${requests} requests`);
    });

    t.test("with --journal-bytes 1048576 the oldest entries go, counted as dropped", async (t) => {
      await flood(small, requests, bytes);
      const page = (await (await fetch(`${small.ready.admin}/journal?limit=1`)).json()) as Page;
      t.ok((page.bytes as number) <= 1048576, `holds ${page.bytes} bytes`);
      t.equal(page.maxBytes, 1048576);
      t.ok((page.dropped as number) > 0, `dropped ${page.dropped}`);
      t.equal((page.size as number) + (page.dropped as number), requests, "every entry kept or counted as dropped");
      // Sixteen in flight at a time: the newest journaled is one of the last sixteen sent.
      t.ok(Number(page.entries[0]?.query?.n) >= requests - 16, `the newest is kept: request ${page.entries[0]?.query?.n}`);
    });

    t.test("a request head over 16 KiB is refused by the HTTP parser (431): such a query never reaches the mock", async (t) => {
      t.equal(await rawUpgrade(mock, `${wsPath}?pad=${"a".repeat(60 * 1024)}`), "HTTP/1.1 431 Request Header Fields Too Large");
    });

    t.test("a bad --journal-bytes exits 2 with a precise message", async (t) => {
      const result = await runCommand(runtime, ["serve", "--port", "0", "--journal-bytes", "1000"]);
      t.equal(result.code, 2);
      t.equal(result.stdout, "");
      t.match(
        result.stderr,
        'Invalid value for --journal-bytes: "1000". Expected a number of bytes from 1048576 (1 MiB) to 4294967296 (4 GiB)',
      );
    });
  });
}
