/**
 * The package as a user gets it: `npm pack`, the tarball installed into an empty project, then
 * the command (`npx speechmock serve`, `npx speechmock conform`), the API from Node and from a Deno
 * project outside the repository (`deno run` and `deno test`), and the type declarations from a
 * TypeScript project. The tarball ships what runs and nothing a test needs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { build } from "esbuild";
import t from "tap";
import { denoBin, root } from "../test/support/spawn.ts";

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "speechmock-package-"));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

const key = (JSON.parse(readFileSync(join(root, "fixtures/subscriptions.json"), "utf8")) as { resources: { keys: string[] }[] })
  .resources[0]?.keys[0] as string;
/** Everything but PATH and HOME from the test's own environment stays out (tsx's loader in NODE_OPTIONS above all). */
const env = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_cache: process.env.npm_config_cache, NO_COLOR: "1" };
const exec = (file: string, args: string[], cwd: string, timeout = 60_000) =>
  run(file, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" });

/** The newest modification time under a directory, test files aside. */
const newest = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && !e.name.endsWith(".test.ts"))
      .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
  );

/**
 * The bundles, rebuilt when a source is newer than them (`npm test` has just built them: other
 * tests are running them, so they are not rewritten needlessly), and the type declarations.
 */
async function buildPackage(): Promise<void> {
  const bundles = ["dist/cli.mjs", "dist/node.mjs", "dist/deno.mjs", "dist/cli.deno.mjs", "dist/register.mjs"].map((f) => join(root, f));
  const built = Math.min(...bundles.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (["entry", "mock-server", "conformance"].some((d) => newest(d) > built)) await exec(process.execPath, ["scripts/build.mjs"], root);
  await exec(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.types.json"], root, 120_000);
}

interface Packed {
  filename: string;
  files: { path: string }[];
}

const project = join(tmp, "project");
const packed = (async () => {
  await buildPackage();
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", tmp], root);
  const [info] = JSON.parse(stdout) as Packed[];
  if (info === undefined) throw new Error(`npm pack said nothing: ${stdout}`);
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
  const tarball = join(tmp, info.filename);
  const install = ["install", "--no-audit", "--no-fund", "--no-package-lock", tarball];
  // From npm's cache when it holds every dependency (seconds), else from the registry.
  await exec("npm", [...install, "--offline"], project, 120_000).catch(() => exec("npm", install, project, 120_000));
  return info;
})();

t.test("the tarball ships the bundles, types, fixtures, README and LICENSE, and no test", async (t) => {
  const files = (await packed).files.map((f) => f.path);
  for (const f of [
    "bin/speechmock.js",
    "dist/cli.mjs",
    "dist/node.mjs",
    "dist/register.mjs",
    "dist/cli.deno.mjs",
    "dist/deno.mjs",
    "dist/types/entry/node.d.ts",
    "fixtures/subscriptions.json",
    "fixtures/transcripts.json",
    "fixtures/audio/remind-me.wav",
    "README.md",
    "LICENSE",
    "package.json",
  ]) {
    t.ok(files.includes(f), f);
  }
  if (existsSync(join(root, "dist/dashboard")))
    t.ok(
      files.some((f) => f.startsWith("dist/dashboard/")),
      "the dashboard",
    );
  const forbidden = files.filter(
    (f) =>
      f.endsWith(".test.ts") ||
      f.endsWith(".map") ||
      f.startsWith("test/") ||
      f.startsWith(".tap/") ||
      f.startsWith("fixtures/clients/") ||
      f.startsWith("fixtures/invalid/") ||
      f.startsWith("bench/") ||
      f.startsWith("node_modules/"),
  );
  t.strictSame(forbidden, [], "no tests, test support, test fixtures, benchmarks or source maps");
});

/** Starts a command, resolves with its first stdout line parsed, and the process. */
function startReady(command: string, args: string[], cwd: string): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s; stderr: ${stderr}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`exited ${code} before its ready line; stderr: ${stderr}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(line) as Record<string, unknown> });
    });
  });
}

const tokenFrom = async (sts: string) => {
  const res = await fetch(sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } });
  return { status: res.status, token: await res.text() };
};

t.test("npx speechmock serve --port 0: the ready line, a token, a clean stop", async (t) => {
  await packed;
  const { child, ready } = await startReady("npx", ["speechmock", "serve", "--port", "0"], project);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  t.equal(ready.event, "ready");
  t.equal(ready.runtime, "node");
  const { status, token } = await tokenFrom(ready.sts as string);
  t.equal(status, 200);
  t.equal(token.split(".").length, 3, "a JWT");
  // The signal goes to the mock (the ready line's pid): npx does not forward one it gets itself,
  // and ends with the mock's status. (Ctrl-C in a terminal reaches both.)
  const pid = ready.pid as number;
  t.teardown(() => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  });
  process.kill(pid, "SIGTERM");
  t.equal(await exited, 0, "exit 0 after SIGTERM");
});

t.test("npx speechmock conform grades a client", async (t) => {
  await packed;
  // The reference client, bundled into one file: the installed project has none of its sources.
  await build({
    entryPoints: [join(root, "fixtures/clients/reference/main.ts")],
    outfile: join(project, "client.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  const { stdout } = await exec(
    "npx",
    [
      "speechmock",
      "conform",
      "--client",
      "node client.mjs",
      "--cases",
      "token.post,handshake.token,protocol.recognized-text",
      "--json",
      "report.json",
    ],
    project,
  );
  const report = JSON.parse(readFileSync(join(project, "report.json"), "utf8")) as { results: { id: string; outcome: string }[] };
  t.equal(report.results.length, 3, "three cases run");
  t.ok(
    report.results.some((r) => r.id === "token.post"),
    "token.post ran",
  );
  t.strictSame(
    report.results.filter((r) => r.outcome !== "PASS"),
    [],
    stdout,
  );
});

const script = `import { startMock } from "speechmock";
const mock = await startMock({ port: 0 });
const res = await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": mock.resources[0].keys[0] } });
const token = await res.text();
await mock.close();
console.log(JSON.stringify({ runtime: "Deno" in globalThis ? "deno" : "node", status: res.status, parts: token.split(".").length }));
`;

t.test('Node: import { startMock } from "speechmock" starts, serves a token, stops', async (t) => {
  await packed;
  writeFileSync(join(project, "start.mjs"), script);
  const { stdout } = await exec(process.execPath, ["start.mjs"], project);
  t.strictSame(JSON.parse(stdout), { runtime: "node", status: 200, parts: 3 });
});

t.test("TypeScript: the declarations type-check an import of speechmock", async (t) => {
  await packed;
  const dir = join(project, "ts");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
    }),
  );
  writeFileSync(
    join(dir, "use.ts"),
    `import { conformanceCases, startMock, type MockServer } from "speechmock";
const mock: MockServer = await startMock({ port: 0, region: "westus" });
const url: string = mock.sts;
const ids: string[] = conformanceCases.map((c) => c.id);
await mock.close();
// @ts-expect-error: not an option
await startMock({ prot: 0 });
export { url, ids };
`,
  );
  const result = await exec(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], project).catch((e) => e);
  t.equal(result.code ?? 0, 0, `${result.stdout ?? ""}`);
});

t.test("Deno, a project outside the repository: deno run and deno test", async (t) => {
  await packed;
  const dir = project;
  writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  const permissions = ["--allow-net", "--allow-read", "--allow-env"];

  await t.test("deno run, with the bare specifier and with npm:", async (t) => {
    writeFileSync(join(dir, "start.ts"), script);
    writeFileSync(join(dir, "start-npm.ts"), script.replace('from "speechmock"', 'from "npm:speechmock"'));
    for (const file of ["start.ts", "start-npm.ts"]) {
      const { stdout } = await exec(denoBin, ["run", ...permissions, file], dir);
      t.strictSame(JSON.parse(stdout), { runtime: "deno", status: 200, parts: 3 }, file);
    }
  });

  await t.test("deno test, type-checked", async (t) => {
    writeFileSync(
      join(dir, "mock.test.ts"),
      `import { startMock } from "speechmock";
Deno.test("a token from the mock", async () => {
  await using mock = await startMock({ port: 0 });
  const res = await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": mock.resources[0]!.keys[0]! } });
  const token = await res.text();
  if (res.status !== 200 || token.split(".").length !== 3) throw new Error(\`\${res.status} \${token}\`);
});
`,
    );
    const { stdout } = await exec(denoBin, ["test", ...permissions, "mock.test.ts"], dir, 120_000);
    t.match(stdout, /ok \| 1 passed \| 0 failed/);
  });
});

t.test("without dist/cli.mjs (a git install), the command runs the sources through tsx", async (t) => {
  await packed;
  const installed = join(project, "node_modules", "speechmock");
  const bundle = join(installed, "dist", "cli.mjs");
  renameSync(bundle, `${bundle}.away`);
  t.teardown(() => renameSync(`${bundle}.away`, bundle));
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { version: string };
  const { stdout } = await exec("npx", ["speechmock", "--version"], project);
  t.equal(stdout.trim(), pkg.version);
});
