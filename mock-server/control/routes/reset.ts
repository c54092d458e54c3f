import type { MockContext } from "../../context.ts";
import { route } from "../route.ts";

/** Back to the start-up state: resources, fault rules, clock, journal, transcripts and voices. The API's `reset()` too. */
export function resetToStart(ctx: MockContext): void {
  ctx.resources.replaceAll(ctx.options.resources);
  ctx.faults.clear();
  ctx.clock.reset();
  ctx.journal.clear();
  ctx.transcripts.reset();
  ctx.voices.replaceAll(ctx.options.voices.entries);
}

export const resetRoutes = [
  route({
    method: "post",
    path: "/reset",
    summary: "Back to the start-up state: resources, fault rules, clock, journal, scripted transcripts and voices",
    responses: { 204: "Reset" },
    handle: (c, ctx) => {
      resetToStart(ctx);
      return c.body(null, 204);
    },
  }),
];
