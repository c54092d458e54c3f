import t from "tap";
import { epochSeconds, ManualClock, scaledClock, systemClock } from "./clock.ts";

/** 2025-04-21T12:09:40.250Z. */
const start = 1_745_237_380_250;

t.test("ManualClock", async (t) => {
  t.test("reads the time it was given and moves only when told to", async (t) => {
    const clock = new ManualClock(start);
    t.equal(clock.now(), start);
    t.equal(clock.now(), start);
    clock.tick(1500);
    t.equal(clock.now(), start + 1500);
    clock.set(start + 10_000);
    t.equal(clock.now(), start + 10_000);
    t.equal(epochSeconds(clock), Math.floor((start + 10_000) / 1000));
  });

  t.test("fires a timer once when its time is reached, not a millisecond earlier", async (t) => {
    const clock = new ManualClock(start);
    let fired = 0;
    clock.setTimer(1000, () => fired++);
    clock.tick(999);
    t.equal(fired, 0);
    t.equal(clock.pendingTimers, 1);
    clock.tick(1);
    t.equal(fired, 1);
    t.equal(clock.pendingTimers, 0);
    clock.tick(10_000);
    t.equal(fired, 1, "a fired timer does not fire again");
  });

  t.test("fires due timers in time order, and timers due at the same time in the order they were set", async (t) => {
    const clock = new ManualClock(start);
    const order: string[] = [];
    clock.setTimer(300, () => order.push("c@300"));
    clock.setTimer(100, () => order.push("a@100"));
    clock.setTimer(200, () => order.push("b1@200"));
    clock.setTimer(200, () => order.push("b2@200"));
    clock.setTimer(500, () => order.push("d@500"));
    clock.tick(400);
    t.strictSame(order, ["a@100", "b1@200", "b2@200", "c@300"]);
    t.equal(clock.pendingTimers, 1);
  });

  t.test("shows each timer the time it was due, and the target time once done", async (t) => {
    const clock = new ManualClock(start);
    const seen: number[] = [];
    clock.setTimer(100, () => seen.push(clock.now()));
    clock.setTimer(250, () => seen.push(clock.now()));
    clock.tick(1000);
    t.strictSame(seen, [start + 100, start + 250]);
    t.equal(clock.now(), start + 1000);
  });

  t.test("never fires a cancelled timer, and cancelling twice or after firing is harmless", async (t) => {
    const clock = new ManualClock(start);
    const fired: string[] = [];
    const a = clock.setTimer(100, () => fired.push("a"));
    const b = clock.setTimer(200, () => fired.push("b"));
    a.cancel();
    a.cancel();
    t.equal(clock.pendingTimers, 1);
    clock.tick(300);
    t.strictSame(fired, ["b"]);
    b.cancel();
    t.equal(clock.pendingTimers, 0);
  });

  t.test("lets a timer cancel another that is due in the same tick", async (t) => {
    const clock = new ManualClock(start);
    const fired: string[] = [];
    let later: { cancel(): void } | undefined;
    clock.setTimer(100, () => {
      fired.push("first");
      later?.cancel();
    });
    later = clock.setTimer(200, () => fired.push("second"));
    clock.tick(500);
    t.strictSame(fired, ["first"]);
  });

  t.test("fires timers set by timers when they fall due within the same tick, at their own times", async (t) => {
    const clock = new ManualClock(start);
    const seen: [string, number][] = [];
    clock.setTimer(100, () => {
      seen.push(["outer", clock.now() - start]);
      clock.setTimer(50, () => seen.push(["inner", clock.now() - start]));
      clock.setTimer(1000, () => seen.push(["beyond", clock.now() - start]));
    });
    clock.setTimer(200, () => seen.push(["plain", clock.now() - start]));
    clock.tick(300);
    t.strictSame(seen, [
      ["outer", 100],
      ["inner", 150],
      ["plain", 200],
    ]);
    t.equal(clock.pendingTimers, 1, "the timer due at 1100 waits");
    clock.tick(800);
    t.strictSame(seen.at(-1), ["beyond", 1100]);
  });

  t.test("keeps rescheduling a timer that sets itself again, once per period", async (t) => {
    const clock = new ManualClock(start);
    let count = 0;
    const every = () => {
      count++;
      clock.setTimer(100, every);
    };
    clock.setTimer(100, every);
    clock.tick(1000);
    t.equal(count, 10);
    t.equal(clock.pendingTimers, 1);
  });

  t.test("fires a zero or negative delay at the next tick, even tick(0)", async (t) => {
    const clock = new ManualClock(start);
    const fired: string[] = [];
    clock.setTimer(0, () => fired.push("zero"));
    clock.setTimer(-50, () => fired.push("negative"));
    t.strictSame(fired, [], "nothing fires inside setTimer");
    clock.tick(0);
    t.strictSame(fired, ["zero", "negative"]);
    t.equal(clock.now(), start);
  });

  t.test("fires nothing when set backwards, and fires timers at their own times once it moves forward again", async (t) => {
    const clock = new ManualClock(start);
    const fired: number[] = [];
    clock.setTimer(1000, () => fired.push(clock.now()));
    clock.set(start - 5000);
    t.equal(clock.now(), start - 5000);
    t.strictSame(fired, []);
    t.equal(clock.pendingTimers, 1);
    clock.set(start + 999);
    t.strictSame(fired, []);
    clock.set(start + 1000);
    t.strictSame(fired, [start + 1000]);
  });

  t.test("starts at the system time when given none", async (t) => {
    const before = Date.now();
    const clock = new ManualClock();
    const after = Date.now();
    t.ok(clock.now() >= before && clock.now() <= after);
  });
});

t.test("systemClock", async (t) => {
  t.test("fires a timer on the event loop, and a cancelled one never", async (t) => {
    const fired: string[] = [];
    const cancelled = systemClock.setTimer(0, () => fired.push("cancelled"));
    cancelled.cancel();
    await new Promise<void>((resolve) => systemClock.setTimer(1, resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    t.strictSame(fired, []);
  });
});

t.test("a scaled clock runs `speed` times as fast as its base, timers too", async (t) => {
  const base = new ManualClock(1_000_000);
  const fast = scaledClock(100, base);
  base.tick(60);
  t.equal(fast.now(), 1_006_000, "60 ms of the base are 6 s");
  let fired = 0;
  fast.setTimer(60_000, () => fired++);
  base.tick(599);
  t.equal(fired, 0, "not before 600 ms of the base");
  base.tick(1);
  t.equal(fired, 1, "a minute of the scaled clock is 600 ms of the base");
  t.throws(() => scaledClock(0), /expected a positive number/);
});
