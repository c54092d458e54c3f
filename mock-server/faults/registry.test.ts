import t from "tap";
import { FaultRegistry } from "./registry.ts";

t.test("the first matching rule that fires wins, and spends one of its times", async (t) => {
  const faults = new FaultRegistry();
  t.ok(faults.isEmpty);
  const once = faults.add({ target: "sts", times: 1, action: { kind: "respond", status: 429 } });
  const always = faults.add({ target: "sts", action: { kind: "respond", status: 503 } });
  t.notOk(faults.isEmpty);
  t.equal(faults.take("sts", {})?.rule.id, once.id);
  t.equal(faults.take("sts", {})?.rule.id, always.id, "the first is spent");
  t.same([once.fired, always.fired], [1, 1]);
  t.equal(faults.take("handshake", {}), undefined, "another target matches nothing");
});

t.test("resource and connection scopes match only their own", async (t) => {
  const faults = new FaultRegistry();
  faults.add({ target: "sts", resource: "r1", action: { kind: "hang" } });
  faults.add({ target: "handshake", connectionId: "0123456789ABCDEF0123456789ABCDEF", action: { kind: "refuse", status: 503 } });
  t.equal(faults.take("sts", { resource: "r2" }), undefined);
  t.equal(faults.take("sts", {}), undefined, "no resource known: a scoped rule does not fire");
  t.ok(faults.take("sts", { resource: "r1" }));
  t.ok(faults.take("handshake", { connectionId: "0123456789abcdef0123456789abcdef" }), "connection ids compare case-insensitively");
  t.equal(faults.take("handshake", { connectionId: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" }), undefined);
  faults.add({ target: "message", key: "k1", path: "audio", action: { kind: "malformed" } });
  t.equal(faults.take("message", { key: "k2", path: "audio" }), undefined, "another key");
  t.equal(faults.take("message", { key: "k1", path: "speech.context" }), undefined, "another path");
  t.ok(faults.take("message", { key: "k1", path: "AUDIO" }), "paths compare case-insensitively");
});

t.test("after lets that many matches through before the rule fires", async (t) => {
  const faults = new FaultRegistry();
  faults.add({ target: "sts", after: 2, times: 1, action: { kind: "hang" } });
  t.same(
    Array.from({ length: 5 }, () => (faults.take("sts", {}) ? 1 : 0)),
    [0, 0, 1, 0, 0],
  );
});

t.test("a seeded probability draws the same sequence every time, and a different seed another", async (t) => {
  const draws = (seed: number) => {
    const faults = new FaultRegistry();
    faults.add({ target: "sts", probability: 0.3, seed, action: { kind: "hang" } });
    return Array.from({ length: 200 }, () => (faults.take("sts", {}) ? 1 : 0));
  };
  const a = draws(7);
  t.same(draws(7), a);
  t.notSame(draws(8), a);
  const rate = a.reduce<number>((n, x) => n + x, 0) / a.length;
  t.ok(rate > 0.2 && rate < 0.4, `fires about 30% of the time (${rate})`);
});

t.test("remove and clear", async (t) => {
  const faults = new FaultRegistry();
  const rule = faults.add({ target: "sts", action: { kind: "hang" } });
  t.equal(faults.remove("fault-999"), false);
  t.equal(faults.remove(rule.id), true);
  t.ok(faults.isEmpty);
  faults.add({ target: "sts", action: { kind: "hang" } });
  faults.clear();
  t.same(faults.list(), []);
});
