/**
 * `GET <admin>/journal/stream`: the journal as server-sent events, for the dashboard and anyone
 * who would rather not poll. The same query as `GET <admin>/journal` picks the entries.
 */
import { streamSSE } from "hono/streaming";
import type { JournalEntry } from "../../journal.ts";
import { matchesFilter } from "../../journal-filter.ts";
import { route } from "../route.ts";
import { journalPageSize, journalQuery } from "./journal.ts";

/** Entries a slow reader may fall behind by before its stream ends with `overflow`. */
export const maxStreamBacklog = 10_000;
/** A comment this often keeps proxies and idle timers from closing a quiet stream. */
const keepAliveMs = 15_000;

export const journalStreamRoutes = [
  route({
    method: "get",
    path: "/journal/stream",
    summary:
      "The journal as server-sent events: each matching entry as an `entry` event (id: its seq, data: the entry as JSON), " +
      "first those already recorded (after since; without since, the newest limit or 1000), then a `ready` event, then each new one as it is recorded",
    query: journalQuery,
    responses: {
      200:
        "text/event-stream: `entry` events, one `ready` event ({ seq, size, capacity, dropped }) once the recorded ones are sent, " +
        "`overflow` ({ since }) before the stream ends when the reader fell 10,000 entries behind (reconnect with since)",
      400: "A query parameter is invalid: each problem's field, value and what was expected",
    },
    handle: (c, { journal }, { query }) =>
      streamSSE(c, async (stream) => {
        const keep = matchesFilter(query);
        const queue: JournalEntry[] = [];
        let overflow = false;
        let wake: (() => void) | undefined;
        // Subscribed and read in one synchronous step: no entry falls between the two.
        const unsubscribe = journal.subscribe((entry) => {
          if (!keep(entry)) return;
          if (queue.length >= maxStreamBacklog) overflow = true;
          else queue.push(entry);
          wake?.();
        });
        let done = false;
        stream.onAbort(() => {
          done = true;
          wake?.();
        });
        const recorded: JournalEntry[] = [];
        if (query.since === undefined) {
          recorded.push(...journal.page({ filter: keep, limit: query.limit ?? journalPageSize, newest: true }).entries);
        } else {
          let since: number | undefined = query.since;
          while (since !== undefined) {
            const page = journal.page({ since, filter: keep, limit: journalPageSize });
            recorded.push(...page.entries);
            since = page.next;
          }
        }
        let last = recorded.at(-1)?.seq ?? query.since ?? 0;
        try {
          for (const entry of recorded) await stream.writeSSE({ event: "entry", id: String(entry.seq), data: JSON.stringify(entry) });
          const ready = { seq: last, size: journal.size, capacity: journal.capacity, dropped: journal.dropped };
          await stream.writeSSE({ event: "ready", data: JSON.stringify(ready) });
          while (!done) {
            while (queue.length > 0 && !done) {
              const entry = queue.shift() as JournalEntry;
              if (entry.seq <= last) continue;
              last = entry.seq;
              await stream.writeSSE({ event: "entry", id: String(entry.seq), data: JSON.stringify(entry) });
            }
            if (overflow) {
              await stream.writeSSE({ event: "overflow", data: JSON.stringify({ since: last }) });
              return;
            }
            if (done) return;
            const woken = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), keepAliveMs);
              wake = () => {
                clearTimeout(timer);
                resolve(true);
              };
            });
            wake = undefined;
            if (!woken && !done) await stream.write(": keep-alive\n\n");
          }
        } finally {
          unsubscribe();
        }
      }),
  }),
];
