/**
 * Issue 12's browser proof: the real Speech SDK (its browser bundle) in headless Chromium, on a page
 * served from another origin, running production code (`test/support/browser/page/app.js`: Azure's token service by its
 * own hostname, `fromAuthorizationToken` and `fromSubscription` with a region, never a host or a
 * port). Chromium alone is told where Azure is, by the flags `speechmock browser-flags` prints:
 * `--host-resolver-rules` maps Azure's hostnames on port 443 to the mock's TLS port (a `MAP` pattern
 * with a port is matched against `host:port`: Chromium's net/base/host_mapping_rules.cc), and
 * `--ignore-certificate-errors-spki-list` accepts the mock's leaf by its SPKI hash. Chromium is Debian's `chromium`, driven by
 * playwright-core; `.ci/run` installs it. Without it the test is skipped, saying why (and fails on CI).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import t from "tap";
import { type ReadyLine, root, runCommand, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";

const chromiumPath = process.env.SPEECHMOCK_CHROMIUM ?? "/usr/bin/chromium";
const region = "westus";
const recording = "remind-me.wav";
const expected = "Remind me to buy 5 pencils.";
/** Where a failed run leaves its screenshot and the page's console. */
const outputDir = join(root, ".tap", "browser");

interface TlsReady extends ReadyLine {
  tls: { url: string; ws: string; port: number; ca: string; spki: string };
}

/** The app's origin: its page, its code, its configuration, the SDK's browser bundle and the recording. */
async function servePage(config: Record<string, string>): Promise<{ server: Server; url: string }> {
  const files: Record<string, [string, () => Buffer | string]> = {
    "/": ["text/html", () => readFileSync(new URL("../../test/support/browser/page/index.html", import.meta.url))],
    "/app.js": ["text/javascript", () => readFileSync(new URL("../../test/support/browser/page/app.js", import.meta.url))],
    "/config.json": ["application/json", () => JSON.stringify(config)],
    "/speech-sdk.js": [
      "text/javascript",
      () =>
        readFileSync(
          join(
            root,
            "node_modules/microsoft-cognitiveservices-speech-sdk/distrib/browser/microsoft.cognitiveservices.speech.sdk.bundle-min.js",
          ),
        ),
    ],
    [`/${recording}`]: ["audio/wav", () => readFileSync(join(root, "fixtures/audio", recording))],
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

interface JournalEntry {
  type: string;
  status?: number;
  decision?: string;
  region?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

async function journal(mock: SpawnedMock, type: string): Promise<JournalEntry[]> {
  const res = await fetch(`${mock.ready.admin}/journal?type=${type}`);
  return ((await res.json()) as { entries: JournalEntry[] }).entries;
}

const header = (e: JournalEntry, name: string) => Object.entries(e.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

async function clickAndWait(page: Page, button: string): Promise<{ state: string; text: string }> {
  await page.click(button);
  await page.waitForSelector("#result[data-state=done], #result[data-state=error]", { timeout: 20_000 });
  return { state: (await page.getAttribute("#result", "data-state")) ?? "", text: (await page.textContent("#result")) ?? "" };
}

if (!existsSync(chromiumPath)) {
  const reason = `no Chromium at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set SPEECHMOCK_CHROMIUM`;
  // CI installs it, so there a missing browser is a failure, never a pass.
  if (process.env.CI) t.fail(reason);
  else t.test("the Speech SDK in headless Chromium reaches the mock by Azure's hostnames", { skip: reason }, () => {});
} else {
  t.test("the Speech SDK in headless Chromium reaches the mock by Azure's hostnames", async (t) => {
    const tlsDir = mkdtempSync(join(tmpdir(), "speechmock-browser-"));
    t.teardown(() => rmSync(tlsDir, { recursive: true, force: true }));
    const mock = await spawnMock("node", ["--tls", "--tls-port", "0", "--tls-dir", tlsDir]);
    t.teardown(() => mock.stop());
    const ready = mock.ready as TlsReady;
    t.ok(ready.tls?.spki, "the ready line has the TLS port and the leaf's SPKI hash");
    const printed = await runCommand("node", ["browser-flags", "--tls-dir", tlsDir, "--json"]);
    t.equal(printed.code, 0, "speechmock browser-flags --json finds the running mock", { stderr: printed.stderr });
    const flags = JSON.parse(printed.stdout) as string[];
    t.ok(
      flags.some((f) => f.startsWith("--host-resolver-rules=") && f.includes(`:443 127.0.0.1:${ready.tls.port}`)) &&
        flags.includes(`--ignore-certificate-errors-spki-list=${ready.tls.spki}`),
      "the flags map port 443 to the ready line's TLS port and pin its SPKI hash",
      { flags },
    );
    const key = ready.resources.find((r) => r.region === region && r.state === "enabled")?.keys[0] ?? "";

    const app = await servePage({ speechKey: key, speechRegion: region, recording });
    t.teardown(() => new Promise<void>((resolve) => app.server.close(() => resolve())));

    const browser: Browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", ...flags],
    });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.stack ?? e.message}`));

    try {
      await page.goto(app.url);
      await page.waitForSelector("#with-token:not([disabled])", { timeout: 10_000 });

      const withToken = await clickAndWait(page, "#with-token");
      t.same(
        withToken.state === "done" ? JSON.parse(withToken.text) : withToken.text,
        { reason: "RecognizedSpeech", text: expected },
        "a token from https://westus.api.cognitive.microsoft.com, then fromAuthorizationToken: the clip is recognised",
      );
      const withKey = await clickAndWait(page, "#with-key");
      t.same(
        withKey.state === "done" ? JSON.parse(withKey.text) : withKey.text,
        { reason: "RecognizedSpeech", text: expected },
        "fromSubscription(key, region): the clip is recognised",
      );

      // The mock saw Azure's hostnames, on the TLS port (nothing else maps port 443 to it), from the app's origin.
      const origin = new URL(app.url).origin;
      const tokens = (await journal(mock, "sts.request")).filter((e) => e.status === 200);
      t.ok(
        tokens.some((e) => header(e, "host") === `${region}.api.cognitive.microsoft.com` && header(e, "origin") === origin),
        "the token request reached the mock as westus.api.cognitive.microsoft.com, from the page's origin",
        { entries: tokens },
      );
      const handshakes = (await journal(mock, "handshake")).filter((e) => e.decision === "accept");
      t.equal(handshakes.length, 2, "two handshakes accepted", { entries: handshakes });
      t.ok(
        handshakes.length > 0 && handshakes.every((e) => header(e, "host") === `${region}.stt.speech.microsoft.com` && e.region === region),
        "each handshake reached the mock as westus.stt.speech.microsoft.com (region westus)",
        { entries: handshakes },
      );
    } catch (err) {
      t.fail(`the page did not finish: ${String(err)}`);
    } finally {
      if (!t.passing()) {
        mkdirSync(outputDir, { recursive: true });
        const shot = join(outputDir, `sdk-in-chromium-${Date.now()}.png`);
        await page.screenshot({ path: shot }).catch(() => {});
        t.comment(
          `screenshot: ${shot}\nthe page's console:\n${consoleLines.join("\n")}\nthe mock's stderr:\n${mock.stderr().slice(-4000)}`,
        );
      }
    }
  });
}
