/**
 * Production code, unchanged, against the mock: `fixtures/examples/production-app/` is an
 * application written for Azure (`SpeechConfig.fromSubscription(key, region)`, or a token fetched
 * from `https://<region>.api.cognitive.microsoft.com/sts/v1.0/issueToken` and
 * `SpeechConfig.fromAuthorizationToken`), with no mention of the mock. It runs as a real Node process
 * through the preload (`node --import speechmock/register`, the CA in `NODE_EXTRA_CA_CERTS`) against
 * `speechmock serve --tls` on Node and on Deno, and recognises remind-me.wav; the journal shows the
 * Azure hostnames it called. Then the preload's refusals when no mock answers.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import t from "tap";
import { root, runtimes, spawnMock } from "../../test/support/spawn.ts";

const appDir = `${root}fixtures/examples/production-app/`;
const register = `${root}dist/register.mjs`;
const clip = `${root}fixtures/audio/remind-me.wav`;
const westusKey = "7e57c0de5eec4d0c0000000000000001";
const eastusKey = "7e57c0de5eec4d0c0000000000000003";

interface TlsReady {
  admin: string;
  tls: { url: string; ws: string; port: number; ca: string; spki: string };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without anything that could point a child at a mock by itself. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith("SPEECHMOCK_") || name === "NODE_OPTIONS" || name === "NODE_EXTRA_CA_CERTS") continue;
    env[name] = value;
  }
  return env;
}

/** `node --import <root>/dist/register.mjs <args>` in the app's directory, as a user runs it. */
async function runNode(args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  const child = spawn(process.execPath, ["--import", register, ...args], {
    cwd: appDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...cleanEnv(), ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(child, "close")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

async function journal(admin: string, type: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${admin}/journal?type=${type}`);
  return ((await res.json()) as { entries: Record<string, unknown>[] }).entries;
}

const hostOf = (entry: Record<string, unknown>) => (entry.headers as Record<string, string>).host;

for (const runtime of runtimes) {
  t.test(`production code recognises remind-me.wav through the preload, mock on ${runtime}`, async (t) => {
    const dir = mkdtempSync(`${tmpdir()}/speechmock-prod-`);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const tlsDir = `${dir}/tls`;
    const mock = await spawnMock(runtime, ["--tls", "--tls-port", "0", "--tls-dir", tlsDir]);
    t.teardown(() => mock.stop());
    const ready = mock.ready as unknown as TlsReady;
    t.equal(ready.tls.ca, `${tlsDir}/ca.pem`, "the ready line names the CA in the TLS directory");
    t.same(JSON.parse(readFileSync(`${tlsDir}/ready.json`, "utf8")), ready, "ready.json is the ready line");
    const env = { SPEECHMOCK_TLS_DIR: tlsDir, NODE_EXTRA_CA_CERTS: ready.tls.ca, SPEECH_KEY: westusKey, SPEECH_REGION: "westus" };

    for (const app of ["recognize.mjs", "recognize-with-token.mjs"]) {
      const source = readFileSync(`${appDir}${app}`, "utf8");
      t.notMatch(source, /speechmock|localhost|127\.0\.0\.1|fromHost|fromEndpoint/i, `${app} is production code: no mention of the mock`);
      const run = await runNode([app, clip], env);
      t.equal(run.code, 0, `${app} exits 0 (${run.stderr.trim()})`);
      t.equal(run.stdout.trim(), "RECOGNIZED: Text=Remind me to buy 5 pencils.", `${app} recognises the clip`);
    }

    const handshakes = await journal(ready.admin, "handshake");
    t.same(
      handshakes.map((h) => [hostOf(h), h.region, h.reason]),
      [
        ["westus.stt.speech.microsoft.com", "westus", "handshake.accepted_key"],
        ["westus.stt.speech.microsoft.com", "westus", "handshake.accepted_token"],
      ],
      "the SDK's own WSS hostname, the key, then the token",
    );
    const sts = await journal(ready.admin, "sts.request");
    t.same(
      sts.map((s) => [hostOf(s), s.region, s.status]),
      [["westus.api.cognitive.microsoft.com", "westus", 200]],
      "fetch called the regional token service by its hostname",
    );

    // Another region, from the application's configuration only: the hostname names it.
    const eastus = await runNode(["recognize-with-token.mjs", clip], { ...env, SPEECH_KEY: eastusKey, SPEECH_REGION: "eastus" });
    t.equal(eastus.stdout.trim(), "RECOGNIZED: Text=Remind me to buy 5 pencils.", "eastus's key at eastus's hostnames");
    const last = (await journal(ready.admin, "handshake")).at(-1) ?? {};
    t.same([hostOf(last), last.region, last.resource], ["eastus.stt.speech.microsoft.com", "eastus", "speechmock-eastus-free"]);

    // A key of another region is refused as Azure refuses it.
    const wrong = await runNode(["recognize-with-token.mjs", clip], { ...env, SPEECH_KEY: eastusKey, SPEECH_REGION: "westus" });
    t.equal(wrong.code, 1, "the app fails");
    t.match(wrong.stderr, /^issueToken: 401 .*wrong API endpoint/, "with Azure's 401 body");

    // SPEECHMOCK_URL (what `speechmock exec` sets) instead of the ready file.
    const byUrl = await runNode(["recognize.mjs", clip], {
      ...env,
      SPEECHMOCK_TLS_DIR: `${dir}/nowhere`,
      SPEECHMOCK_URL: ready.tls.url,
    });
    t.equal(byUrl.stdout.trim(), "RECOGNIZED: Text=Remind me to buy 5 pencils.", "SPEECHMOCK_URL=<tls.url> works without the ready file");

    // node:https, ws and dns.lookup too, and hostnames outside Azure's untouched.
    const probe = await runNode(
      [
        "--input-type=module",
        "-e",
        `import https from "node:https";
         import dns from "node:dns/promises";
         import WebSocket from "ws";
         const key = process.env.SPEECH_KEY;
         const status = await new Promise((resolve, reject) => {
           const req = https.request("https://westus.api.cognitive.microsoft.com/sts/v1.0/issueToken",
             { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } }, (res) => { res.resume(); resolve(res.statusCode); });
           req.on("error", reject).end();
         });
         const open = await new Promise((resolve) => {
           const ws = new WebSocket("wss://speech.platform.bing.com/speech/recognition/interactive/cognitiveservices/v1?language=en-US",
             { headers: { "Ocp-Apim-Subscription-Key": key, "X-ConnectionId": "0123456789abcdef0123456789abcdef" } });
           ws.on("open", () => { ws.close(); resolve("open"); });
           ws.on("error", (e) => resolve(String(e)));
         });
         const looked = await dns.lookup("eastus.tts.speech.microsoft.com");
         const other = await dns.lookup("localhost").then((r) => r.address, (e) => e.code);
         console.log(JSON.stringify({ status, open, looked: looked.address, other }));`,
      ],
      env,
    );
    t.equal(probe.code, 0, probe.stderr);
    const seen = JSON.parse(probe.stdout) as { status: number; open: string; looked: string; other: string };
    t.same({ status: seen.status, open: seen.open, looked: seen.looked }, { status: 200, open: "open", looked: "127.0.0.1" });
    t.match(seen.other, /^(127\.0\.0\.1|::1)$/, "localhost resolves as before");
    const legacy = (await journal(ready.admin, "handshake")).at(-1) ?? {};
    t.same([hostOf(legacy), legacy.region], ["speech.platform.bing.com", "westus"], "the legacy hostname gets the default region");
  });
}

t.test("the preload refuses, exit 1, naming what to do, when no mock answers", async (t) => {
  const dir = mkdtempSync(`${tmpdir()}/speechmock-prod-`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { SPEECH_KEY: westusKey, SPEECH_REGION: "westus" };

  const none = await runNode(["recognize.mjs", clip], { ...env, SPEECHMOCK_TLS_DIR: `${dir}/empty` });
  t.equal(none.code, 1);
  t.equal(none.stdout, "", "the application never ran");
  t.equal(
    none.stderr,
    `speechmock/register: no running mock found: SPEECHMOCK_URL is not set and ${dir}/empty/ready.json does not exist. ` +
      "Start one with `npx speechmock serve --tls`, or run your command with `npx speechmock exec -- <command>`\n",
  );

  // A mock killed without its shutdown leaves ready.json behind: nothing answers at its port.
  const tlsDir = `${dir}/tls`;
  const mock = await spawnMock("node", ["--tls", "--tls-port", "0", "--tls-dir", tlsDir]);
  const port = (mock.ready as unknown as TlsReady).tls.port;
  await mock.stop("SIGKILL");
  const stale = await runNode(["recognize.mjs", clip], { ...env, SPEECHMOCK_TLS_DIR: tlsDir });
  t.equal(stale.code, 1);
  t.equal(stale.stdout, "");
  t.equal(
    stale.stderr,
    `speechmock/register: no mock answers at 127.0.0.1:${port} (from ${tlsDir}/ready.json). Start one with \`npx speechmock serve --tls\`\n`,
  );

  const plain = await runNode(["recognize.mjs", clip], { ...env, SPEECHMOCK_URL: "http://127.0.0.1:8410" });
  t.equal(plain.code, 1);
  t.match(
    plain.stderr,
    /^speechmock\/register: SPEECHMOCK_URL is "http:\/\/127\.0\.0\.1:8410": .*an https:\/\/ URL\. Start the mock with --tls\n$/,
  );

  writeFileSync(`${dir}/ready.json`, `${JSON.stringify({ event: "ready", url: "http://127.0.0.1:8410" })}\n`);
  const noTls = await runNode(["recognize.mjs", clip], { ...env, SPEECHMOCK_TLS_DIR: dir });
  t.equal(noTls.code, 1);
  t.match(noTls.stderr, /has no tls\.url: the mock that wrote it was not started with --tls/);
});
