/**
 * The control plane: the rows of `routes/`, one file per resource, registered and validated in one
 * loop, behind the guard (and the admin token, when set) that covers the whole sub-app.
 */
import { Hono } from "hono";
import type { MockContext } from "../context.ts";
import { mountDashboard } from "../dashboard/serve.ts";
import { adminTokenGuard } from "./admin-token.ts";
import { controlGuard } from "./guard.ts";
import { controlPrefix } from "./prefix.ts";
import type { ControlRoute } from "./route.ts";
import { clockRoutes } from "./routes/clock.ts";
import { faultRoutes } from "./routes/faults.ts";
import { healthRoutes } from "./routes/health.ts";
import { journalRoutes } from "./routes/journal.ts";
import { journalStreamRoutes } from "./routes/journal-stream.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { resetRoutes } from "./routes/reset.ts";
import { resourceRoutes } from "./routes/resources.ts";
import { transcriptRoutes } from "./routes/transcripts.ts";
import { voiceRoutes } from "./routes/voices.ts";
import { parseInput } from "./validation.ts";

export { resetToStart } from "./routes/reset.ts";

/** The control plane's routes, as data: they register the handlers and generate the OpenAPI document, in this order. */
export const controlRoutes: readonly ControlRoute[] = [
  ...healthRoutes,
  ...openApiRoutes(() => controlRoutes),
  ...journalRoutes,
  ...journalStreamRoutes,
  ...clockRoutes,
  ...faultRoutes,
  ...resourceRoutes,
  ...transcriptRoutes,
  ...voiceRoutes,
  ...resetRoutes,
];

/** `/faults/{id}` as a pattern that `/faults/fault-1` matches. */
const pathPattern = (path: string): RegExp => new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);

/** The control plane, mounted at `controlPrefix`. */
export function createControlApp(ctx: MockContext): Hono {
  const app = new Hono();
  // Host (421), Origin (403) and Content-Type (415) first: a web page must not drive the mock.
  app.use(`${controlPrefix}/*`, controlGuard(ctx.options));
  if (ctx.options.adminToken !== undefined) app.use(`${controlPrefix}/*`, adminTokenGuard(ctx.options.adminToken));
  for (const row of controlRoutes) {
    app.on(row.method.toUpperCase(), `${controlPrefix}${row.path.replace(/\{([^}]+)\}/g, ":$1")}`, async (c) => {
      const input = await parseInput(c, row);
      return input.ok ? row.handle(c, ctx, input.value) : c.json(input.body, 400);
    });
  }
  // The dashboard's page and assets (`<admin>/`): open without the token, which the page asks for.
  mountDashboard(app);
  // Anything else under the prefix: the control plane's own 405 and 404, never the service's.
  app.all(`${controlPrefix}/*`, (c) => {
    const path = c.req.path.slice(controlPrefix.length);
    const allowed = controlRoutes.filter((r) => pathPattern(r.path).test(path)).map((r) => r.method.toUpperCase());
    const see = `see ${controlPrefix}/openapi.json`;
    if (allowed.length > 0) {
      const message = `${c.req.method} is not allowed on ${c.req.path}: expected ${allowed.join(" or ")}; ${see}`;
      return c.json({ error: { code: "ERR_METHOD_NOT_ALLOWED", message } }, 405, { Allow: allowed.join(", ") });
    }
    return c.json({ error: { code: "ERR_NOT_FOUND", message: `No control endpoint ${c.req.path}; ${see}` } }, 404);
  });
  return app;
}
