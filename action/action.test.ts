/**
 * The GitHub Action's script (action/main.mjs) as the runner runs it: real processes, with fake
 * GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and RUNNER_TEMP files in a temporary directory.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = join(root, "action", "main.mjs");

/** Reads a GitHub file command file: `name<<DELIM\nvalue\nDELIM` entries (and plain name=value lines). */
function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = "", delimiter] = heredoc;
      const end = lines.indexOf(delimiter ?? "", i + 1);
      if (end < 0) throw new Error(`No closing delimiter for ${name}`);
      values[name] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      values[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return values;
}

function fakeRunner() {
  const dir = mkdtempSync(join(tmpdir(), "speechmock-action-"));
  const files = { GITHUB_OUTPUT: join(dir, "output"), GITHUB_ENV: join(dir, "env"), GITHUB_PATH: join(dir, "path"), RUNNER_TEMP: dir };
  for (const f of [files.GITHUB_OUTPUT, files.GITHUB_ENV, files.GITHUB_PATH]) writeFileSync(f, "");
  return { dir, files };
}

function runAction(files: Record<string, string>, inputs: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...files, ...inputs },
  });
}

const portOpen = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

t.test("starts the mock, exports its URLs and key, and stops it", async (t) => {
  const { dir, files } = fakeRunner();
  t.teardown(() => {
    runAction(files, {}, ["stop"]);
    rmSync(dir, { recursive: true, force: true });
  });
  const started = runAction(files, { INPUT_FLAGS: "--port 0 --region 'westus'", INPUT_TLS: "false", INPUT_TIMEOUT_SECONDS: "30" });
  t.equal(started.status, 0, started.stderr);
  t.match(started.stdout, /ready at http:\/\/127\.0\.0\.1:\d+/);

  const out = parseFileCommands(readFileSync(files.GITHUB_OUTPUT, "utf8"));
  const env = parseFileCommands(readFileSync(files.GITHUB_ENV, "utf8"));
  t.match(readFileSync(files.GITHUB_OUTPUT, "utf8"), /^url<<ghadelimiter_[0-9a-f-]+\n/, "multiline-safe format");
  t.match(out.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal(out.sts, `${out.url}/sts/v1.0/issueToken`);
  t.equal(out.ws, out.url?.replace("http:", "ws:"));
  t.equal(out.admin, `${out.url}/__speechmock`);
  t.equal(out.region, "westus");
  t.equal(out.key, "7e57c0de5eec4d0c0000000000000001");
  t.match(out.pid, /^\d+$/);
  t.same(env, {
    SPEECHMOCK_URL: out.url,
    SPEECHMOCK_STS: out.sts,
    SPEECHMOCK_WS: out.ws,
    SPEECHMOCK_ADMIN: out.admin,
    SPEECHMOCK_KEY: out.key,
    SPEECHMOCK_REGION: "westus",
  });
  const binDir = readFileSync(files.GITHUB_PATH, "utf8").trim();
  t.equal(binDir, join(dir, "speechmock", "bin"), "a folder added to PATH for later steps");
  const version = spawnSync("speechmock", ["--version"], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
  });
  t.equal(version.status, 0, "`speechmock` runs from it");
  t.match(version.stdout, JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);

  // The mock outlived the step that started it, and answers at the exported URL with the exported key.
  const res = await fetch(env.SPEECHMOCK_STS ?? "", { method: "POST", headers: { "Ocp-Apim-Subscription-Key": env.SPEECHMOCK_KEY ?? "" } });
  t.equal(res.status, 200);
  t.ok((await res.text()).split(".").length === 3, "a JWT");

  const stopped = runAction(files, { INPUT_STOP: "true" });
  t.equal(stopped.status, 0, stopped.stderr);
  t.match(stopped.stdout, `stopped ${out.pid}`);
  t.equal(await portOpen(out.url ?? ""), false, "port closed");
});

t.test("with tls: the HTTPS URL, the CA and NODE_EXTRA_CA_CERTS", async (t) => {
  const { dir, files } = fakeRunner();
  t.teardown(() => {
    runAction(files, {}, ["stop"]);
    rmSync(dir, { recursive: true, force: true });
  });
  const tlsDir = join(dir, "tls dir");
  const started = runAction(files, { INPUT_FLAGS: `--port 0 --tls-port 0 --tls-dir "${tlsDir}"`, INPUT_TLS: "true" });
  t.equal(started.status, 0, started.stderr);
  const out = parseFileCommands(readFileSync(files.GITHUB_OUTPUT, "utf8"));
  const env = parseFileCommands(readFileSync(files.GITHUB_ENV, "utf8"));
  t.match(out["tls-url"], /^https:\/\/127\.0\.0\.1:\d+$/);
  t.equal(out.ca, join(tlsDir, "ca.pem"));
  t.equal(env.NODE_EXTRA_CA_CERTS, out.ca);
  t.equal(env.SPEECHMOCK_TLS_URL, out["tls-url"]);
  t.match(readFileSync(out.ca ?? "", "utf8"), /BEGIN CERTIFICATE/);
  const stopped = runAction(files, {}, ["stop"]);
  t.equal(stopped.status, 0, stopped.stderr);
  t.equal(await portOpen(out["tls-url"] ?? ""), false, "TLS port closed");
});

t.test("a bad flag fails the step with the mock's stderr", async (t) => {
  const { dir, files } = fakeRunner();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const started = runAction(files, { INPUT_FLAGS: "--port 0 --no-such-flag" });
  t.equal(started.status, 1);
  t.match(started.stdout, /^::error title=speechmock::speechmock stopped before it was ready \(exit status 2\)/m);
  t.match(started.stderr, "--no-such-flag", "the mock's own message");
  t.equal(readFileSync(files.GITHUB_OUTPUT, "utf8"), "", "no outputs");
  t.equal(readFileSync(files.GITHUB_ENV, "utf8"), "", "no environment");
});

t.test("stop with nothing started succeeds", async (t) => {
  const { dir, files } = fakeRunner();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const stopped = runAction(files, { INPUT_STOP: "true" });
  t.equal(stopped.status, 0);
  t.match(stopped.stdout, "no mock to stop");
});
