import { phrase } from "../transcripts/schema.ts";
import * as z from "../zod.ts";
import { durationPattern } from "./duration.ts";

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** What `GET <admin>/journal` may filter on. Every field is optional; all given must match. */
export const journalQuery = z.strictObject({
  type: z.optional(
    z.enum(
      ["sts.request", "handshake", "rest.request", "request.unrouted", "fault", "message", "violation", "notice", "turn", "close"],
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
});

export type JournalQuery = z.output<typeof journalQuery>;

/** Entries in a page of `GET <admin>/journal` without `limit`; `next` leads to the following page. */
export const journalPageSize = 1000;

/** `PUT <admin>/clock`: where to put the mock's clock, and whether it stands still there. */
export const clockSet = z.strictObject({
  time: z.union(
    [
      z.int().check(z.minimum(0, "Expected milliseconds since the epoch, 0 or more")),
      z.string().check(z.regex(isoDateTime, "Expected an ISO 8601 date-time with a zone, such as 2026-01-01T00:00:00Z")),
    ],
    "Expected an ISO 8601 date-time string or milliseconds since the epoch",
  ),
  frozen: z.optional(z.boolean("Expected true (the clock stands still) or false (it runs from there)")),
});

/** `POST <admin>/clock/advance`: how far to move the clock forward. */
export const clockAdvance = z.strictObject({
  by: z.union(
    [
      z.int().check(z.minimum(1, "Expected a whole number of milliseconds, 1 or more")),
      z.string().check(z.regex(durationPattern, "Expected a duration such as 9m, 30s, 1h30m or 250ms")),
    ],
    'Expected a duration such as "9m" or a number of milliseconds',
  ),
});

/** `PATCH <admin>/resources/{name}`: a resource's new state. */
export const resourcePatch = z.strictObject({
  state: z.enum(["enabled", "disabled", "quotaExceeded"], 'Expected "enabled", "disabled" or "quotaExceeded"'),
});

/** `POST <admin>/resources/{name}/regenerate-key`: which key gets a new value, as in Azure's portal. */
export const keyRegeneration = z.strictObject({
  key: z.enum(["primary", "secondary"], 'Expected "primary" or "secondary"'),
});

const phrases = z.array(phrase).check(z.minLength(1, "Expected at least one phrase"));

/** `PUT <admin>/transcripts/{sha256}`: what the mock hears in that clip from now on. */
export const clipScript = z.strictObject({ phrases });

/** `POST <admin>/transcripts/next`: what the next turn is heard as, whatever its audio. */
export const nextScript = z.union(
  [z.strictObject({ phrases }), z.strictObject({ noMatch: z.literal(true) })],
  'Expected {"phrases": [...]} or {"noMatch": true}',
);

/** A clip's key in a path: the hex SHA-256 of its PCM. */
export const clipPath = z.strictObject({
  sha256: z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, "Expected a SHA-256 as 64 hex digits (speechmock hash prints it)")),
});
