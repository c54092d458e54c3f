import t from "tap";
import { ManualClock } from "../clock.ts";
import type { MockEvent } from "../events.ts";
import { Journal } from "../journal.ts";
import { Connection, type ConnectionLimits } from "./connection.ts";

const setup = (limits: Partial<ConnectionLimits> = {}) => {
  const clock = new ManualClock(0);
  const journal = new Journal(100, clock);
  const logs: MockEvent[] = [];
  const peer = { sent: [] as string[], closes: [] as [number, string][], buffered: 0 };
  let settled = 0;
  const connection = new Connection(
    {
      connectionId: "C1",
      clock,
      journal,
      logger: (e) => logs.push(e),
      limits: { idleMs: 1000, lifetimeMs: 5000, sendBufferBytes: 10, ...limits },
      onClosing: () => settled++,
    },
    { send: (s) => peer.sent.push(s), close: (c, r) => peer.closes.push([c, r]), bufferedAmount: () => peer.buffered },
  );
  const closes = () => journal.entries((e) => e.type === "close").map((e) => e as unknown as { code: number; initiator: string });
  return { clock, connection, peer, logs, closes, settled: () => settled };
};

t.test("a quiet connection is closed 1000 at the idle limit; a message starts the limit again", async (t) => {
  const s = setup();
  s.clock.tick(900);
  s.connection.touched();
  s.clock.tick(900);
  t.notOk(s.connection.closed);
  s.clock.tick(100);
  t.strictSame(s.peer.closes, [[1000, "Idle timeout exceeded (1 s)."]]);
  t.match(s.closes(), [{ code: 1000, initiator: "server" }]);
  t.equal(s.settled(), 1);
});

t.test("a busy connection is closed 1000 at its lifetime", async (t) => {
  const s = setup();
  for (let i = 0; i < 10; i++) {
    s.clock.tick(500);
    s.connection.touched();
  }
  t.strictSame(s.peer.closes, [[1000, "Maximum connection lifetime exceeded (5 s)."]]);
});

t.test("more than sendBufferBytes unread closes 1008; exactly the limit does not", async (t) => {
  const s = setup();
  s.peer.buffered = 10;
  s.connection.checkBackpressure();
  t.notOk(s.connection.closed);
  s.peer.buffered = 11;
  s.connection.checkBackpressure();
  t.strictSame(s.peer.closes, [[1008, "Send buffer limit exceeded."]]);
  t.match(s.logs, [{ type: "socket.close", initiator: "server", error: { code: "LIMIT_SEND_BUFFER" } }]);
});

t.test("a client close is journaled once, settles once, and stops the limit timer; nothing is sent after it", async (t) => {
  const s = setup();
  s.connection.clientClosed(1000, "bye");
  s.connection.clientClosed(1000, "bye");
  s.connection.close(1011, "late", { code: "X", message: "x" });
  s.connection.send("after");
  s.clock.tick(10_000);
  t.match(s.closes(), [{ code: 1000, initiator: "client" }]);
  t.equal(s.closes().length, 1);
  t.equal(s.settled(), 1);
  t.strictSame(s.peer.closes, []);
  t.strictSame(s.peer.sent, []);
  t.equal(s.clock.pendingTimers, 0);
});
