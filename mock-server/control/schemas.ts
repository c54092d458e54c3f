import * as z from "../zod.ts";

/** What `GET <admin>/journal` may filter on. Every field is optional; all given must match. */
export const journalQuery = z.strictObject({
  type: z.optional(z.enum(["sts.request", "handshake", "message", "violation", "notice", "turn", "close"], "Expected an entry type")),
  connectionId: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{32}$/, "Expected a connection id: 32 hex digits"))),
  /** Only entries after this sequence number, for polling. */
  since: z.optional(z.int().check(z.minimum(0, "Expected a sequence number, 0 or more"))),
  /** At most this many entries, the newest of those that match. */
  limit: z.optional(z.int().check(z.minimum(1, "Expected a limit of 1 or more"), z.maximum(100_000, "Expected a limit of at most 100000"))),
});

export type JournalQuery = z.output<typeof journalQuery>;
