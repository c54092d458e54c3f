/**
 * README.md's commands and snippets work when pasted, run as the README says to run them: in a
 * throwaway project that has speechmock installed (node_modules/speechmock is this checkout, with
 * its command in node_modules/.bin, as `npm install` leaves them), or in the repository where the
 * README says "in a clone". Only a fixed port is replaced: `--port 0` where a command starts a mock
 * (the README's own advice for test suites), the free port in URLs; and a user's own adapter is
 * the project's Python client copied to where the README puts it. What is covered elsewhere:
 * mock-server/tls/serving-readme.e2e.test.ts (the TLS section's commands), conformance/readme.test.ts
 * (the adapters quoted). Not run: commands that need sudo, port 443, Chromium or the user's own app
 * (`hosts | sudo tee`, `browser-flags`), placeholders (`<32 hex>`), the development commands
 * (`npm test` is this suite), and the control plane's and journal's example sessions.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import t from "tap";
import { root, spawnMock } from "../test/support/spawn.ts";

t.setTimeout(300_000);

const readme = readFileSync(`${root}README.md`, "utf8");

/** The fenced blocks of a language, in order. */
const blocks = (lang: string) => [...readme.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, "gm"))].map((m) => m[1] as string);

/** A shell block's commands: continuation lines joined, comments (whole-line and trailing) and blank lines dropped. */
const commands = (block: string) =>
  block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.replace(/\s+#\s.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

const shLines = blocks("sh").flatMap(commands);
const line = (predicate: (l: string) => boolean, what: string): string => {
  const found = shLines.find(predicate);
  if (found === undefined) throw new Error(`README.md has no command ${what}`);
  return found;
};

// A project of the README's reader: speechmock (and tsx, its dependency) installed, a tests/ folder.
const project = mkdtempSync(join(tmpdir(), "speechmock-readme-"));
t.teardown(() => rmSync(project, { recursive: true, force: true }));
mkdirSync(join(project, "node_modules", ".bin"), { recursive: true });
mkdirSync(join(project, "tests"));
symlinkSync(root, join(project, "node_modules", "speechmock"));
symlinkSync("../speechmock/bin/speechmock.js", join(project, "node_modules", ".bin", "speechmock"));
symlinkSync(join(root, "node_modules", "tsx"), join(project, "node_modules", "tsx"));
symlinkSync("../tsx/dist/cli.mjs", join(project, "node_modules", ".bin", "tsx"));
copyFileSync(`${root}fixtures/clients/python/adapter.py`, join(project, "tests", "speechmock_adapter.py"));
copyFileSync(`${root}fixtures/clients/python/speech_client.py`, join(project, "tests", "speech_client.py"));
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "reader", private: true, scripts: { test: "node check.mjs" } }));
// The reader's own test: a token from the mock `speechmock exec` started, with the key it gives.
writeFileSync(
  join(project, "check.mjs"),
  `const res = await fetch(process.env.SPEECHMOCK_STS, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": process.env.SPEECHMOCK_KEY } });
console.log("token", res.status, (await res.text()).split(".").length);`,
);

/** The environment of a shell on a machine without any speechmock variable set. */
const clean = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(SPEECHMOCK_|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$|npm_)/.test(name)),
);

/** Runs a README command in bash, in `cwd`. */
async function shell(command: string, cwd: string, timeout = 60_000) {
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", ["-c", command], { cwd, env: clean, timeout, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

type Ready = { url: string; host: string; network?: string[]; sts: string; runtime: string } & Record<string, unknown>;

/** Starts a README command that serves, in its own process group; resolves with the first JSON line on stdout. */
async function serving(command: string, cwd: string): Promise<{ ready: Ready; before: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn("bash", ["-c", command], { cwd, env: clean, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = once(child, "close");
    process.kill(-(child.pid as number), "SIGTERM");
    await closed;
  };
  const ready = await new Promise<{ ready: Ready; before: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line from ${command} in 120 s: ${out} ${err}`)), 120_000);
    child.stdout?.on("data", (d) => {
      out += d;
      const at = out.search(/^\{"event":"ready".*\n/m);
      if (at === -1) return;
      clearTimeout(timer);
      resolve({ ready: JSON.parse(out.slice(at).split("\n")[0] as string) as Ready, before: out.slice(0, at) });
    });
    child.once("close", (code) => reject(new Error(`${command} exited ${code}: ${out} ${err}`)));
  });
  return { ...ready, stop };
}

const issueToken = async (url: string) => {
  const res = await fetch(`${url}/sts/v1.0/issueToken`, {
    method: "POST",
    headers: { "Ocp-Apim-Subscription-Key": "7e57c0de5eec4d0c0000000000000001" },
  });
  return { status: res.status, parts: (await res.text()).split(".").length };
};

t.test("the quick start, in a clone: npm start and npx deno task start print the ready line and serve", async (t) => {
  const first = line((l) => l.startsWith("npm install && npm start"), "npm install && npm start");
  const deno = line((l) => l.startsWith("npx deno task start"), "npx deno task start");
  // `npm install` is the clone's development install, done already; the ports are free ones.
  const npmStart = first.replace(/^npm install && /, "").replace(/^npm start$/, "npm start -- --port 0");
  t.equal(npmStart, "npm start -- --port 0");
  for (const command of [npmStart, `${deno} --port 0`]) {
    const mock = await serving(command, root);
    t.teardown(mock.stop);
    t.equal(mock.ready.runtime, command.includes("deno") ? "deno" : "node", command);
    t.same(await issueToken(mock.ready.url), { status: 200, parts: 3 }, `${command}: the token service answers`);
    if (command.startsWith("npm")) t.match(mock.before, /> speechmock@/, "npm's banner comes first, as the README says");
    else t.equal(mock.before, "", "nothing before the ready line");
    await mock.stop();
  }
});

t.test("in a project: npx speechmock serve --port 0, the ready line as the README shows it, and the development key", async (t) => {
  const command = line((l) => l.startsWith("npx speechmock serve --port 0"), "npx speechmock serve --port 0");
  const mock = await serving(command, project);
  t.teardown(mock.stop);
  t.equal(mock.before, "");
  const shown = blocks("json").find((b) => b.startsWith('{"event":"ready"')) ?? "";
  for (const key of Object.keys(mock.ready)) t.match(shown, `"${key}":`, `the README's ready line shows ${key}`);
  t.match(shown, `"host":"${mock.ready.host}"`);
  const port = new URL(mock.ready.url).port;
  const curl = line((l) => l.startsWith("curl -s -X POST -H 'Ocp-Apim-Subscription-Key"), "curl with the development key");
  const token = await shell(curl.replaceAll(":8410", `:${port}`), project);
  t.equal(token.code, 0, token.stderr);
  t.equal(token.stdout.split(".").length, 3, "a JWT");
  await mock.stop();
});

t.test("--host 0.0.0.0 with an admin token, as the README writes it: host and network in the ready line", async (t) => {
  const command = line((l) => l.includes("--host 0.0.0.0"), "serving on 0.0.0.0");
  const mock = await serving(`${command} --port 0`, project);
  t.teardown(mock.stop);
  t.equal(mock.ready.host, "0.0.0.0");
  t.match(mock.ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.ok(Array.isArray(mock.ready.network), "network: an array");
  for (const url of [mock.ready.url, ...(mock.ready.network ?? [])]) t.same(await issueToken(url), { status: 200, parts: 3 }, url);
  await mock.stop();
});

t.test("the REST API's curl command answers what the README shows", async (t) => {
  const block = blocks("sh").find((b) => b.includes("conversation/cognitiveservices/v1?language=en-US&format=detailed")) ?? "";
  const [command, shown] = [commands(block.split("\n{")[0] as string)[0] ?? "", `{${block.split("\n{")[1]}`.trimEnd()];
  const mock = await spawnMock("node");
  t.teardown(() => mock.stop());
  const answer = await shell(command.replaceAll(":8410", `:${new URL(mock.ready.url).port}`), root);
  t.equal(answer.code, 0, answer.stderr);
  t.equal(answer.stdout, shown);
});

t.test("a fault rule as the README adds it: the next token request gets 429 with Retry-After", async (t) => {
  const [add] = commands(blocks("sh").find((b) => b.startsWith("# the next token request gets 429")) ?? "");
  t.match(add, /^curl -X POST http:\/\/127\.0\.0\.1:8410\/__speechmock\/faults /);
  const mock = await spawnMock("node", ["--log-format", "none"]);
  t.teardown(() => mock.stop());
  const added = await shell((add ?? "").replaceAll(":8410", `:${new URL(mock.ready.url).port}`), root);
  t.equal(added.code, 0, added.stderr);
  const res = await fetch(mock.ready.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": "7e57c0de5eec4d0c0000000000000001" } });
  t.same([res.status, res.headers.get("retry-after")], [429, "2"]);
  t.same(await issueToken(mock.ready.url), { status: 200, parts: 3 }, "once: the next one is issued");
});

t.test("speechmock hash, in a clone: the lines the README shows (abbreviated there with ...)", async (t) => {
  const shown = /^\$ (npx speechmock hash fixtures\/audio\/remind-me\.wav)\n([\s\S]*?)^\$ (npx speechmock hash --json .*)\n(.*)\n/m.exec(
    readme,
  );
  t.ok(shown, "both commands and their output");
  const [, text = "", textOut = "", json = "", jsonOut = ""] = shown ?? [];
  const prefixes = (out: string) => out.split(/\.\.\.|\n/).filter((part) => part !== "");
  for (const [command, out] of [
    [text, textOut],
    [json, jsonOut],
  ] as const) {
    const run = await shell(command, root);
    t.equal(run.code, 0, run.stderr);
    let at = 0;
    for (const part of prefixes(out)) {
      const found = run.stdout.indexOf(part, at);
      t.ok(found !== -1, `${command}: ${part.slice(0, 60)}`);
      at = Math.max(at, found);
    }
  }
});

t.test("From code: the startMock snippet as written, saved as mock.mts and run with npx tsx on Node 20", async (t) => {
  const snippet = blocks("ts").find((b) => b.includes('import { startMock } from "speechmock"'));
  t.ok(snippet, "the snippet");
  t.match(readme, "run `npx tsx mock.mts`", "the README says how to run it");
  // After the snippet, still inside its scope: what it made, printed for the test.
  const check = `
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());
console.log(JSON.stringify({ token: claims(token).region, expired: claims(expired).exp < Date.now() / 1000, elsewhere: claims(elsewhere).region, keys: mock.jwks.keys.length, url: mock.url }));
`;
  writeFileSync(join(project, "mock.mts"), `${snippet}${check}`);
  const run = await shell("npx tsx mock.mts", project);
  t.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { token: string; expired: boolean; elsewhere: string; keys: number; url: string };
  t.same({ ...out, url: undefined }, { token: "westus", expired: true, elsewhere: "eastus", keys: 1, url: undefined });
  // `await using` closed it when the module ended: the process ended by itself, and nothing answers.
  const gone = await fetch(out.url).then(
    () => "answered",
    () => "refused",
  );
  t.equal(gone, "refused", "closed at the end of the block");
});

t.test("Pointing the Microsoft Speech SDK at it: both fragments, with a token, recognise the built-in clip", async (t) => {
  // The two fragments of the section: the configuration (the SDK imported, no synthesizer) and the recognition.
  const sdkBlocks = blocks("ts").filter((b) => !b.includes("SpeechSynthesizer"));
  const config = sdkBlocks.find((b) => b.includes('import * as sdk from "microsoft-cognitiveservices-speech-sdk"'));
  const recognise = sdkBlocks.find((b) => b.includes("recognizeOnceAsync"));
  t.ok(config?.includes('import * as sdk from "microsoft-cognitiveservices-speech-sdk"'), "the configuration fragment");
  t.ok(recognise?.includes("recognizeOnceAsync"), "the recognition fragment");
  const mock = await spawnMock("node", ["--log-format", "none"]);
  t.teardown(() => mock.stop());
  // The fragments name 127.0.0.1:8410 and a `token` from the mock's token service: given here.
  const port = new URL(mock.ready.url).port;
  const token = `const token = await (await fetch("${mock.ready.sts}", { method: "POST", headers: { "Ocp-Apim-Subscription-Key": "7e57c0de5eec4d0c0000000000000001" } })).text();\n`;
  writeFileSync(join(project, "recognize.mts"), `${token}${config}${recognise}`.replaceAll(":8410", `:${port}`));
  const sdk = join(project, "node_modules", "microsoft-cognitiveservices-speech-sdk");
  if (!existsSync(sdk)) symlinkSync(join(root, "node_modules", "microsoft-cognitiveservices-speech-sdk"), sdk);
  if (!existsSync(join(project, "fixtures"))) symlinkSync(join(root, "fixtures"), join(project, "fixtures"));
  const run = await shell("npx tsx recognize.mts", project);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, "Remind me to buy 5 pencils.\n", "what the README's comment says");
});

t.test("speechmock exec: the README's first example, in a project whose npm test calls the token service", async (t) => {
  const command = line((l) => l === "npx speechmock exec -- npm test", "npx speechmock exec -- npm test");
  const run = await shell(command, project);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /token 200 3/, "npm test ran with the mock's variables and got a token");
});

t.test("Test your client library: the conform commands, the expected-failures file and the CI job's step", async (t) => {
  const conform = shLines.filter((l) => l.startsWith("npx speechmock conform"));
  t.equal(conform.length, 3, "three conform commands");
  // The user's adapter is the project's Python client, where the README puts it; "./adapter" its own command.
  writeFileSync(join(project, "adapter"), "#!/bin/sh\nexec python3 tests/speechmock_adapter.py\n", { mode: 0o755 });
  // Every case with the Python client is conformance/cli.e2e.test.ts's own run; here one case, so
  // that a loaded machine does not time a 0.3 s token request out. The command is otherwise as written.
  const one = " --cases token.post";
  const everything = await shell(`${conform[0]}${one}`, project);
  const tokens = await shell(conform[1] ?? "", project);
  const list = await shell(conform[2] ?? "", project);
  const why = (r: { code: number; stdout: string; stderr: string } | undefined, c = "") =>
    r?.code === 0 ? c : `${c}: ${r?.stdout.slice(-1500)}${r?.stderr}`;
  t.equal(everything.code, 0, why(everything, conform[0]));
  t.match(everything.stdout, /1 cases?: 1 passed, 0 failed/);
  t.equal(tokens.code, 0, why(tokens, conform[1]));
  t.ok(existsSync(join(project, "out.xml")) && existsSync(join(project, "out.json")), "out.xml and out.json written");
  t.equal(list.code, 0);
  t.match(list.stdout, /^token\.post\s/m);

  // The CI job's conformance step, with speechmock on PATH (the action puts it there), after the README's echo.
  const yaml = /^```yaml\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? "";
  const step = /name: speechmock conformance suite\n\s+run: >\n((?:\s{10}.*\n)+)/.exec(yaml)?.[1] ?? "";
  const ciCommand = step
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
  t.match(
    ciCommand,
    /^speechmock conform --client "python3 tests\/speechmock_adapter\.py" --expected-failures tests\/speechmock-expected-failures\.json/,
  );
  const path = `${join(project, "node_modules", ".bin")}:${process.env.PATH}`;
  const withPath = (c: string) => `PATH=${JSON.stringify(path)} ${c}`;
  const firstRun = await shell(withPath(`${ciCommand}${one}`), project);
  t.equal(firstRun.code, 2, "before the file exists: exit 2");
  t.match(firstRun.stderr, /does not exist\. .*create it holding \[\] \(echo '\[\]' > tests\/speechmock-expected-failures\.json\)/);
  const echo = line((l) => l.startsWith("echo '[]' >"), "echo '[]' > ...");
  t.equal((await shell(echo, project)).code, 0);
  const ci = await shell(withPath(`${ciCommand}${one}`), project);
  t.equal(ci.code, 0, why(ci, "the CI step, the file made"));
  t.ok(existsSync(join(project, "speechmock-junit.xml")) && existsSync(join(project, "speechmock-report.json")), "the artifacts");
});
