import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Hono } from "hono";
import t from "tap";
import { root } from "../../test/support/spawn.ts";
import { dashboardCsp, mountDashboard } from "./serve.ts";

const dir = mkdtempSync(join(tmpdir(), "speechmock-dashboard-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>built</title>");
const built = pathToFileURL(`${dir}/`);

t.test("serves the built page with its type and policy, and nothing but the built files", async (t) => {
  const app = new Hono();
  mountDashboard(app, [new URL("file:///nonexistent/"), built]);
  const page = await app.request("/__speechmock/");
  t.equal(page.status, 200);
  t.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  t.equal(page.headers.get("content-security-policy"), dashboardCsp);
  t.match(dashboardCsp, "script-src 'self';");
  t.equal(await page.text(), "<!doctype html><title>built</title>");
  t.equal((await app.request("/__speechmock/dashboard/..%2Findex.html")).status, 404);
  t.equal((await app.request("/__speechmock/dashboard/other.js")).status, 404);
});

t.test("answers 503 saying how to build it when dist/dashboard is missing", async (t) => {
  const app = new Hono();
  mountDashboard(app, [new URL("file:///nonexistent/")]);
  const res = await app.request("/__speechmock/");
  t.equal(res.status, 503);
  t.match(await res.json(), { error: { code: "ERR_DASHBOARD_NOT_BUILT", message: /run npm run bundle \(node scripts\/build\.mjs\)/ } });
});

t.test("the page's code type-checks against the DOM (the root tsconfig leaves it out)", async (t) => {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const run = await promisify(execFile)(process.execPath, [tsc, "-p", join(root, "mock-server/dashboard/page")]).then(
    () => ({ code: 0, out: "" }),
    (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
  );
  t.equal(run.code, 0, run.out);
});
