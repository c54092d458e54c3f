/**
 * Every time the mock reads, and every timer it sets, goes through a Clock, so tokens can be
 * issued and verified and idle connections closed at a virtual time (jose does the same with its
 * `currentDate` option; denoland/std's `FakeTime` with `tick`).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now on this clock. */
  setTimer(ms: number, fn: () => void): Timer;
}

export interface Timer {
  /** Stops the timer; harmless after it fired or was cancelled. */
  cancel(): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * A clock that runs `speed` times as fast as `base` from the moment it is made: the conformance
 * suite runs the mock at 100x so that ten minutes of token lifetime pass in six seconds.
 */
export function scaledClock(speed: number, base: Clock = systemClock): Clock {
  if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`Cannot scale a clock by ${speed}: expected a positive number`);
  const origin = base.now();
  return {
    now: () => origin + (base.now() - origin) * speed,
    setTimer: (ms, fn) => base.setTimer(ms / speed, fn),
  };
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; tests use it to expire tokens and fire timeouts without waiting. */
export class ManualClock implements Clock {
  #now: number;
  #pending: Pending[] = [];
  #seq = 0;

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const pending: Pending = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#pending.push(pending);
    return {
      cancel: () => {
        pending.cancelled = true;
      },
    };
  }

  /** Moves to `epochMs`, firing every timer due on the way, in time order. */
  set(epochMs: number): void {
    if (epochMs < this.#now) {
      this.#now = epochMs; // going back fires nothing
      return;
    }
    for (;;) {
      this.#pending = this.#pending.filter((p) => !p.cancelled);
      const due = this.#pending.filter((p) => p.at <= epochMs).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#pending.splice(this.#pending.indexOf(due), 1);
      this.#now = due.at;
      due.fn(); // may set new timers, which this loop then sees
    }
    // A timer may itself have moved the clock further; never go back.
    this.#now = Math.max(this.#now, epochMs);
  }

  tick(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }
}

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);
