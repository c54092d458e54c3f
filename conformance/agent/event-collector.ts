import { type ClientEvent, parseEventLine } from "../contract.ts";

/** Turns a client's stdout lines into events, keeping a precise note of every line that breaks the contract. */
export class EventCollector {
  readonly #events: ClientEvent[] = [];
  readonly #problems: string[] = [];
  #lineNo = 0;

  line(raw: string): void {
    this.#lineNo++;
    const line = raw.trim();
    if (line === "") return;
    const parsed = parseEventLine(line);
    if (parsed.ok) this.#events.push(parsed.event);
    else if (this.#problems.length < 20) this.#problems.push(`stdout line ${this.#lineNo}: ${parsed.problem}`);
  }

  result(): { events: ClientEvent[]; contractProblems: string[] } {
    return { events: this.#events, contractProblems: this.#problems };
  }
}
