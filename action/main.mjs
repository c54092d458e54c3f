// The GitHub Action's script (action.yml runs it with `node`): plain Node 20 ESM, no dependencies.
//
//   node action/main.mjs          start speechmock in the background, wait for its ready line,
//                                 write its URLs and key to $GITHUB_OUTPUT and $GITHUB_ENV
//   node action/main.mjs stop     SIGTERM every mock this job started, and wait for them to exit
//
// Inputs come as environment variables (a composite action passes them on explicitly):
// INPUT_FLAGS, INPUT_TLS, INPUT_TIMEOUT_SECONDS, INPUT_STOP.
//
// Composite actions have no post step: a mock left running is killed by the runner when the job
// ends ("Cleaning up orphan processes"). `stop: true` stops it earlier.
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The action's checkout ($GITHUB_ACTION_PATH): this file's parent folder. */
const root = fileURLToPath(new URL("..", import.meta.url));
const temp = process.env.RUNNER_TEMP || tmpdir();
const stateDir = join(temp, "speechmock");
const pidFile = join(stateDir, "pids");

const truthy = (v) => /^(true|yes|on|1)$/i.test((v ?? "").trim());

/** Splits a flags string the way a shell would for simple cases: whitespace, '…' and "…" quoting, \ escapes. */
function splitFlags(text) {
  const out = [];
  let cur = "";
  let has = false;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new Error(`Unterminated ${quote} quote in flags: ${text}`);
  if (has) out.push(cur);
  return out;
}

/** Appends name=value to a GitHub file command ($GITHUB_OUTPUT, $GITHUB_ENV) in the multiline-safe form. */
function writeFileCommand(file, values) {
  if (!file) return;
  let text = "";
  for (const [name, value] of Object.entries(values)) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  appendFileSync(file, text);
}

/** Fails the step: an error annotation, the detail in the log, exit status 1. */
function fail(message, detail = "") {
  const escapeData = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  console.log(`::error title=speechmock::${escapeData(detail ? `${message}\n${detail}` : message)}`);
  console.error(`speechmock action: ${message}`);
  if (detail) console.error(detail);
  process.exit(1);
}

const tail = (file, lines = 30) => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === "EPERM";
  }
  // An exited process nobody has reaped yet (a container without an init) is a zombie: gone.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
};

/** The checkout has no dist/ (it is built, not committed): install the runtime dependencies only and build. */
function ensureBuilt() {
  if (existsSync(join(root, "dist", "cli.mjs"))) return;
  console.log("speechmock action: building speechmock (runtime dependencies only)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const steps = [
    [npm, ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"]],
    [process.execPath, ["scripts/build.mjs"]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed in ${root} (exit ${r.status ?? r.signal})`);
  }
}

async function start() {
  let flags;
  try {
    flags = splitFlags(process.env.INPUT_FLAGS ?? "");
  } catch (e) {
    fail(e.message);
  }
  if (truthy(process.env.INPUT_TLS) && !flags.some((f) => /^--tls(-|$|=)/.test(f))) flags.push("--tls");
  const timeoutSeconds = Number(process.env.INPUT_TIMEOUT_SECONDS || 30);
  if (!(timeoutSeconds > 0)) fail(`timeout-seconds must be a positive number, got "${process.env.INPUT_TIMEOUT_SECONDS}"`);

  ensureBuilt();
  mkdirSync(stateDir, { recursive: true });
  const id = randomUUID().slice(0, 8);
  const stdoutFile = join(stateDir, `${id}.stdout`);
  const stderrFile = join(stateDir, `${id}.stderr`);
  const out = openSync(stdoutFile, "w");
  const err = openSync(stderrFile, "w");
  const args = [join(root, "bin", "speechmock.js"), "serve", ...flags];
  console.log(`speechmock action: node ${args.map((a) => JSON.stringify(a)).join(" ")}`);
  // Detached, in its own process group, with its output in files: it outlives this step.
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", out, err] });
  closeSync(out);
  closeSync(err);
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = signal ?? `exit status ${code}`;
  });
  child.on("error", (e) => {
    exited = e.message;
  });

  const deadline = Date.now() + timeoutSeconds * 1000;
  let ready = null;
  for (;;) {
    const text = readFileSync(stdoutFile, "utf8");
    const nl = text.indexOf("\n");
    if (nl >= 0) {
      try {
        ready = JSON.parse(text.slice(0, nl));
      } catch {
        ready = null;
      }
      if (ready?.event !== "ready") {
        if (!exited) child.kill("SIGTERM");
        fail(`speechmock's first line is not its ready line: ${text.slice(0, nl)}`, tail(stderrFile));
      }
      break;
    }
    if (exited) fail(`speechmock stopped before it was ready (${exited})`, tail(stderrFile));
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      fail(`speechmock was not ready within ${timeoutSeconds} s`, tail(stderrFile));
    }
    await sleep(50);
  }
  child.unref();
  appendFileSync(pidFile, `${ready.pid ?? child.pid}\n`);

  // A key that works at the ready line's URL: the first enabled resource of the mock's own region.
  const enabled = (ready.resources ?? []).filter((r) => r.state === "enabled");
  const resource = enabled.find((r) => r.region === ready.region) ?? enabled[0];
  const key = resource?.keys?.[0] ?? "";

  const outputs = {
    url: ready.url,
    sts: ready.sts,
    ws: ready.ws,
    admin: ready.admin,
    region: ready.region,
    key,
    pid: String(ready.pid ?? child.pid),
  };
  const env = {
    SPEECHMOCK_URL: ready.url,
    SPEECHMOCK_STS: ready.sts,
    SPEECHMOCK_WS: ready.ws,
    SPEECHMOCK_ADMIN: ready.admin,
    SPEECHMOCK_KEY: key,
    SPEECHMOCK_REGION: ready.region,
  };
  if (ready.tls) {
    outputs["tls-url"] = ready.tls.url;
    outputs["tls-ws"] = ready.tls.ws;
    outputs.ca = ready.tls.ca;
    env.SPEECHMOCK_TLS_URL = ready.tls.url;
    env.SPEECHMOCK_TLS_WS = ready.tls.ws;
    if (ready.tls.ca) env.NODE_EXTRA_CA_CERTS = ready.tls.ca;
  }
  writeFileCommand(process.env.GITHUB_OUTPUT, outputs);
  writeFileCommand(process.env.GITHUB_ENV, env);
  // Later steps can run `speechmock conform …` without installing it: a `speechmock` command on PATH.
  if (process.env.GITHUB_PATH) {
    const binDir = join(stateDir, "bin");
    const cli = join(root, "bin", "speechmock.js");
    mkdirSync(binDir, { recursive: true });
    writeFileSync(join(binDir, "speechmock"), `#!/bin/sh\nexec node ${JSON.stringify(cli)} "$@"\n`, { mode: 0o755 });
    writeFileSync(join(binDir, "speechmock.cmd"), `@node "${cli}" %*\r\n`);
    appendFileSync(process.env.GITHUB_PATH, `${binDir}\n`);
  }
  console.log(`speechmock action: ready at ${ready.url} (pid ${outputs.pid}); log: ${stderrFile}`);
  process.exit(0);
}

async function stop() {
  let pids = [];
  try {
    pids = readFileSync(pidFile, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    console.log("speechmock action: no mock to stop");
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  // speechmock closes open sockets within a second of SIGTERM; allow some slack, then SIGKILL.
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(alive)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
  console.log(`speechmock action: stopped ${pids.join(", ")}`);
}

if (process.argv[2] === "stop" || truthy(process.env.INPUT_STOP)) await stop();
else await start();
