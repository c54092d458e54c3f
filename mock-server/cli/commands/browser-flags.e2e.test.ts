/**
 * `speechmock browser-flags` against a running `serve --tls`, on Node and on Deno: the flags name
 * the mock's TLS port and certificate pin; without a running mock, exit 1 and say how to start one.
 * And the flags work: headless Chromium (when installed) reaches the mock by Azure's hostname.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { root, runCommand, runtimes, spawnMock } from "../../../test/support/spawn.ts";
import { browserFlags, shellLine } from "./browser-flags.ts";

const chromium = "/usr/bin/chromium";
const playwright = `${root}node_modules/playwright-core/index.mjs`;

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const tlsDir = mkdtempSync(join(tmpdir(), `speechmock-browser-flags-${runtime}-`));
    t.teardown(() => rmSync(tlsDir, { recursive: true, force: true }));
    const noMock = `speechmock: no running mock with TLS found in ${join(tlsDir, "ready.json")}`;
    const startHint = ": start one with `speechmock serve --tls`\n";

    t.test("with a mock running: the flags for its TLS port and its certificate, quoted, or as JSON", async (t) => {
      const mock = await spawnMock(runtime, ["--tls", "--tls-port", "0", "--tls-dir", tlsDir, "--log-format", "none"]);
      t.teardown(() => mock.stop());
      const tls = (mock.ready as unknown as { tls: { port: number; spki: string } }).tls;
      const expected = browserFlags({ host: "127.0.0.1", port: tls.port, spki: tls.spki });
      const json = await runCommand(runtime, ["browser-flags", "--tls-dir", tlsDir, "--json"]);
      t.equal(json.code, 0, json.stderr);
      t.same(JSON.parse(json.stdout), expected);
      const line = await runCommand(runtime, ["browser-flags", "--tls-dir", tlsDir]);
      t.equal(line.code, 0, line.stderr);
      t.equal(line.stdout, `${shellLine(expected)}\n`);
      t.match(line.stdout, `MAP *.stt.speech.microsoft.com:443 127.0.0.1:${tls.port}`);
      const fromEnv = await runCommand(runtime, ["browser-flags", "--json"], 20_000, { SPEECHMOCK_TLS_DIR: tlsDir });
      t.same(JSON.parse(fromEnv.stdout), expected, "SPEECHMOCK_TLS_DIR when --tls-dir is not given");

      const headless = existsSync(chromium) && existsSync(playwright);
      t.test("headless Chromium reaches the mock by Azure's hostname with them", { skip: !headless && "no chromium" }, async (t) => {
        const { chromium: browserType } = (await import(playwright)) as typeof import("playwright-core");
        const browser = await browserType.launch({ executablePath: chromium, args: expected });
        t.teardown(() => browser.close());
        const page = await browser.newPage();
        const response = await page.goto("https://eastus.stt.speech.microsoft.com/__speechmock/health");
        t.equal(response?.status(), 200);
        t.match(await response?.text(), '"status":"ok"');
      });
    });

    t.test("no mock running: exit 1, saying where it looked and how to start one", async (t) => {
      t.notOk(existsSync(join(tlsDir, "ready.json")), "the stopped mock removed its ready line");
      const result = await runCommand(runtime, ["browser-flags", "--tls-dir", tlsDir]);
      t.equal(result.code, 1);
      t.equal(result.stdout, "");
      t.equal(result.stderr, `${noMock}${startHint}`);
    });

    t.test("a ready line left by a killed mock: exit 1, naming the pid and address that do not answer", async (t) => {
      const port = await closedPort();
      const ready = { event: "ready", pid: 999999, tls: { url: `https://127.0.0.1:${port}`, port, spki: "x=" } };
      writeFileSync(join(tlsDir, "ready.json"), JSON.stringify(ready));
      const result = await runCommand(runtime, ["browser-flags", "--tls-dir", tlsDir, "--json"]);
      t.equal(result.code, 1);
      t.equal(result.stderr, `${noMock}: the mock that wrote it (pid 999999) does not answer at 127.0.0.1:${port}${startHint}`);
      writeFileSync(join(tlsDir, "ready.json"), JSON.stringify({ event: "ready", pid: 1 }));
      const plain = await runCommand(runtime, ["browser-flags", "--tls-dir", tlsDir]);
      t.equal(plain.code, 1);
      t.equal(plain.stderr, `${noMock} (its ready line has no tls)${startHint}`);
    });

    t.test("bad flags: exit 2", async (t) => {
      const result = await runCommand(runtime, ["browser-flags", "--port", "1"]);
      t.equal(result.code, 2);
      t.match(result.stderr, "speechmock: Flag --port does not apply to browser-flags");
    });
  });
}
