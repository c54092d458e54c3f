/**
 * Every time the mock reads goes through a Clock, so tokens can be issued and verified at a
 * virtual time (jose does the same with its `currentDate` option).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to; tests use it to expire tokens without waiting. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(epochMs: number): void {
    this.#now = epochMs;
  }

  tick(ms: number): void {
    this.#now += ms;
  }
}

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);
