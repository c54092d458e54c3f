/**
 * Frames that break RFC 6455, sent by hand on raw sockets to the real `speechmock serve` under Node
 * and Deno (issue 10, items 5, 8 and 9): each is failed with the same close code on both runtimes,
 * and the journal and the log say the server closed, with that code and why. A 60 MiB message is
 * refused at its header, not buffered; a ping flood from a client that does not read is closed
 * `1008` with a close frame. Everyone else keeps being served.
 */
import t from "tap";
import { rssMiB } from "../../test/support/process-memory.ts";
import { type Frame, RawWebSocket } from "../../test/support/raw-websocket.ts";
import { runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";

type Entry = Record<string, unknown>;

async function journal(mock: SpawnedMock, connectionId: string): Promise<Entry[]> {
  const res = await fetch(`${mock.ready.admin}/journal?connectionId=${connectionId}`, { signal: AbortSignal.timeout(3_000) });
  return ((await res.json()) as { entries: Entry[] }).entries;
}

interface Case {
  name: string;
  frames: Frame[];
  closeCode: number;
  code: string;
}

const text = (s: string) => new TextEncoder().encode(s);
const cases: Case[] = [
  {
    name: "an unmasked client frame",
    frames: [{ opcode: 0x1, payload: text("hi"), masked: false }],
    closeCode: 1002,
    code: "ERR_FRAME_UNMASKED",
  },
  {
    name: "a text frame that is not UTF-8",
    frames: [{ opcode: 0x1, payload: new Uint8Array([0x68, 0xff, 0xfe]) }],
    closeCode: 1007,
    code: "ERR_TEXT_NOT_UTF8",
  },
  { name: "RSV1 without an extension", frames: [{ opcode: 0x1, payload: text("hi"), rsv: 0x40 }], closeCode: 1002, code: "ERR_FRAME_RSV" },
  { name: "RSV2 and RSV3", frames: [{ opcode: 0x2, payload: text("hi"), rsv: 0x30 }], closeCode: 1002, code: "ERR_FRAME_RSV" },
  { name: "the reserved data opcode 0x3", frames: [{ opcode: 0x3, payload: text("hi") }], closeCode: 1002, code: "ERR_FRAME_OPCODE" },
  { name: "the reserved control opcode 0xB", frames: [{ opcode: 0xb }], closeCode: 1002, code: "ERR_FRAME_OPCODE" },
  {
    name: "a continuation frame with no message to continue",
    frames: [{ opcode: 0x0, payload: text("hi") }],
    closeCode: 1002,
    code: "ERR_FRAME_OPCODE",
  },
  { name: "a fragmented ping", frames: [{ opcode: 0x9, fin: false }], closeCode: 1002, code: "ERR_FRAME_CONTROL" },
  { name: "a ping over 125 bytes", frames: [{ opcode: 0x9, payload: new Uint8Array(126) }], closeCode: 1002, code: "ERR_FRAME_CONTROL" },
  {
    name: "a close frame with code 1005",
    frames: [{ opcode: 0x8, payload: new Uint8Array([0x03, 0xed]) }],
    closeCode: 1002,
    code: "ERR_FRAME_CLOSE_CODE",
  },
  {
    name: "a frame announcing 60 MiB",
    frames: [{ opcode: 0x2, payload: new Uint8Array(64 * 1024), announcedLength: 60 * 1024 * 1024 }],
    closeCode: 1009,
    code: "ERR_FRAME_TOO_LARGE",
  },
];

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => {}));
    // Opened first, it must still be served after everything below.
    const bystander = await RawWebSocket.open(mock);

    for (const c of cases) {
      t.test(`${c.name}: closed ${c.closeCode} by the server, journaled and logged as such`, async (t) => {
        const ws = await RawWebSocket.open(mock);
        try {
          for (const frame of c.frames) ws.send(frame);
          t.match(await ws.ending(), { kind: "close", code: c.closeCode }, "the close frame");
          const log = await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === ws.connectionId);
          t.match(log, { code: c.closeCode, initiator: "server", error: { code: c.code } }, "the log line");
          const entries = await journal(mock, ws.connectionId);
          t.match(
            entries.filter((e) => e.type === "violation" || e.type === "close"),
            [
              { type: "violation", code: c.code, closeCode: c.closeCode },
              { type: "close", code: c.closeCode, initiator: "server" },
            ],
            "the journal: the violation, then the server's close",
          );
        } finally {
          ws.destroy();
        }
      });
    }

    t.test("eight 60 MiB messages are refused at their headers, not buffered", async (t) => {
      const before = rssMiB(mock.ready.pid);
      const sockets = await Promise.all(Array.from({ length: 8 }, () => RawWebSocket.open(mock)));
      const chunk = new Uint8Array(1024 * 1024);
      for (const ws of sockets) {
        ws.send({ opcode: 0x2, payload: chunk, announcedLength: 60 * 1024 * 1024 });
        for (let i = 0; i < 7; i++) ws.send(Buffer.from(chunk));
      }
      const endings = await Promise.all(sockets.map((ws) => ws.ending()));
      t.same(new Set(endings.map((e) => (e.kind === "close" ? e.code : e.kind))), new Set([1009]), "each closed 1009");
      for (const ws of sockets) ws.destroy();
      const after = rssMiB(mock.ready.pid);
      // 64 MiB were sent in all; buffered whole they were 480 MiB. Garbage and socket buffers stay well under 100.
      t.ok(after - before < 100, `RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB`);
    });

    t.test("a ping flood from a client that does not read is closed 1008 with a close frame", async (t) => {
      const ws = await RawWebSocket.open(mock);
      try {
        ws.pauseReading();
        for (let i = 0; i < 200_000 && !ws.closed; i++) ws.send({ opcode: 0x9, payload: new Uint8Array(125) });
        t.same(await ws.ending(10_000), { kind: "close", code: 1008, reason: "Ping flood." }, "the close frame, once the client reads");
        const log = await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === ws.connectionId);
        t.match(log, { code: 1008, reason: "Ping flood.", initiator: "server", error: { code: "ERR_PING_FLOOD" } });
      } finally {
        ws.destroy();
      }
    });

    t.test("a few pings are answered with pongs, and the connection stays open", async (t) => {
      const ws = await RawWebSocket.open(mock);
      try {
        for (let i = 0; i < 5; i++) ws.send({ opcode: 0x9, payload: text(`p${i}`) });
        t.same(await ws.ending(300), { kind: "open" }, "still open");
        t.equal(ws.pongs, 5, "five pongs");
      } finally {
        ws.destroy();
      }
    });

    t.test("everyone else is still served: health, and the connection opened first", async (t) => {
      const health = await fetch(`${mock.ready.admin}/health`, { signal: AbortSignal.timeout(3_000) });
      t.equal(health.status, 200, "health");
      bystander.send({ opcode: 0x8, payload: new Uint8Array([0x03, 0xe8]) });
      t.match(await bystander.ending(), { kind: "close", code: 1000 }, "the bystander closes normally");
      bystander.destroy();
      t.notMatch(mock.stderr(), /Uncaught|ReferenceError|TypeError/, "no stray error on stderr");
    });
  });
}
