import type { Clock } from "./clock.ts";
import type { MockEvent } from "./events.ts";

/** One protocol message, as the journal records it: never its body, only what identifies it. */
export interface MessageRecord {
  readonly direction: "in" | "out";
  readonly kind: "text" | "binary";
  /** The `Path` header; absent when the message had none or could not be parsed. */
  readonly path?: string;
  readonly requestId?: string;
  /** Bytes (binary) or UTF-16 code units (text) of the whole message. */
  readonly size: number;
  /** For audio: payload bytes (0 ends the turn's audio). */
  readonly payload?: number;
}

/**
 * What the journal records; each entry also gets `seq`, `at` (the mock's clock) and `wall` (the
 * system clock). Token requests and handshakes are recorded as the log reports them, secrets
 * already reduced to a prefix and a length.
 */
export type JournalEvent =
  | Extract<MockEvent, { type: "sts.request" }>
  | Extract<MockEvent, { type: "handshake" }>
  | Extract<MockEvent, { type: "fault" }>
  | Extract<MockEvent, { type: "rest.request" }>
  | Extract<MockEvent, { type: "request.unrouted" }>
  | ({ readonly type: "message"; readonly connectionId: string } & MessageRecord)
  | {
      /** A rule of the protocol was broken and the socket closed for it. */
      readonly type: "violation";
      readonly connectionId: string;
      readonly code: string;
      readonly closeCode: number;
      readonly closeReason: string;
      readonly message: string;
      readonly requestId?: string;
    }
  | {
      /** Something a client should not do but the service tolerates (a missing or repeated telemetry message, an unknown path). */
      readonly type: "notice";
      readonly connectionId: string;
      readonly code: NoticeCode;
      readonly message: string;
      readonly requestId?: string;
    }
  | {
      readonly type: "turn";
      readonly connectionId: string;
      readonly requestId: string;
      readonly phase: "start" | "end";
      readonly status?: string;
    }
  | {
      readonly type: "close";
      readonly connectionId: string;
      readonly code: number;
      readonly reason: string;
      readonly initiator: "client" | "server";
    };

export type NoticeCode =
  /** A token without `Bearer ` (SDKs up to 1.18; the 2017 browser sample's `Authorization=<jwt>`), on a handshake's or REST request's entry. */
  | "auth.bare_token"
  | "telemetry.missing"
  | "telemetry.repeated"
  | "telemetry.unknown_request"
  | "message.path_unknown"
  | "audio.after_turn_end"
  /** The first audio of a turn without `Content-Type` (JS SDK up to 1.9.0, the 2017 browser SDK): taken as `audio/x-wav`. */
  | "audio.content_type_missing"
  /** An audio payload over the 2017 document's 8192 bytes (12,800 from the 2017 browser SDK); once a turn. */
  | "audio.chunk_oversized"
  /** `speech.config` without `X-RequestId`, which the 2017 document allows and 2017-era Node clients left out. */
  | "config.request_id_missing"
  /** A binary header block ending in a blank line (CRLF CRLF), as 2017-era Node clients wrote it; once a turn. */
  | "message.header_blank_line";

export type JournalEntry = JournalEvent & {
  readonly seq: number;
  /** Milliseconds since the epoch on the mock's clock (virtual when the clock is). */
  readonly at: number;
  /** Milliseconds since the epoch on the system clock. */
  readonly wall: number;
};

/**
 * A bounded ring buffer of what the mock saw and did. When full, the oldest entry goes and
 * `dropped` counts it, so memory stays flat under any load.
 */
export class Journal {
  readonly capacity: number;
  readonly #clock: Clock;
  readonly #ring: (JournalEntry | undefined)[];
  #next = 0;
  #size = 0;
  #seq = 0;
  #dropped = 0;
  #listeners: ((entry: JournalEntry) => void)[] = [];

  constructor(capacity: number, clock: Clock) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create journal: capacity ${JSON.stringify(capacity)} is not a positive integer`);
    }
    this.capacity = capacity;
    this.#clock = clock;
    this.#ring = new Array(capacity);
  }

  /** Takes `event` as the entry itself (no copy: this runs for every protocol message), stamped. */
  record(event: JournalEvent): void {
    const stamps = event as unknown as { seq: number; at: number; wall: number };
    stamps.seq = ++this.#seq;
    stamps.at = this.#clock.now();
    stamps.wall = Date.now();
    const entry = event as JournalEntry;
    if (this.#size === this.capacity) this.#dropped++;
    else this.#size++;
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
    for (const listener of this.#listeners) listener(entry);
  }

  /**
   * Calls `listener` with each entry as it is recorded, synchronously, before the mock answers
   * the request that caused it: a test can move the clock the moment a token is issued.
   * Returns the function that stops it.
   */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Entries oldest first, optionally only those `filter` keeps. */
  entries(filter?: (entry: JournalEntry) => boolean): JournalEntry[] {
    const out: JournalEntry[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const entry = this.#ring[(start + i) % this.capacity] as JournalEntry;
      if (!filter || filter(entry)) out.push(entry);
    }
    return out;
  }

  /** Entries lost to the bound since the last `clear`. */
  get dropped(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#size;
  }

  clear(): void {
    this.#ring.fill(undefined);
    this.#next = 0;
    this.#size = 0;
    this.#dropped = 0;
  }
}
