import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import type { UpgradeWebSocket } from "hono/ws";
import type { MockContext } from "./context.ts";
import { createControlApp } from "./control/routes.ts";
import { jsonHeaders, notFoundBody } from "./sts/bodies.ts";
import { createStsApp } from "./sts/issue-token.ts";
import { createSpeechApp } from "./stt/websocket/route.ts";

/**
 * The whole mock as one Hono app, built from web-standard APIs only; each runtime adapter hands
 * in its own `upgradeWebSocket`.
 */
export function createMockApp(ctx: MockContext, upgradeWebSocket: UpgradeWebSocket): Hono {
  const app = new Hono({
    // The portal prints `/sts/v1.0/issuetoken` and code uses `issueToken`: both reach the service.
    getPath: (req) => {
      const path = getPath(req);
      return path.length > 4 && path.slice(0, 5).toLowerCase() === "/sts/" ? path.toLowerCase() : path;
    },
  });
  app.route("/", createControlApp(ctx));
  app.route("/", createStsApp(ctx));
  app.route("/", createSpeechApp(ctx, upgradeWebSocket));
  app.notFound((c) => c.body(notFoundBody, 404, jsonHeaders));
  app.onError((err, c) => {
    ctx.options.logger({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    return c.body(JSON.stringify({ error: { code: "500", message: "Internal error in speechmock" } }), 500, jsonHeaders);
  });
  return app;
}
