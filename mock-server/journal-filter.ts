/**
 * What the journal can be filtered on, the same from code (`mock.journal.entries({ type: "handshake" })`)
 * as over HTTP (`GET <admin>/journal?type=handshake`): every field optional, all given must match.
 */
import type { JournalEntry } from "./journal.ts";

export interface JournalFilter {
  type?: JournalEntry["type"];
  /** Entries of this connection (32 hex digits, any case). */
  connectionId?: string;
  /**
   * Only entries with this outcome: a reason code (`sts.issued`, `auth.token_expired`), a decision
   * (`accept`, `reject`), a status or close code (`429`, `1007`) or a violation code (`ERR_RIFF_INVALID`).
   */
  outcome?: string;
  /** Only entries after this sequence number. */
  since?: number;
  /** At most this many entries, the newest of those that match. */
  limit?: number;
  /**
   * Which protocol messages: `turns` (the default) leaves out the client's audio messages, which
   * their turn's `end` entry counts (`audioMessages`, `audioBytes`, `audioMs`); `all` keeps every one.
   */
  messages?: "turns" | "all";
}

/** A client's audio message: one of the many a turn's entry sums up. */
export const isAudioMessage = (entry: JournalEntry): boolean =>
  entry.type === "message" && entry.direction === "in" && entry.kind === "binary" && entry.path?.toLowerCase() === "audio";

/** What `outcome` matches in an entry: its reason, decision, status, close code or violation code. */
const outcomesOf = (entry: JournalEntry): string[] => {
  const e = entry as Partial<Record<"reason" | "decision" | "status" | "code", unknown>>;
  return [e.reason, e.decision, e.status, e.code].filter((v) => v !== undefined).map(String);
};

/** The filter as a predicate (`limit` is the caller's: it bounds the result, not an entry). */
export const matchesFilter =
  (filter: JournalFilter) =>
  (entry: JournalEntry): boolean =>
    (filter.messages === "all" || !isAudioMessage(entry)) &&
    (filter.type === undefined || entry.type === filter.type) &&
    (filter.connectionId === undefined ||
      ("connectionId" in entry && entry.connectionId?.toLowerCase() === filter.connectionId.toLowerCase())) &&
    (filter.since === undefined || entry.seq > filter.since) &&
    (filter.outcome === undefined || outcomesOf(entry).includes(filter.outcome));
