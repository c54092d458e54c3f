import t from "tap";
import { limitBody, limitConnections, type Refusal } from "./limits.ts";

const request = () => new Request("http://127.0.0.1/__speechmock/health");

/** A handler whose answers wait until `release()`. */
function held() {
  const waiting: (() => void)[] = [];
  const fetch = () => new Promise<Response>((resolve) => waiting.push(() => resolve(new Response("ok"))));
  return { fetch, release: () => waiting.shift()?.() };
}

t.test("requests under the cap reach the handler, and leave the count when answered", async (t) => {
  const h = held();
  const limited = limitConnections(h.fetch, { max: 2, maxHandshakes: 1, openSockets: () => 0, onRefused: () => t.fail("refused") });
  const first = limited(request(), {});
  t.equal(limited.inFlight(), 1);
  h.release();
  t.equal((await first).status, 200);
  t.equal(limited.inFlight(), 0);
});

t.test("past the cap: 503, Retry-After: 1, the reason, Connection: close, and the caller is told", async (t) => {
  const h = held();
  const refused: number[] = [];
  const limited = limitConnections(h.fetch, {
    max: 2,
    maxHandshakes: 10,
    openSockets: () => 1,
    onRefused: (_req, { inUse }) => refused.push(inUse),
  });
  const first = limited(request(), {});
  const res = await limited(request(), {});
  t.equal(res.status, 503);
  t.equal(res.headers.get("retry-after"), "1");
  t.equal(res.headers.get("x-speechmock-reason"), "limit.connections");
  t.equal(res.headers.get("connection"), "close");
  t.equal(await res.text(), limitBody("connections", 2));
  t.same(refused, [2], "one open socket and one request in progress");
  h.release();
  await first;
  const next = limited(request(), {});
  t.equal(limited.inFlight(), 1, "admitted again once the first was answered");
  h.release();
  t.equal((await next).status, 200);
});

t.test("a handler that throws still leaves the count", async (t) => {
  const limited = limitConnections(
    () => {
      throw new Error("bug");
    },
    { max: 1, maxHandshakes: 1, openSockets: () => 0, onRefused: () => {} },
  );
  await t.rejects(limited(request(), {}));
  t.equal(limited.inFlight(), 0);
});

t.test("handshakes in progress have their own, lower cap; other requests still pass", async (t) => {
  const h = held();
  const refusals: Refusal[] = [];
  const limited = limitConnections(h.fetch, { max: 100, maxHandshakes: 2, openSockets: () => 0, onRefused: (_req, r) => refusals.push(r) });
  const upgrade = () => new Request("http://127.0.0.1/speech", { headers: { Upgrade: "websocket" } });
  const inProgress = [limited(upgrade(), {}), limited(upgrade(), {})];
  const third = await limited(upgrade(), {});
  t.equal(third.status, 503);
  t.equal(third.headers.get("x-speechmock-reason"), "limit.handshakes");
  t.equal(third.headers.get("retry-after"), "1");
  t.equal(await third.text(), limitBody("handshakes in progress", 2));
  t.same(refusals, [{ reason: "limit.handshakes", inUse: 2, max: 2, flag: "--max-handshakes" }]);
  const plain = limited(request(), {});
  t.equal(limited.inFlight(), 3, "a plain request is admitted beside the two handshakes");
  h.release();
  h.release();
  h.release();
  await Promise.all([...inProgress, plain]);
  const again = limited(upgrade(), {});
  h.release();
  t.equal((await again).status, 200, "admitted again once the handshakes ended");
});
