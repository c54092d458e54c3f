import type { Clock } from "./clock.ts";
import type { MockEvent } from "./events.ts";
import { type JournalFilter, matchesFilter } from "./journal-filter.ts";
import type { LimitReason } from "./reasons.ts";
import type { MatchKind, TurnResult } from "./stt/recognize.ts";

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
  | Extract<MockEvent, { type: "tts.request" }>
  | Extract<MockEvent, { type: "request.unrouted" }>
  | {
      /** Refused at the connection cap (`http/limits.ts`) before the app saw it: every one, though the log says at most one a second. */
      readonly type: "request.refused";
      readonly method: string;
      readonly host?: string;
      readonly path: string;
      readonly status: 503;
      readonly reason: LimitReason;
      /** What the cap counts (requests plus open WebSockets, or handshakes in progress), and the cap. */
      readonly inUse: number;
      readonly max: number;
    }
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
      /**
       * A turn began (its first audio) or ended (`turn.end` sent). The end carries what came back and
       * the turn's audio in one place: its audio messages are left out of a filtered listing unless
       * `messages: "all"` (see `JournalFilter`).
       */
      readonly type: "turn";
      readonly connectionId: string;
      readonly requestId: string;
      readonly phase: "start" | "end";
      /** The first answer's RecognitionStatus other than EndOfDictation (end only; so are the fields below). */
      readonly status?: string;
      readonly mode?: string;
      /** The display text of every phrase recognised, joined by a space; absent when none was (NoMatch, silence). */
      readonly text?: string;
      /** How the first answer was decided; each answer's own is in `results`. */
      readonly match?: MatchKind;
      readonly results?: readonly TurnResult[];
      /**
       * The turn's audio messages until its `turn.end` (the first, with the WAV header, included) and their
       * payload bytes. Audio a client sends after `turn.end` is ignored, with the notice `audio.after_turn_end`.
       */
      readonly audioMessages?: number;
      readonly audioBytes?: number;
      /** Audio heard, in milliseconds of audio time. */
      readonly audioMs?: number;
      /** Mock-clock milliseconds from the turn's first audio to its `turn.end`. */
      readonly elapsedMs?: number;
      /** Mock-clock milliseconds from the answer's decision to its `turn.end` (the processing time, `responseLatencyMs`). */
      readonly latencyMs?: number;
    }
  | {
      /**
       * A speak of the text-to-speech WebSocket answered (`turn.end` sent): what was made. Its
       * audio frames are counted here, not journaled one by one.
       */
      readonly type: "synthesis";
      readonly connectionId: string;
      readonly requestId: string;
      /** The first voice the SSML names, by its short name. */
      readonly voice?: string;
      /** The output format as requested (`raw-16khz-16bit-mono-pcm` for the SDK's default `riff-*`). */
      readonly format: string;
      /** Characters of text spoken. */
      readonly textLength?: number;
      readonly audioMessages: number;
      readonly audioBytes: number;
      readonly audioMs: number;
      /** Entries of `audio.metadata` sent (boundaries, bookmarks, visemes, SessionEnd). */
      readonly metadata: number;
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
  /** Telemetry for a turn while its answer was still due (see `responseLatencyMs`): sent before `turn.end`. */
  | "telemetry.before_turn_end"
  /** A message of the next turn while the one before still awaited its `turn.end`: answered first, then the new one. */
  | "turn.next_before_turn_end"
  | "message.path_unknown"
  /** An `ssml` message without a `synthesis.context` before it on the connection: synthesized with the defaults. */
  | "synthesis.context_missing"
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
  /** `at` in ISO 8601 (`2026-11-29T23:42:41.123Z`), for people reading the journal. */
  readonly time: string;
  /** Milliseconds since the epoch on the system clock. */
  readonly wall: number;
};

/** Longest string an entry keeps (UTF-16 code units); a longer one is cut and ends in `…(+N chars)`. */
export const maxJournalString = 1024;
/** Most fields a nested object (headers, query) keeps; the rest are counted under the key `…`. */
export const maxJournalFields = 64;
/** The most a page of entries read at once may weigh, estimated: 8 MiB. */
export const maxJournalPageBytes = 8 * 1024 * 1024;

/**
 * The first `maxJournalString` code units and a marker. A fresh string: V8 makes a slice a view of
 * the whole string, which would keep a 60 KiB query alive behind its 1 KiB beginning.
 */
const clip = (s: string): string =>
  JSON.parse(JSON.stringify(`${s.slice(0, maxJournalString)}…(+${s.length - maxJournalString} chars)`)) as string;

/**
 * A copy of `s` that holds nothing else alive: `url.pathname` is a view of the whole URL in V8,
 * so a short path would keep a 60 KiB query string in memory (measured: 117 MiB for 2,000).
 * Strings under 13 characters are always copies already.
 */
const fresh = (s: string): string => (s.length < 13 ? s : `${s} `.slice(0, -1));

/** A number's JSON length, roughly: small integers (sizes, codes, seq) short, anything else long. */
const numberBytes = (n: number): number => (n >= 0 && n < 1e6 ? 6 : 16);

/**
 * Cuts what is too long in a nested value (`headers`, `query`, `credential`, `notices`) and
 * estimates its JSON length. A nested object is never changed: one that needs cutting is copied.
 */
function bounded(value: unknown, depth: number): { value: unknown; bytes: number } {
  if (typeof value === "string") {
    if (value.length <= maxJournalString) return { value, bytes: value.length + 2 };
    const cut = clip(value);
    return { value: cut, bytes: cut.length + 2 };
  }
  if (typeof value === "number") return { value, bytes: numberBytes(value) };
  if (typeof value !== "object" || value === null) return { value, bytes: 5 };
  if (depth > 3) return { value: "…(too deep)", bytes: 13 };
  if (Array.isArray(value)) {
    const kept = Math.min(value.length, maxJournalFields);
    let bytes = 2;
    let copy: unknown[] | undefined;
    for (let i = 0; i < kept; i++) {
      const item = bounded(value[i], depth + 1);
      bytes += item.bytes + 1;
      if (!copy && item.value !== value[i]) copy = value.slice(0, kept);
      if (copy) copy[i] = item.value;
    }
    if (value.length > kept) {
      copy ??= value.slice(0, kept);
      const marker = `…(+${value.length - kept} more)`;
      copy.push(marker);
      bytes += marker.length + 3;
    }
    return { value: copy ?? value, bytes };
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const kept = Math.min(keys.length, maxJournalFields);
  let bytes = 2;
  let copy: Record<string, unknown> | undefined;
  const copyUpTo = (end: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let j = 0; j < end; j++) out[keys[j] as string] = record[keys[j] as string];
    return out;
  };
  for (let i = 0; i < kept; i++) {
    const key = keys[i] as string;
    const item = bounded(record[key], depth + 1);
    const name = key.length > maxJournalString ? clip(key) : key;
    bytes += name.length + 4 + item.bytes;
    if (!copy && (name !== key || item.value !== record[key])) copy = copyUpTo(i);
    if (copy) copy[name] = item.value;
  }
  if (keys.length > kept) {
    copy ??= copyUpTo(kept);
    const marker = `+${keys.length - kept} more (${keys.length} in all)`;
    copy["…"] = marker;
    bytes += marker.length + 7;
  }
  return { value: copy ?? record, bytes };
}

/**
 * Cuts an entry's overlong strings and nested objects in place (see `maxJournalString`,
 * `maxJournalFields`) and returns its estimated JSON length. It runs for every protocol message,
 * so it walks the fields once and stringifies nothing.
 */
export function boundEntry(entry: Record<string, unknown>): number {
  // Protocol messages (the hot path) carry only their own short header values; requests carry
  // strings cut from their URL, copied so the URL can go.
  const copy = entry.type !== "message";
  let bytes = 2;
  for (const key in entry) {
    const value = entry[key];
    bytes += key.length + 4;
    if (typeof value === "string") {
      if (value.length > maxJournalString) {
        const cut = clip(value);
        entry[key] = cut;
        bytes += cut.length + 2;
      } else {
        if (copy) entry[key] = fresh(value);
        bytes += value.length + 2;
      }
    } else if (typeof value === "number") bytes += numberBytes(value);
    else if (typeof value === "object" && value !== null) {
      const item = bounded(value, 1);
      if (item.value !== value) entry[key] = item.value;
      bytes += item.bytes;
    } else bytes += 5;
  }
  return bytes;
}

/** The JSON length a `time` stamp adds. */
const isoBytes = 33;

/** An epoch-millisecond time in ISO 8601; one past the years `Date` can show (a clock moved absurdly far) as its number. */
const isoTime = (at: number): string => {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : date.toISOString();
};

/** One page of entries, and whether matching entries were left out of it. */
export interface JournalPage {
  entries: JournalEntry[];
  /** Matching entries follow this page: read them with `since` set to this (the last entry's seq). */
  next?: number;
  /** Whether matching entries were left out: the page reached its entry or byte limit. */
  more: boolean;
}

export interface JournalPageOptions {
  /** Only entries with a greater seq. */
  since?: number;
  /** Only entries this keeps. */
  filter?: (entry: JournalEntry) => boolean;
  /** At most this many entries. */
  limit: number;
  /** The newest that match instead of the oldest (then no `next`: nothing newer was left out). */
  newest?: boolean;
  /** Stop before the entries' estimated size passes this; a page has at least one entry. */
  maxBytes?: number;
}

/**
 * A bounded ring buffer of what the mock saw and did. It keeps at most `capacity` entries and at
 * most `maxBytes` of them by estimated JSON size; past either, the oldest go and `dropped`
 * counts them, so memory stays flat under any load.
 */
export class Journal {
  readonly capacity: number;
  /** The budget of the entries' estimated JSON size (the newest entry is kept whatever its size). */
  readonly maxBytes: number;
  readonly #clock: Clock;
  readonly #ring: (JournalEntry | undefined)[];
  /** Each slot's estimated size, beside the ring. */
  readonly #sizes: number[] = [];
  #next = 0;
  #size = 0;
  #bytes = 0;
  #seq = 0;
  #dropped = 0;
  #listeners: ((entry: JournalEntry) => void)[] = [];

  /** `maxBytes` omitted: bounded by `capacity` only (the mock passes its `journalBytes` option). */
  constructor(capacity: number, clock: Clock, maxBytes = Number.POSITIVE_INFINITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create journal: capacity ${JSON.stringify(capacity)} is not a positive integer`);
    }
    if (maxBytes !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxBytes) || maxBytes < 1)) {
      throw new RangeError(`Cannot create journal: maxBytes ${JSON.stringify(maxBytes)} is not a positive integer`);
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.#clock = clock;
    this.#ring = new Array(capacity);
  }

  /**
   * Takes `event` as the entry itself (no copy: this runs for every protocol message), stamped,
   * its overlong strings and nested objects cut (`boundEntry`).
   */
  record(event: JournalEvent): void {
    const stamps = event as unknown as { seq: number; at: number; time: string; wall: number };
    stamps.seq = ++this.#seq;
    stamps.at = this.#clock.now();
    stamps.wall = Date.now();
    const entry = event as JournalEntry;
    // Stamped after the bounding, which would copy it for nothing: `"time":"…24 chars…"` is 32 bytes.
    const bytes = boundEntry(event as unknown as Record<string, unknown>) + isoBytes;
    stamps.time = isoTime(stamps.at);
    if (this.#size === this.capacity) this.#dropOldest();
    this.#ring[this.#next] = entry;
    this.#sizes[this.#next] = bytes;
    this.#bytes += bytes;
    this.#size++;
    this.#next = (this.#next + 1) % this.capacity;
    while (this.#bytes > this.maxBytes && this.#size > 1) this.#dropOldest();
    for (const listener of this.#listeners) listener(entry);
  }

  #dropOldest(): void {
    const oldest = (this.#next - this.#size + this.capacity) % this.capacity;
    this.#bytes -= this.#sizes[oldest] as number;
    this.#ring[oldest] = undefined;
    this.#size--;
    this.#dropped++;
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

  /**
   * Entries oldest first: all (no argument), those a predicate keeps, or those matching the filter
   * object that `GET <admin>/journal` takes as its query (`{ type: "handshake", outcome: "reject" }`;
   * with `limit`, the newest that many). As over HTTP, a filter object leaves the audio messages
   * out (their turn's entry sums them up) unless it says `messages: "all"`; no argument and a
   * predicate see every entry.
   */
  entries(filter?: ((entry: JournalEntry) => boolean) | JournalFilter): JournalEntry[] {
    const keep = typeof filter === "function" ? filter : filter === undefined ? undefined : matchesFilter(filter);
    const out: JournalEntry[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const entry = this.#ring[(start + i) % this.capacity] as JournalEntry;
      if (!keep || keep(entry)) out.push(entry);
    }
    const limit = typeof filter === "object" ? filter.limit : undefined;
    return limit === undefined ? out : out.slice(Math.max(0, out.length - limit));
  }

  /**
   * A page of matching entries, oldest first: the oldest after `since` (`next` says where the
   * following page starts), or with `newest` the newest. Bounded by `limit` and `maxBytes`.
   */
  page({ since = 0, filter, limit, newest = false, maxBytes = maxJournalPageBytes }: JournalPageOptions): JournalPage {
    const out: JournalEntry[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    let bytes = 0;
    let more = false;
    for (let i = 0; i < this.#size; i++) {
      const slot = (start + (newest ? this.#size - 1 - i : i)) % this.capacity;
      const entry = this.#ring[slot] as JournalEntry;
      if (entry.seq <= since) {
        if (newest) break;
        continue;
      }
      if (filter && !filter(entry)) continue;
      const size = this.#sizes[slot] as number;
      if (out.length === limit || (out.length > 0 && bytes + size > maxBytes)) {
        more = true;
        break;
      }
      out.push(entry);
      bytes += size;
    }
    if (newest) return { entries: out.reverse(), more };
    return more ? { entries: out, next: (out.at(-1) as JournalEntry).seq, more } : { entries: out, more };
  }

  /** Entries lost to the bounds (`capacity`, `maxBytes`) since the last `clear`. */
  get dropped(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#size;
  }

  /** The kept entries' estimated JSON size. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#ring.fill(undefined);
    this.#sizes.length = 0;
    this.#next = 0;
    this.#size = 0;
    this.#bytes = 0;
    this.#dropped = 0;
  }
}
