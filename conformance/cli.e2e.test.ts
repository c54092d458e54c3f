/**
 * `speechmock conform` as users run it, on Node (bin/speechmock.js) and on Deno (the bundle
 * `deno task conform` runs): the reference client and the Python standard-library client pass
 * every case; bad flags and files exit 2; unexpected results and stale expectations exit 1.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import t from "tap";
import { Parser } from "tap-parser";
import { denoBin, root, runCommand, runtimes } from "../test/support/spawn.ts";
import { allCases } from "./cases/index.ts";
import type { RunReport } from "./report.ts";

const dir = mkdtempSync(join(tmpdir(), "speechmock-conform-"));
const referenceOn = {
  node: "node --import tsx fixtures/clients/reference/main.ts",
  deno: `${denoBin} run -A fixtures/clients/reference/main.ts`,
};
const python = "python3 fixtures/clients/python/adapter.py";
const conform = (runtime: "node" | "deno", ...args: string[]) => runCommand(runtime, ["conform", ...args], 90_000);
const file = (name: string, text?: string) => {
  const path = join(dir, name);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};

// A loaded machine may need more than the 120 s .taprc gives a file.
t.setTimeout(300_000);

// The Python client with the runner on Node, the reference client with the runner on Deno (on
// Node, broken-clients.e2e runs it on every case as its control). The two runs start together,
// and their subtests read the results: a run is mostly waiting on clocks.
const fullRuns = runtimes.flatMap((runtime) =>
  (runtime === "node"
    ? [["the Python standard-library client", python] as const]
    : [["the reference client", referenceOn.deno] as const]
  ).map(([name, client], i) => {
    const json = file(`${runtime}-${i}.json`);
    const junit = file(`${runtime}-${i}.xml`);
    const run = conform(runtime, "--client", client, "--strict", "--json", json, "--junit", junit);
    return { runtime, name, json, junit, run };
  }),
);

for (const { runtime, name, json, junit, run } of fullRuns) {
  t.test(`on ${runtime}, ${name} passes every case, even --strict`, async (t) => {
    const { code, stdout, stderr } = await run;
    t.equal(code, 0, stdout.slice(-2000) + stderr);
    t.match(stdout, `${allCases.length} cases: ${allCases.length} passed, 0 failed`);
    const report = JSON.parse(readFileSync(json, "utf8")) as RunReport;
    t.equal(report.runtime, runtime);
    t.same(
      report.results.map((r) => [r.id, r.outcome]),
      allCases.map((c) => [c.id, "PASS"]),
    );
    t.match(readFileSync(junit, "utf8"), `tests="${allCases.length}" failures="0" errors="0" skipped="0"`);
  });
}

t.test("--list prints every case's id, level and title; --cases narrows it", async (t) => {
  const all = await conform("node", "--list");
  t.equal(all.code, 0);
  t.equal(all.stdout.trim().split("\n").length, allCases.length);
  t.match(all.stdout, /^token\.post\s+MUST\s+Tokens are requested with POST/m);
  const some = await conform("deno", "--list", "--cases", "token.*", "--exclude", "*.refresh");
  t.same(
    some.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[0]),
    allCases.filter((c) => c.id.startsWith("token.") && c.id !== "token.refresh").map((c) => c.id),
  );
});

t.test("usage and harness errors exit 2 with a precise message", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--client", "x", "--frobnicate"], /Unknown flag --frobnicate/],
    [[], /Missing --client/],
    [["--client", "x", "--cases", "tokn.*"], /No case matches "tokn\.\*"/],
    [["--client", "x", "--reporter", "xml"], /Invalid value for --reporter: "xml". Expected one of human, tap, json/],
    [["--client", "x", "--timeout", "0"], /Invalid value for --timeout: "0". Expected a number above 0/],
    [["--client", "x", "--concurrency", "1.5"], /Invalid value for --concurrency: "1.5". Expected a whole number above 0/],
    [["--client", "x", "--time-scale", "fast"], /Invalid value for --time-scale: "fast". Expected a number above 0/],
    [["--client", "x", "--junit", ""], /Invalid value for --junit: "". Expected a file path/],
    [["--client", "x", "--cases"], /Missing value for --cases/],
    [["--client", "x", "stray"], /Unexpected argument "stray"/],
    [
      [
        "--client",
        `echo '{"event":"recognized","status":"NoMatch"}'`,
        "--cases",
        "protocol.no-match",
        "--json",
        join(dir, "no", "such", "dir.json"),
      ],
      /Cannot write the JSON report to ".*no\/such\/dir\.json": ENOENT/,
    ],
    [["--client", "x", "--expected-failures", dir], /Cannot read expected-failures file ".*": EISDIR/],
    [["--client", "x", "--expected-failures", file("bad.json", "[{")], /bad\.json: not valid JSON/],
    [
      ["--client", "x", "--expected-failures", file("shape.json", '[{"id":"token.post"}]')],
      /shape\.json: at \$\[0\]\.reason: .*Expected an array of/,
    ],
    [
      ["--client", "x", "--expected-failures", file("unknown.json", '[{"id":"token.nope","reason":"r"}]')],
      /unknown\.json: at \$\[0\]\.id: no case has the id "token\.nope"/,
    ],
    [
      ["--client", "x", "--expected-failures", file("twice.json", '[{"id":"token.post","reason":"a"},{"id":"token.post","reason":"b"}]')],
      /twice\.json: at \$\[1\]\.id: "token\.post" is listed twice/,
    ],
  ];
  const runs = await Promise.all(cases.map(([args]) => conform("node", ...args)));
  for (const [i, [args, message]] of cases.entries()) {
    t.equal(runs[i]?.code, 2, args.join(" "));
    t.match(runs[i]?.stderr, message, args.join(" "));
  }
});

t.test("an expected-failures file that does not exist: exit 2 before any case runs, saying how to start one", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "speechmock-first-run-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const missing = join(dir, "expected-failures.json");
  const args = ["--client", `echo '{"event":"recognized","status":"NoMatch"}'`, "--cases", "protocol.no-match", "--expected-failures"];
  const run = await conform("node", ...args, missing);
  t.equal(run.code, 2, "a mistyped path is an error, not an empty list");
  t.equal(run.stdout, "", "no case ran");
  t.equal(
    run.stderr,
    `speechmock conform: The expected-failures file ${JSON.stringify(missing)} does not exist. Check the path; to start with no case ` +
      `expected to fail, create it holding [] (echo '[]' > ${missing}) and commit it, then add the entries a run's summary prints ` +
      "for the failures you accept\n",
  );
  // The command it names, run as printed, makes a file the next run takes.
  const made = await promisify(execFile)("sh", ["-c", `echo '[]' > ${missing}`]);
  t.equal(made.stderr, "");
  const next = await conform("node", ...args, missing);
  t.equal(next.code, 0, next.stderr);
  t.match(next.stdout, /1 passed/);
});

t.test("a client that crashes, breaks the contract or hangs: ERROR, ERROR, TIMEOUT, exit 1", async (t) => {
  const clients: [string, string, RegExp][] = [
    ["exit 3", "ERROR", /exited with status 3/],
    ["echo hello", "ERROR", /broke the contract: stdout line 1: Not JSON: "hello"/],
    [`echo '{"event":"recognized","status":1}'`, "ERROR", /field status/],
    // A background child too: the whole process group goes at the time limit.
    ["sleep 30 & sleep 30", "TIMEOUT", /did not finish in time/],
  ];
  const started = Date.now();
  const runs = await Promise.all(
    clients.map(([client], i) =>
      conform("node", "--client", client, "--cases", "protocol.no-match", "--timeout", "1", "--json", file(`crash-${i}.json`)),
    ),
  );
  t.ok(Date.now() - started < 20_000, "done without waiting for the clients' 30 s sleeps");
  for (const [i, [client, outcome, message]] of clients.entries()) {
    t.equal(runs[i]?.code, 1, client);
    const [result] = (JSON.parse(readFileSync(file(`crash-${i}.json`), "utf8")) as RunReport).results;
    t.equal(result?.outcome, outcome, client);
    t.match(result?.message, message, client);
  }
});

t.test("an unexpected failure exits 1 with a ready-to-paste entry; listed, it exits 0; a stale entry exits 1", async (t) => {
  const client = 'echo \'{"event":"recognized","status":"Success","text":"wrong"}\'';
  const failing = await conform("node", "--client", client, "--cases", "protocol.recognized-text");
  t.equal(failing.code, 1);
  t.match(failing.stdout, /"id": "protocol\.recognized-text"/);
  const expected = file("expected.json", JSON.stringify([{ id: "protocol.recognized-text", reason: "it hears wrong" }]));
  const listed = await conform("node", "--client", client, "--cases", "protocol.recognized-text", "--expected-failures", expected);
  t.equal(listed.code, 0, listed.stdout);
  const stale = await conform("deno", "--client", referenceOn.deno, "--cases", "protocol.recognized-text", "--expected-failures", expected);
  t.equal(stale.code, 1, stale.stdout);
  t.match(stale.stdout, /protocol\.recognized-text/);
});

t.test("--reporter tap writes TAP 14 that a TAP parser reads; --reporter json the report", async (t) => {
  const tap = await conform("node", "--client", referenceOn.node, "--cases", "protocol.*", "--reporter", "tap");
  t.equal(tap.code, 0);
  t.match(tap.stdout, /^TAP version 14\n/);
  const parsed = await new Promise<{ ok: boolean; count: number; pass: number }>((resolve) => {
    const parser = new Parser((results) => resolve(results as unknown as { ok: boolean; count: number; pass: number }));
    parser.end(tap.stdout);
  });
  const protocolCases = allCases.filter((c) => c.id.startsWith("protocol.")).length;
  t.same({ ok: parsed.ok, count: parsed.count, pass: parsed.pass }, { ok: true, count: protocolCases, pass: protocolCases });
  const json = await conform("deno", "--client", referenceOn.deno, "--cases", "handshake.bearer", "--reporter", "json");
  t.equal((JSON.parse(json.stdout) as RunReport).results[0]?.outcome, "PASS");
});

t.test("on Deno too, a hanging client's whole process group is killed at the limit: TIMEOUT", async (t) => {
  const json = file("deno-timeout.json");
  const started = Date.now();
  const run = await conform("deno", "--client", "sleep 30 & sleep 30", "--cases", "protocol.no-match", "--timeout", "1", "--json", json);
  t.equal(run.code, 1);
  t.equal((JSON.parse(readFileSync(json, "utf8")) as RunReport).results[0]?.outcome, "TIMEOUT");
  t.ok(Date.now() - started < 10_000, "done without waiting for the sleeps");
});

t.test("deno task conform runs the same command (the binary named by path, so the task does not recurse)", async (t) => {
  const run = spawnSync(denoBin, ["task", "conform", "--list", "--cases", "handshake.*"], { cwd: root, encoding: "utf8" });
  t.equal(run.status, 0, run.stderr);
  t.same(
    run.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[0]),
    allCases.filter((c) => c.id.startsWith("handshake.")).map((c) => c.id),
  );
});

t.test("a client that declares a capability missing is SKIPPED, which is as expected", async (t) => {
  const json = file("skipped.json");
  const run = await conform(
    "node",
    "--client",
    `echo '{"event":"unsupported","capability":"token"}'`,
    "--cases",
    "token.post",
    "--json",
    json,
  );
  t.equal(run.code, 0, run.stdout);
  const [result] = (JSON.parse(readFileSync(json, "utf8")) as RunReport).results;
  t.same([result?.outcome, result?.message], ["SKIPPED", "The client does not implement token"]);
});

t.test("a failed SHOULD is NON-STRICT: as expected, unless --strict", async (t) => {
  const client = "node --import tsx fixtures/clients/broken/no-telemetry.ts";
  const lenient = await conform("deno", "--client", client, "--cases", "protocol.telemetry");
  t.equal(lenient.code, 0, lenient.stdout);
  t.match(lenient.stdout, /NON-STRICT\s+protocol\.telemetry/);
  const strict = await conform("node", "--client", client, "--cases", "protocol.telemetry", "--strict");
  t.equal(strict.code, 1, strict.stdout);
  t.match(strict.stdout, /"id": "protocol\.telemetry"/);
});
