/**
 * Serves the dashboard's page and assets (`<admin>/`, `<admin>/dashboard/*`), built by
 * `scripts/build.mjs` into dist/dashboard/. They hold no secret: the page asks for the admin token
 * itself, so they are answered without one, though still behind the Host and Origin guard.
 */
import { readFile } from "node:fs/promises";
import type { Context, Hono } from "hono";
import { controlPrefix } from "../control/prefix.ts";

/** The page, and the folder its assets are served from. */
export const dashboardPage = `${controlPrefix}/`;
export const dashboardAssets = `${controlPrefix}/dashboard/`;

/** Whether a control path is the dashboard's: answered without the admin token. */
export const isDashboardPath = (path: string): boolean =>
  path === controlPrefix || path === dashboardPage || path.startsWith(dashboardAssets);

/** The files the build writes, and their types; nothing else is read from disk. */
const files: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "app.js.map": "application/json; charset=utf-8",
  "app.css.map": "application/json; charset=utf-8",
};

/**
 * The page runs only its own script and style and talks only to its own origin: no inline script
 * a reflected value could become, no frame around it (the controls must not be clickjacked).
 */
export const dashboardCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const securityHeaders = {
  "Content-Security-Policy": dashboardCsp,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

/**
 * Where the build puts the dashboard: the bundles in dist/ and this source file sit one and two
 * levels below the package root, as conformance/clips.ts finds its clips.
 */
export const builtFolders: readonly URL[] = [
  new URL("../dist/dashboard/", import.meta.url),
  new URL("../../dist/dashboard/", import.meta.url),
];

async function readBuilt(folders: readonly URL[], name: string): Promise<Uint8Array | undefined> {
  for (const folder of folders) {
    try {
      return await readFile(new URL(name, folder));
    } catch {
      // Not in this folder: try the next.
    }
  }
  return undefined;
}

const notBuilt = (c: Context) =>
  c.json(
    {
      error: {
        code: "ERR_DASHBOARD_NOT_BUILT",
        message: "The dashboard is not built: run npm run bundle (node scripts/build.mjs), which writes dist/dashboard/",
      },
    },
    503,
  );

async function serveFile(c: Context, folders: readonly URL[], name: string): Promise<Response> {
  const type = files[name];
  if (type === undefined) {
    return c.json({ error: { code: "ERR_NOT_FOUND", message: `No dashboard file ${JSON.stringify(name)}` } }, 404);
  }
  const body = await readBuilt(folders, name);
  if (body === undefined) return notBuilt(c);
  return c.body(body as Uint8Array<ArrayBuffer>, 200, { "Content-Type": type, ...securityHeaders });
}

/** Registers the page and its assets on the control app, before its catch-all; `folders` for tests. */
export function mountDashboard(app: Hono, folders: readonly URL[] = builtFolders): void {
  app.get(controlPrefix, (c) => c.redirect(dashboardPage, 308));
  app.get(dashboardPage, (c) => serveFile(c, folders, "index.html"));
  app.get(`${dashboardAssets}:name`, (c) => serveFile(c, folders, c.req.param("name")));
}
