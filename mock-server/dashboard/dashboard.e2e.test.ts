/**
 * The dashboard at `<admin>/` (issue 13, item 1): served by the real command on Node and Deno with
 * a restrictive Content-Security-Policy, open without the admin token while the API behind it is
 * not; and in headless Chromium (Debian's `chromium`, driven by playwright-core, as
 * tls/sdk-in-chromium.e2e.test.ts does) a real Speech SDK recognition appears with its text within a
 * second, and a fault rule added in the page fires. A failing case leaves a screenshot in .tap/dashboard/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import { type Browser, chromium, type Page } from "playwright-core";
import t, { type Test } from "tap";
import { root, runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";
import { fetchToken, recognizeFile } from "../../test/support/speech-sdk.ts";

const chromiumPath = process.env.SPEECHMOCK_CHROMIUM ?? "/usr/bin/chromium";
const outputDir = join(root, ".tap", "dashboard");
const remindMe = join(root, "fixtures", "audio", "remind-me.wav");
const expected = "Remind me to buy 5 pencils.";
const adminToken = "dashboard-e2e-admin-token-0123456789";

const keyOf = (mock: SpawnedMock): string => {
  const resource = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
  if (!resource) throw new Error("The built-in fixtures need an enabled westus resource");
  return resource.keys[0];
};

/**
 * Polls `probe` (a JavaScript expression, evaluated in the page) until it is true or `ms` pass;
 * resolves with the time it took, or throws.
 */
async function within(page: Page, ms: number, what: string, probe: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await page.evaluate(probe)) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`Not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}: the page is served, with its policy, without the admin token`, async (t) => {
    const mock = await spawnMock(runtime, [], { SPEECHMOCK_ADMIN_TOKEN: adminToken });
    t.teardown(() => mock.stop());
    const page = await fetch(`${mock.ready.admin}/`);
    t.equal(page.status, 200);
    t.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    const csp = page.headers.get("content-security-policy") ?? "";
    t.match(csp, "default-src 'none'");
    t.match(csp, "script-src 'self'");
    t.match(csp, "frame-ancestors 'none'");
    t.equal(page.headers.get("x-content-type-options"), "nosniff");
    t.match(await page.text(), '<script type="module" src="dashboard/app.js"></script>');
    const script = await fetch(`${mock.ready.admin}/dashboard/app.js`);
    t.equal(script.status, 200);
    t.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    await script.arrayBuffer();
    const bare = await fetch(mock.ready.admin, { redirect: "manual" });
    t.equal(bare.status, 308, "<admin> without its slash leads to the page");
    t.equal(bare.headers.get("location"), "/__speechmock/");
    t.equal((await fetch(`${mock.ready.admin}/dashboard/secrets.json`)).status, 404, "only the built files");
    t.equal((await fetch(`${mock.ready.admin}/journal`)).status, 401, "the journal still needs the token");
    const stream = await fetch(`${mock.ready.admin}/journal/stream`);
    t.equal(stream.status, 401, "so does its stream");
    const foreign = await fetch(`${mock.ready.admin}/`, { headers: { origin: "http://evil.example" } });
    t.equal(foreign.status, 403, "the guard's Origin rule holds for the page too");
  });
}

/** Opens the dashboard; on failure saves a screenshot as .tap/dashboard/<name>.png and prints the page's console. */
async function withPage(t: Test, browser: Browser, mock: SpawnedMock, name: string, body: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  const consoleLines: string[] = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.stack ?? e.message}`));
  try {
    await page.goto(`${mock.ready.admin}/`);
    await body(page);
  } catch (err) {
    t.fail(`${name}: ${String(err)}`);
  } finally {
    if (!t.passing()) {
      mkdirSync(outputDir, { recursive: true });
      const shot = join(outputDir, `${name}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      t.comment(`screenshot: ${shot}\nthe page's console:\n${consoleLines.join("\n")}\nthe mock's stderr:\n${mock.stderr().slice(-3000)}`);
    }
    t.strictSame(
      consoleLines.filter((l) => l.startsWith("pageerror") || l.includes("Content Security Policy")),
      [],
      "no script error and no CSP violation",
    );
    await page.close();
  }
}

if (!existsSync(chromiumPath)) {
  const reason = `no Chromium at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set SPEECHMOCK_CHROMIUM`;
  if (process.env.CI) t.fail(reason);
  else t.test("the dashboard in headless Chromium", { skip: reason }, () => {});
} else {
  t.test("the dashboard in headless Chromium", async (t) => {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
    t.teardown(() => browser.close());

    for (const runtime of runtimes) {
      t.test(`on ${runtime}: a real SDK recognition appears with its text within a second`, async (t) => {
        const mock = await spawnMock(runtime);
        t.teardown(() => mock.stop());
        await withPage(t, browser, mock, `recognition-${runtime}`, async (page) => {
          await page.waitForSelector("#stream-status.status-live", { timeout: 5000 });
          const config = sdk.SpeechConfig.fromHost(new URL(mock.ready.ws), keyOf(mock));
          const run = await recognizeFile(config, remindMe);
          t.equal(run.result.text, expected, "the SDK recognised the clip");
          const ms = await within(
            page,
            1000,
            "the turn's text on the page",
            `[...document.querySelectorAll(".turn-text")].some((el) => el.textContent === ${JSON.stringify(expected)})`,
          );
          t.pass(`the recognised text was on the page ${ms.toFixed(0)} ms after the SDK had its result`);
          t.comment(`dashboard delay on ${runtime}: ${ms.toFixed(0)} ms from the SDK's result to its text on the page`);
          const row = page.locator(".turn", { hasText: expected });
          t.match(await row.locator(".turn-match").textContent(), /^(fingerprint|sha256)$/, "how it was matched");
          t.match(await row.locator(".turn-audio").textContent(), /^\d\.\d\d s · \d+ messages · [\d.]+ KiB$/, "its audio");
          t.equal(await row.locator(".turn-status").textContent(), "Success");
          t.match(await row.locator(".time .iso").textContent(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, "its time in ISO");
          t.match(await row.locator(".time .relative").textContent(), /just now|\d+ s ago/, "and relative");
          t.match(
            await page.locator(".entry-handshake").first().textContent(),
            /accept 101.*handshake\.accepted|accept.*101/s,
            "the handshake with its decision and reason code",
          );
          await within(page, 3000, "the close", `document.querySelector(".connection .close-client") !== null`);
          t.match(await page.locator(".connection footer.close-client").first().textContent(), /client closed: 1000/, "who closed and why");
        });
      });

      t.test(`on ${runtime}: a fault rule added in the page fires, and the page shows it`, async (t) => {
        const mock = await spawnMock(runtime);
        t.teardown(() => mock.stop());
        await withPage(t, browser, mock, `fault-${runtime}`, async (page) => {
          await page.waitForSelector("#stream-status.status-live", { timeout: 5000 });
          await page.selectOption("#fault-template", "sts-429");
          await page.click("#fault-add");
          const rule = page.locator("#fault-list .fault-rule");
          await rule.waitFor({ timeout: 2000 });
          const id = (await rule.getAttribute("data-fault-id")) ?? "";
          t.ok(id !== "", `the rule ${id} is listed`);
          const refused = await fetchToken(mock.ready.sts, keyOf(mock)).then(
            () => "issued",
            (err: unknown) => String(err),
          );
          t.match(refused, /429/, "the next token request gets 429");
          const ms = await within(page, 1000, "the fault's row", `document.querySelector(".entry-fault") !== null`);
          t.comment(`on ${runtime} the fault's row was on the page ${ms.toFixed(0)} ms after the refused request`);
          t.match(await page.locator(".entry-fault").first().textContent(), new RegExp(`fault ${id} on sts.*fired: respond 429`, "s"));
          await within(
            page,
            2000,
            "the rule's fired count",
            `/fired 1 of 1/.test(document.querySelector("#fault-list")?.textContent ?? "")`,
          );
          const fired = (await (await fetch(`${mock.ready.admin}/journal?type=fault`)).json()) as { entries: { rule: string }[] };
          t.strictSame(
            fired.entries.map((e) => e.rule),
            [id],
            "the journal has the rule's firing",
          );
          await page.click(`[data-fault-id="${id}"] .fault-remove`);
          await within(page, 2000, "the rule removed", `document.querySelector("#fault-list .fault-rule") === null`);
          t.strictSame(
            ((await (await fetch(`${mock.ready.admin}/faults`)).json()) as { faults: unknown[] }).faults,
            [],
            "removed from the page",
          );
        });
      });
    }

    t.test("with an admin token the page asks for it once, then drives the clock, resources and reset", async (t) => {
      const mock = await spawnMock("node", [], { SPEECHMOCK_ADMIN_TOKEN: adminToken });
      t.teardown(() => mock.stop());
      const admin = (path: string, init: RequestInit = {}) =>
        fetch(`${mock.ready.admin}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, ...init.headers } });
      await withPage(t, browser, mock, "admin-token", async (page) => {
        await page.waitForSelector("#token-form:not([hidden])", { timeout: 5000 });
        await page.fill("#token-input", adminToken);
        await page.click("#token-save");
        await page.waitForSelector("#stream-status.status-live", { timeout: 5000 });
        t.equal(await page.evaluate(`sessionStorage.getItem("speechmock.adminToken")`), adminToken, "kept in sessionStorage");

        await page.click("#clock-freeze");
        await within(page, 2000, "the clock frozen", `document.querySelector("#clock-freeze")?.textContent === "Run"`);
        t.equal(((await (await admin("/clock")).json()) as { mode: string }).mode, "frozen", "the clock stands still");
        await page.fill("#clock-advance-by", "10m");
        const before = ((await (await admin("/clock")).json()) as { now: number }).now;
        await page.click("#clock-advance");
        const expectedNow = new Date(before + 600_000).toISOString();
        await within(page, 2000, "the clock advanced", `document.querySelector("#clock-now")?.textContent === "${expectedNow} (frozen)"`);
        t.equal(((await (await admin("/clock")).json()) as { now: number }).now, before + 600_000, "advanced by 10 minutes, shown in ISO");

        const name = mock.ready.resources.find((r) => r.state === "enabled")?.name ?? "";
        await page.click(`[data-resource="${name}"] .resource-disable`);
        await page.waitForSelector(`[data-resource="${name}"].state-disabled`, { timeout: 2000 });
        type Resources = { resources: { name: string; state: string; keys: string[] }[] };
        const resourceOf = async () => ((await (await admin("/resources")).json()) as Resources).resources.find((r) => r.name === name);
        t.equal((await resourceOf())?.state, "disabled", `${name} disabled`);
        const oldKey = (await resourceOf())?.keys[0] ?? "";
        await page.click(`[data-resource="${name}"] .resource-regenerate`);
        for (const deadline = Date.now() + 2000; (await resourceOf())?.keys[0] === oldKey && Date.now() < deadline; ) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        t.not((await resourceOf())?.keys[0], oldKey, "its first key regenerated");

        await page.click("#reset");
        await page.waitForSelector(`[data-resource="${name}"].state-enabled`, { timeout: 2000 });
        t.equal(((await (await admin("/clock")).json()) as { mode: string }).mode, "system", "reset: the clock runs on system time");
      });
    });
  });
}
