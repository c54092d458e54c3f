import t from "tap";
import { ManualClock } from "./clock.ts";
import { ControlledClock } from "./controlled-clock.ts";

const start = Date.UTC(2026, 0, 1);
const setup = () => {
  const base = new ManualClock(start);
  return { base, clock: new ControlledClock(base) };
};

t.test("runs on its base clock until moved", async (t) => {
  const { base, clock } = setup();
  t.equal(clock.now(), start);
  t.equal(clock.mode, "system");
  base.tick(1000);
  t.equal(clock.now(), start + 1000);
  t.equal(clock.offsetMs, 0);
});

t.test("set jumps and keeps running from there; frozen stands still until moved", async (t) => {
  const { base, clock } = setup();
  clock.set(start + 3_600_000);
  t.equal(clock.mode, "offset");
  base.tick(500);
  t.equal(clock.now(), start + 3_600_500, "running");
  t.equal(clock.offsetMs, 3_600_000);
  clock.set(start, true);
  t.equal(clock.mode, "frozen");
  base.tick(10_000);
  t.equal(clock.now(), start, "frozen");
  clock.advance(250);
  t.equal(clock.now(), start + 250, "advance moves a frozen clock");
  clock.reset();
  t.equal(clock.mode, "system");
  t.equal(clock.now(), base.now());
});

t.test("moving the clock fires the timers it passes, in time order, and none it does not", async (t) => {
  const { clock } = setup();
  const fired: string[] = [];
  clock.setTimer(3000, () => fired.push("3s"));
  clock.setTimer(1000, () => fired.push("1s"));
  clock.setTimer(1000, () => fired.push("1s again"));
  const cancelled = clock.setTimer(2000, () => fired.push("cancelled"));
  clock.setTimer(60_000, () => fired.push("1m"));
  cancelled.cancel();
  clock.advance(3000);
  t.same(fired, ["1s", "1s again", "3s"]);
  t.equal(clock.pendingTimers, 1);
  clock.set(start + 120_000);
  t.same(fired, ["1s", "1s again", "3s", "1m"]);
  t.equal(clock.pendingTimers, 0);
});

t.test("a move is instantaneous: timers see the new time, and one they set counts from it", async (t) => {
  const { clock } = setup();
  const fired: number[] = [];
  clock.setTimer(1000, () => {
    fired.push(clock.now() - start);
    clock.setTimer(1000, () => fired.push(clock.now() - start));
  });
  clock.advance(5000);
  t.same(fired, [5000], "the first fires at the new time");
  clock.advance(999);
  t.same(fired, [5000]);
  clock.advance(1);
  t.same(fired, [5000, 6000], "the second a second after the first ran");
});

t.test("while running, timers fire on the base clock's time, shifted by the offset", async (t) => {
  const { base, clock } = setup();
  clock.set(start + 60_000);
  const fired: number[] = [];
  clock.setTimer(1000, () => fired.push(clock.now() - start));
  base.tick(999);
  t.same(fired, []);
  base.tick(1);
  t.same(fired, [61_000]);
});

t.test("a frozen clock fires nothing by itself, only when moved", async (t) => {
  const { base, clock } = setup();
  clock.set(start, true);
  let fired = 0;
  clock.setTimer(1000, () => fired++);
  base.tick(60_000);
  t.equal(fired, 0);
  clock.advance(1000);
  t.equal(fired, 1);
});

t.test("reset fires what became due and re-arms the rest on the base clock", async (t) => {
  const { base, clock } = setup();
  clock.set(start - 10_000);
  const fired: string[] = [];
  clock.setTimer(5000, () => fired.push("a"));
  clock.setTimer(20_000, () => fired.push("b"));
  clock.reset(); // 10 s forward: a is due, b has 10 s left
  t.same(fired, ["a"]);
  base.tick(10_000);
  t.same(fired, ["a", "b"]);
});
