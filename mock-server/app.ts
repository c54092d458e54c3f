import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import type { UpgradeWebSocket } from "hono/ws";
import type { MockContext } from "./context.ts";
import { createControlApp } from "./control/routes.ts";
import { type KnownPaths, unroutedHandler } from "./http/unrouted.ts";
import { jsonHeaders } from "./sts/bodies.ts";
import { createStsApp } from "./sts/issue-token.ts";
import { speechPaths } from "./stt/endpoints.ts";
import { createRestApp, restPaths } from "./stt/rest/route.ts";
import { createSpeechApp } from "./stt/websocket/route.ts";
import { legacySynthesisPath } from "./tts/rest/legacy.ts";
import { createTtsApp, synthesisPaths, voicesListSuffix } from "./tts/rest/route.ts";
import { createSynthesisSocketApp, synthesisSocketPaths } from "./tts/websocket/route.ts";

/** The service's paths and the methods each takes: a request to one with another method gets `405`. */
const knownPaths = (): KnownPaths => {
  const known = new Map<string, string[]>();
  for (const { path } of speechPaths) known.set(path, ["GET"]);
  for (const { path } of restPaths) known.set(path, [...(known.get(path) ?? []), "POST"]);
  for (const path of [...synthesisPaths, legacySynthesisPath]) known.set(path, [...(known.get(path) ?? []), "POST"]);
  known.set(voicesListSuffix, ["GET"]);
  for (const path of synthesisSocketPaths) known.set(path, ["GET"]);
  return known;
};

/**
 * The whole mock as one Hono app, built from web-standard APIs only; each runtime adapter hands
 * in its own `upgradeWebSocket`. The token service and the speech-to-text WebSocket and REST API
 * each have their sub-app; the token service answers its own wrong methods (`405`), the root
 * the rest of what no route takes.
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
  app.route("/", createRestApp(ctx));
  app.route("/", createTtsApp(ctx));
  app.route("/", createSynthesisSocketApp(ctx, upgradeWebSocket));
  // Nothing unseen: whatever no route takes is read, answered, journaled and logged.
  app.notFound(unroutedHandler(ctx, knownPaths()));
  app.onError((err, c) => {
    ctx.options.logger({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    return c.body(JSON.stringify({ error: { code: "500", message: "Internal error in speechmock" } }), 500, jsonHeaders);
  });
  return app;
}
