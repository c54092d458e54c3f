import type { Context } from "hono";
import type { MockContext } from "../../context.ts";
import * as z from "../../zod.ts";
import { durationPattern, parseDuration } from "../duration.ts";
import { invalidBodyText, route } from "../route.ts";

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

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

const clockStateText = '{ now (ms since the epoch), iso, mode ("system", "offset" or "frozen"), offsetMs }';

/** Every clock route answers with the clock as it is now. */
const clockState = (c: Context, { clock }: MockContext) => {
  const now = clock.now();
  return c.json({ now, iso: new Date(now).toISOString(), mode: clock.mode, offsetMs: clock.offsetMs });
};

export const clockRoutes = [
  route({
    method: "get",
    path: "/clock",
    summary: "The mock's clock: the time that stamps, issues and verifies tokens and times idle and lifetime limits",
    responses: { 200: clockStateText },
    handle: clockState,
  }),
  route({
    method: "put",
    path: "/clock",
    summary: "Sets the clock to a time; it runs from there, or stands still with frozen: true. Timers now due fire at once",
    body: clockSet,
    responses: { 200: clockStateText, 400: invalidBodyText },
    handle: (c, ctx, { body: { time, frozen } }) => {
      ctx.clock.set(typeof time === "number" ? time : Date.parse(time), frozen ?? false);
      return clockState(c, ctx);
    },
  }),
  route({
    method: "post",
    path: "/clock/advance",
    summary: 'Moves the clock forward ("9m", "30s", "1h30m", "250ms" or milliseconds); tokens expire and idle connections close as due',
    body: clockAdvance,
    responses: { 200: clockStateText, 400: invalidBodyText },
    handle: (c, ctx, { body: { by } }) => {
      ctx.clock.advance(typeof by === "number" ? by : (parseDuration(by) as number));
      return clockState(c, ctx);
    },
  }),
  route({
    method: "delete",
    path: "/clock",
    summary: "Puts the clock back on system time, running",
    responses: { 200: clockStateText },
    handle: (c, ctx) => {
      ctx.clock.reset();
      return clockState(c, ctx);
    },
  }),
];
