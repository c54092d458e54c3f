import type { MockContext } from "../../context.ts";
import { route } from "../route.ts";

/** Back to the start-up state: resources, fault rules, clock and journal. The API's `reset()` too. */
export function resetToStart(ctx: MockContext): void {
  ctx.resources.replaceAll(ctx.options.resources);
  ctx.faults.clear();
  ctx.clock.reset();
  ctx.journal.clear();
  ctx.transcripts.reset();
}

export const resetRoutes = [
  route({
    method: "post",
    path: "/reset",
    summary: "Back to the start-up state: resources, fault rules, clock, journal and scripted transcripts",
    responses: { 204: "Reset" },
    handle: (c, ctx) => {
      resetToStart(ctx);
      return c.body(null, 204);
    },
  }),
];
