import type { FaultRuleInput, FaultTarget, HandshakeFaultAction, MessageFaultAction, StsFaultAction } from "./rules.ts";

export type FaultRule = FaultRuleInput & { readonly id: string; fired: number; matched: number };

/** What a request offers to match on. */
export interface FaultSubject {
  resource?: string;
  /** The subscription key the request carries, if it carries one. */
  key?: string;
  connectionId?: string;
  /** For messages: the client message's Path. */
  path?: string;
  /** For messages: whether it is the first audio message of its turn. */
  turnStart?: boolean;
}

type ActionOf<T extends FaultTarget> = T extends "sts" | "rest" | "tts"
  ? StsFaultAction
  : T extends "handshake"
    ? HandshakeFaultAction
    : MessageFaultAction;

/** mulberry32: a small, well-known seeded generator; quality enough for "fail 30% of the time". */
const generator = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** The fault rules of one mock, in the order they were added; the first that fires wins. */
export class FaultRegistry {
  readonly #rules: { rule: FaultRule; draw: () => number }[] = [];
  #next = 1;

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: `fault-${this.#next++}`, fired: 0, matched: 0 };
    this.#rules.push({ rule, draw: generator(input.seed ?? 1) });
    return rule;
  }

  /** No rules: the request paths skip fault matching entirely. */
  get isEmpty(): boolean {
    return this.#rules.length === 0;
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => r.rule);
  }

  remove(id: string): boolean {
    const at = this.#rules.findIndex((r) => r.rule.id === id);
    if (at === -1) return false;
    this.#rules.splice(at, 1);
    return true;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The action of the first matching rule that fires now, counted as fired; undefined when none does. */
  take<T extends FaultTarget>(target: T, subject: FaultSubject): { rule: FaultRule; action: ActionOf<T> } | undefined {
    for (const { rule, draw } of this.#rules) {
      if (rule.target !== target) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (rule.resource !== undefined && rule.resource !== subject.resource) continue;
      if (rule.key !== undefined && rule.key !== subject.key) continue;
      if (
        "connectionId" in rule &&
        rule.connectionId !== undefined &&
        rule.connectionId.toLowerCase() !== subject.connectionId?.toLowerCase()
      ) {
        continue;
      }
      if ("path" in rule && rule.path !== undefined && rule.path.toLowerCase() !== subject.path?.toLowerCase()) continue;
      if ("turnStart" in rule && rule.turnStart && !subject.turnStart) continue;
      if (++rule.matched <= (rule.after ?? 0)) continue;
      if (rule.probability !== undefined && draw() >= rule.probability) continue;
      rule.fired++;
      return { rule, action: rule.action as ActionOf<T> };
    }
    return undefined;
  }
}
