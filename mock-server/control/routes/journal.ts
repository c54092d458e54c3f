import { matchesFilter } from "../../journal-filter.ts";
import * as z from "../../zod.ts";
import { route } from "../route.ts";

/** What `GET <admin>/journal` may filter on. Every field is optional; all given must match. */
export const journalQuery = z.strictObject({
  type: z.optional(
    z.enum(
      [
        "sts.request",
        "handshake",
        "rest.request",
        "tts.request",
        "request.unrouted",
        "request.refused",
        "fault",
        "message",
        "violation",
        "notice",
        "turn",
        "synthesis",
        "close",
      ],
      "Expected an entry type",
    ),
  ),
  connectionId: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{32}$/, "Expected a connection id: 32 hex digits"))),
  /**
   * Only entries with this outcome: a reason code (`sts.issued`, `auth.token_expired`), a decision
   * (`accept`, `reject`), a status or close code (`429`, `1007`) or a violation code (`ERR_RIFF_INVALID`).
   */
  outcome: z.optional(z.string().check(z.minLength(1, "Expected an outcome such as sts.issued, reject, 1007 or ERR_RIFF_INVALID"))),
  /** Only entries after this sequence number, for polling and paging (a page's `next`). */
  since: z.optional(z.int().check(z.minimum(0, "Expected a sequence number, 0 or more"))),
  /** At most this many entries, the newest of those that match; without it, a page of the oldest `journalPageSize`. */
  limit: z.optional(z.int().check(z.minimum(1, "Expected a limit of 1 or more"), z.maximum(100_000, "Expected a limit of at most 100000"))),
  /** `turns` (the default): the client's audio messages left out, their turn's entry counts them; `all`: every message. */
  messages: z.optional(z.enum(["turns", "all"], 'Expected "turns" or "all"')),
});

export type JournalQuery = z.output<typeof journalQuery>;

/** Entries in a page of `GET <admin>/journal` without `limit`; `next` leads to the following page. */
export const journalPageSize = 1000;

export const journalRoutes = [
  route({
    method: "get",
    path: "/journal",
    summary:
      "What the mock saw and did, oldest first: token requests, handshakes, REST requests, unrouted requests, protocol messages, violations, notices, turns, closes",
    query: journalQuery,
    responses: {
      200:
        "{ entries, next?, more, size, capacity, dropped, bytes, maxBytes }: without limit, the oldest 1000 matching entries after since, " +
        "and next (pass it as since) when more follow; with limit, the newest; a page is at most 8 MiB (estimated)",
      400: "A query parameter is invalid: each problem's field, value and what was expected",
    },
    handle: (c, { journal }, { query }) => {
      const { since, limit } = query;
      // Without a limit, a page of the oldest after `since`, and `next` for the following one; with a
      // limit, the newest. Either way bounded in entries and bytes, so the answer is always readable.
      const page = journal.page({ since, filter: matchesFilter(query), limit: limit ?? journalPageSize, newest: limit !== undefined });
      return c.json({
        entries: page.entries,
        ...(page.next === undefined ? {} : { next: page.next }),
        more: page.more,
        size: journal.size,
        capacity: journal.capacity,
        dropped: journal.dropped,
        bytes: journal.bytes,
        maxBytes: journal.maxBytes,
      });
    },
  }),
  route({
    method: "delete",
    path: "/journal",
    summary: "Empties the journal and resets its dropped counter",
    responses: { 204: "Emptied" },
    handle: (c, ctx) => {
      ctx.journal.clear();
      return c.body(null, 204);
    },
  }),
];
