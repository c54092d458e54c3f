import type { Clock, Timer } from "./clock.ts";

export type ClockMode = "system" | "offset" | "frozen";

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  /** The base-clock timer that fires it while the clock runs. */
  wake: Timer | undefined;
}

/**
 * The clock a mock runs on: its base clock (the system's, or one given in the options) until the
 * control plane moves it. It can be set to a time (and keep running from there, or stand still),
 * advanced, and put back. Every time the mock reads, and every timer it sets, goes through it, so
 * tokens expire and idle connections close at the virtual time, the moment it is moved.
 *
 * Each timer is one base-clock timer while the clock runs, as cheap as a plain `setTimeout`;
 * moving the clock fires what became due, in order, and sets the rest again.
 */
export class ControlledClock implements Clock {
  readonly #base: Clock;
  /** Added to the base clock's time while running. */
  #offset = 0;
  /** The time it stands at, when frozen. */
  #frozenAt: number | undefined;
  readonly #live = new Set<Pending>();
  #seq = 0;

  constructor(base: Clock) {
    this.#base = base;
  }

  now(): number {
    return this.#frozenAt ?? this.#base.now() + this.#offset;
  }

  get mode(): ClockMode {
    if (this.#frozenAt !== undefined) return "frozen";
    return this.#offset === 0 ? "system" : "offset";
  }

  /** How far the clock is from its base clock, in milliseconds. */
  get offsetMs(): number {
    return this.now() - this.#base.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const pending: Pending = { at: this.now() + Math.max(0, ms), seq: this.#seq++, fn, wake: undefined };
    this.#live.add(pending);
    this.#arm(pending);
    return {
      cancel: () => {
        pending.wake?.cancel();
        this.#live.delete(pending);
      },
    };
  }

  /** Jumps to `epochMs`; it keeps running from there unless `frozen`. Due timers fire at once. */
  set(epochMs: number, frozen = this.#frozenAt !== undefined): void {
    if (frozen) this.#frozenAt = epochMs;
    else {
      this.#frozenAt = undefined;
      this.#offset = epochMs - this.#base.now();
    }
    this.#moved();
  }

  /** Moves forward by `ms`, running or frozen. Due timers fire at once, in order. */
  advance(ms: number): void {
    if (this.#frozenAt !== undefined) this.#frozenAt += ms;
    else this.#offset += ms;
    this.#moved();
  }

  /** Back to the base clock's time, running. Timers now due fire at once. */
  reset(): void {
    this.#frozenAt = undefined;
    this.#offset = 0;
    this.#moved();
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#live.size;
  }

  #fire(pending: Pending): void {
    if (!this.#live.delete(pending)) return;
    pending.fn();
  }

  /** A base-clock timer for when it is due; none while frozen (only moving the clock fires it then). */
  #arm(pending: Pending): void {
    pending.wake?.cancel();
    pending.wake =
      this.#frozenAt === undefined ? this.#base.setTimer(Math.max(0, pending.at - this.now()), () => this.#fire(pending)) : undefined;
  }

  #moved(): void {
    for (;;) {
      const now = this.now();
      let due: Pending | undefined;
      for (const p of this.#live) if (p.at <= now && (due === undefined || p.at < due.at || (p.at === due.at && p.seq < due.seq))) due = p;
      if (due === undefined) break;
      due.wake?.cancel();
      this.#fire(due); // may set timers or move the clock; the loop sees both
    }
    for (const p of this.#live) this.#arm(p);
  }
}
