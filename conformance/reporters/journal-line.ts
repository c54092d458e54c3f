/**
 * A journal entry as one readable line, for the checks that failed: the mock's time, the entry's
 * number, its type, then its fields (headers and query left out: the JSON report has them).
 */
import type { JournalEntry } from "../../mock-server/journal.ts";

const maxLineLength = 200;
/** Shown per failed check; the JSON report has all of them. */
export const journalLinesPerCheck = 6;
const left = new Set(["seq", "at", "time", "wall", "type", "headers", "query"]);

const value = (v: unknown): string => (typeof v === "string" ? (/[\s"]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v));

/** `20:31:05.123 #12 handshake decision=accept status=101 connectionId=…`. */
export function journalLine(entry: JournalEntry): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  const fields = Object.entries(entry)
    .filter(([name, v]) => !left.has(name) && v !== undefined)
    .map(([name, v]) => `${name}=${value(v)}`);
  const line = `${time} #${entry.seq} ${entry.type} ${fields.join(" ")}`;
  return line.length <= maxLineLength ? line : `${line.slice(0, maxLineLength - 1)}…`;
}

/** The lines shown under one failed check: the first few, and how many more the JSON report holds. */
export function journalLines(entries: readonly JournalEntry[] | undefined): string[] {
  if (entries === undefined || entries.length === 0) return [];
  const shown = entries.slice(0, journalLinesPerCheck).map(journalLine);
  const more = entries.length - shown.length;
  return more > 0 ? [...shown, `… ${more} more in the JSON report`] : shown;
}
