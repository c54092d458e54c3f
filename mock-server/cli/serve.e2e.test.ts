/**
 * `speechmock serve` as a user runs it, on Node and on Deno: the ready line, the flags, the exit
 * statuses, the logs and graceful shutdown, over real processes and sockets.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { createLocalJWKSet, jwtVerify } from "jose";
import t from "tap";
import WebSocket from "ws";
import { invalidTranscripts } from "../../test/support/invalid-fixtures.ts";
import { connect, readClip } from "../../test/support/protocol-client.ts";
import { type CliResult, type RuntimeName, root, runCommand, runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";

const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { version: string };
const builtin = JSON.parse(readFileSync(`${root}fixtures/subscriptions.json`, "utf8")) as { resources: FixtureResource[] };
const twoRegionsPath = "fixtures/examples/two-regions.json";
const twoRegions = JSON.parse(readFileSync(`${root}${twoRegionsPath}`, "utf8")) as { resources: FixtureResource[] };
const interactive = "/speech/recognition/interactive/cognitiveservices/v1";

interface FixtureResource {
  name: string;
  region: string;
  tier: string;
  state?: string;
  keys: [string, string];
}

/** What the ready line lists for a fixtures file's resources. */
const listed = (resources: FixtureResource[]) =>
  resources.map(({ name, region, tier, state, keys }) => ({ name, region, tier, state: state ?? "enabled", keys }));

const firstKey = (resources: FixtureResource[], region: string) => {
  const r = resources.find((x) => x.region === region && (x.state ?? "enabled") === "enabled");
  if (!r) throw new Error(`No enabled resource in ${region}`);
  return r.keys[0];
};

/** POSTs to the token service; `host` sets the Host header (fetch cannot), and so the region. */
function issueToken(sts: string, key: string, host?: string): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(sts);
  const headers: Record<string, string> = { "Ocp-Apim-Subscription-Key": key, "Content-Length": "0" };
  if (host) headers.Host = host;
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: pathname, method: "POST", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Opens an authenticated speech WebSocket and resolves once it is open. */
function openSocket(wsBase: string, key: string): Promise<WebSocket> {
  const ws = new WebSocket(`${wsBase}${interactive}?language=en-US`, {
    headers: { "Ocp-Apim-Subscription-Key": key, "X-ConnectionId": randomUUID().replaceAll("-", "") },
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`Handshake refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/** Polls until `check` returns true (for output that is not JSON, which `waitForLog` cannot see). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs commands a few at a time: each runtime's refusals in parallel, without flooding two cores. */
function limiter(concurrency: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** Flags that must be refused with exit status 2, and what the message must say. */
const badFlags: [args: string[], message: RegExp][] = [
  [["serve", "--port", "abc"], /Invalid value for --port: "abc"\. Expected a whole number/],
  [["serve", "--port", "-1"], /Invalid value for --port: "-1"\. Expected a whole number/],
  [["serve", "--port", "70000"], /Invalid value for --port: "70000"\. .*<=65535/],
  [["serve", "--port", "80.5"], /Invalid value for --port: "80\.5"\. Expected a whole number/],
  [["serve", "--host", ""], /Invalid value for --host: ""\. Expected a host name or IP address/],
  [["serve", "--region", "West US"], /Invalid value for --region: "West US"\. Expected an Azure region name/],
  [["serve", "--token-lifetime", "0"], /Invalid value for --token-lifetime: "0"\. .*>=1/],
  [["serve", "--token-lifetime", "abc"], /Invalid value for --token-lifetime: "abc"\. Expected a whole number/],
  [["serve", "--token-lifetime", "90000"], /Invalid value for --token-lifetime: "90000"\. .*<=86400/],
  [["serve", "--auth-failure-style", "foo"], /Invalid value for --auth-failure-style: "foo"\. .*"legacy"\|"modern"/],
  [["serve", "--log-format", "xml"], /Invalid value for --log-format: "xml"\. Expected one of json, pretty, none/],
  [["serve", "--fixtures", ""], /Invalid value for --fixtures: ""\. Expected a file path/],
  [["serve", "--transcripts", ""], /Invalid value for --transcripts: ""\. Expected a file path/],
  [["serve", "--quota-exceeded", "block"], /Invalid value for --quota-exceeded: "block"\. .*"close"\|"refuse"/],
  [["serve", "--idle-timeout", "0"], /Invalid value for --idle-timeout: "0"\. Expected a number of seconds above 0/],
  [["serve", "--bogus"], /Unknown flag --bogus/],
  [["serve", "--port"], /Missing value for --port/],
  [[], /Missing command\. Expected "serve"/],
  [["start"], /Unknown command "start"\. Expected "serve"/],
  [["serve", "extra"], /Unexpected argument "extra"/],
];

/** Each file in fixtures/invalid/, the JSON path its message must name and what it must expect. */
const invalidFixtures: Record<string, [path: string | null, expected: RegExp]> = {
  "not-json.json": [null, /not valid JSON: /],
  "not-an-object.json": ["$", /expected object, received array/],
  "no-resources.json": ["$.resources", /expected array, received undefined/],
  "empty-resources.json": ["$.resources", /Expected at least one resource/],
  "unknown-field.json": ["$.resources[0]", /unknown field "sku"/],
  "bad-region.json": ["$.resources[0].region", /Expected an Azure region name such as "westus"/],
  "bad-tier.json": ["$.resources[0].tier", /expected one of "F0"\|"S0"/],
  "bad-state.json": ["$.resources[0].state", /expected one of "enabled"\|"disabled"\|"quotaExceeded"/],
  "one-key.json": ["$.resources[0].keys", /Expected exactly two keys \(primary and secondary\)/],
  "short-key.json": ["$.resources[0].keys[1]", /Expected a key of 16 to 128 visible ASCII characters/],
  "duplicate-name.json": ["$.resources[1].name", /Duplicate resource name "twice" \(also at resources\[0\]\)/],
  "duplicate-key.json": ["$.resources[1].keys[1]", /Duplicate key \(also at resources\[0\]\.keys\[1\]\)/],
  "bad-subscription-id.json": ["$.resources[0].subscriptionId", /Expected 32 lower-case hex digits/],
  "bad-quota-duration.json": ["$.resources[0].quotaRenewsIn", /Expected a duration as d\.hh:mm:ss/],
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A transcripts file of its own, outside the repository: hello.wav's samples scripted as another sentence. */
const scratch = mkdtempSync(`${tmpdir()}/speechmock-serve-`);
const customTranscripts = `${scratch}/transcripts.json`;
const helloPcmSha = "e3a911a786e9745f12174a5aedca2e40d885d97583187f2eaeb14b18e48c1362";
writeFileSync(
  customTranscripts,
  JSON.stringify({
    fallback: { kind: "text", text: "Pardon?" },
    transcripts: {
      [helloPcmSha]: { phrases: [{ display: "Goodbye, moon.", lexical: "goodbye moon", itn: "goodbye moon", maskedItn: "goodbye moon" }] },
    },
  }),
);
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

t.test("fixtures/invalid/ holds exactly the subscriptions files this test knows", async (t) => {
  // Subfolders (transcripts/) hold other loaders' bad files and are checked by their own tests.
  const files = readdirSync(`${root}fixtures/invalid`, { withFileTypes: true }).filter((e) => e.isFile());
  t.same(files.map((e) => e.name).sort(), Object.keys(invalidFixtures).sort());
});

t.test("fixtures/invalid/transcripts/ holds exactly the transcripts files this test knows", async (t) => {
  t.same(readdirSync(`${root}fixtures/invalid/transcripts`).sort(), Object.keys(invalidTranscripts).sort());
});

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    // Start the long-running servers at once; each subtest below uses the one it needs.
    const settled = await Promise.allSettled([
      spawnMock(runtime),
      spawnMock(runtime, ["--region", "eastus"]),
      spawnMock(runtime, ["--fixtures", twoRegionsPath, "--log-format", "pretty"]),
      spawnMock(runtime, ["--log-format", "none"]),
      spawnMock(runtime, ["--transcripts", customTranscripts]),
    ]);
    const all = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) {
      await Promise.all(all.map((m) => m.stop("SIGKILL"))); // leave none behind
      throw failed.reason;
    }
    const [main, eastus, custom, silent, scripted] = all as [SpawnedMock, SpawnedMock, SpawnedMock, SpawnedMock, SpawnedMock];
    t.teardown(() => Promise.all(all.map((m) => m.stop("SIGKILL"))));

    // The refusals run in the background, a few at a time, while the servers are exercised.
    const limit = limiter(3);
    const run = (args: string[]) => limit(() => runCommand(runtime as RuntimeName, args));
    const flagRuns = badFlags.map(([args]) => run(args));
    const fixtureRuns = Object.keys(invalidFixtures).map((file) => run(["serve", "--port", "0", "--fixtures", `fixtures/invalid/${file}`]));
    const missingRun = run(["serve", "--port", "0", "--fixtures", "fixtures/invalid/no-such-file.json"]);
    const transcriptRuns = Object.keys(invalidTranscripts).map((file) =>
      run(["serve", "--port", "0", "--transcripts", `fixtures/invalid/transcripts/${file}`]),
    );
    const missingTranscriptsRun = run(["serve", "--port", "0", "--transcripts", "fixtures/invalid/transcripts/no-such-file.json"]);
    const inUseRun = run(["serve", "--port", String(new URL(main.ready.url).port)]);
    const helpRun = run(["--help"]);
    const versionRun = run(["--version"]);

    t.test("the first stdout line is one JSON ready object with URLs, region, resources and keys, and the JWKS", async (t) => {
      const { ready } = main;
      const port = Number(new URL(ready.url).port);
      t.same(Object.keys(ready).sort(), ["admin", "event", "host", "jwks", "pid", "region", "resources", "runtime", "sts", "url", "ws"]);
      t.equal(ready.host, "127.0.0.1", "the address bound (network URLs only with every address bound: host.e2e.test.ts)");
      t.equal(ready.event, "ready");
      t.equal(ready.runtime, runtime);
      t.equal(ready.pid, main.child.pid);
      t.equal(ready.url, `http://127.0.0.1:${port}`, "the default host is 127.0.0.1");
      t.equal(ready.sts, `${ready.url}/sts/v1.0/issueToken`);
      t.ok(ready.sts.endsWith("/sts/v1.0/issueToken"));
      t.equal(ready.ws, `ws://127.0.0.1:${port}`);
      t.equal(ready.admin, `${ready.url}/__speechmock`, "the control plane's base URL");
      t.equal(ready.region, "westus");
      t.same(ready.resources, listed(builtin.resources), "the built-in resources with their keys");
      t.match(ready.jwks, { keys: [{ kty: "EC", crv: "P-256", kid: "key1", alg: "ES256", use: "sig" }] });
      t.notOk("d" in (ready.jwks.keys[0] ?? {}), "only the public key");
    });

    t.test("the JWKS of the ready line verifies a token from its token service", async (t) => {
      const { status, body } = await issueToken(main.ready.sts, firstKey(builtin.resources, "westus"));
      t.equal(status, 200);
      const { payload } = await jwtVerify(body, createLocalJWKSet(main.ready.jwks as Parameters<typeof createLocalJWKSet>[0]), {
        issuer: "urn:ms.cognitiveservices",
        audience: "urn:ms.speechservices.westus",
      });
      t.equal(payload.region, "westus");
    });

    t.test("--port 0 gives each server its own free port, and both answer at once", async (t) => {
      const a = Number(new URL(main.ready.url).port);
      const b = Number(new URL(eastus.ready.url).port);
      t.ok(a > 0 && b > 0, "real ports");
      t.not(a, b);
      const [fromA, fromB] = await Promise.all([
        issueToken(main.ready.sts, firstKey(builtin.resources, "westus")),
        issueToken(eastus.ready.sts, firstKey(builtin.resources, "eastus")),
      ]);
      t.equal(fromA.status, 200);
      t.equal(fromB.status, 200);
    });

    t.test("--region eastus makes eastus the region of requests whose Host names none", async (t) => {
      t.equal(eastus.ready.region, "eastus");
      const eastKey = firstKey(builtin.resources, "eastus");
      t.equal((await issueToken(eastus.ready.sts, eastKey)).status, 200, "an eastus key works at 127.0.0.1");
      t.equal((await issueToken(main.ready.sts, eastKey)).status, 401, "but not on a westus server");
      t.equal((await issueToken(eastus.ready.sts, firstKey(builtin.resources, "westus"))).status, 401, "a westus key does not");
    });

    t.test("--fixtures loads the resources of that file instead of the built-in ones", async (t) => {
      t.same(custom.ready.resources, listed(twoRegions.resources));
      const key = firstKey(twoRegions.resources, "westeurope");
      t.equal((await issueToken(custom.ready.sts, key, "westeurope.localhost")).status, 200, "its key gets a token in its region");
      const builtinKey = firstKey(builtin.resources, "westus");
      t.equal((await issueToken(custom.ready.sts, builtinKey)).status, 401, "a built-in key is unknown there");
    });

    t.test("logs are JSON lines on stderr that show keys only as a prefix", async (t) => {
      const key = firstKey(builtin.resources, "westus");
      const mark = main.logs.length;
      t.equal((await issueToken(main.ready.sts, key)).status, 200);
      const line = await main.waitForLog((l) => l.event === "sts.request" && main.logs.indexOf(l) >= mark);
      t.match(line, { level: "info", event: "sts.request", status: 200, reason: "sts.issued", method: "POST" });
      t.match(line.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      t.match(line.key, new RegExp(`^${key.slice(0, 6)}…\\(32\\)$`));
      const lines = main.stderr().split("\n").filter(Boolean);
      t.ok(lines.length > 0);
      for (const l of lines) t.doesNotThrow(() => JSON.parse(l), `a JSON line: ${l}`);
      t.notOk(main.stderr().includes(key), "the whole key appears nowhere");
    });

    t.test("--log-format pretty writes readable lines that are not JSON", async (t) => {
      const key = firstKey(twoRegions.resources, "westeurope");
      t.equal((await issueToken(custom.ready.sts, key, "westeurope.localhost")).status, 200);
      await until(() => / sts +200 sts\.issued /.test(custom.stderr()), "a pretty sts line");
      const lines = custom.stderr().split("\n").filter(Boolean);
      t.ok(lines.length > 0);
      for (const l of lines) t.throws(() => JSON.parse(l), `not JSON: ${l}`);
      const sts = lines.find((l) => l.includes(" sts "));
      t.match(sts, /^\d{2}:\d{2}:\d{2}\.\d{3} sts +200 sts\.issued +POST \/sts\/v1\.0\/issueToken region=westeurope key=e0d1c2…\(32\)$/);
      t.notOk(custom.stderr().includes(key), "the whole key appears nowhere");
    });

    t.test("--log-format none writes nothing on stderr, not even at shutdown", async (t) => {
      t.equal((await issueToken(silent.ready.sts, firstKey(builtin.resources, "westus"))).status, 200);
      t.equal((await issueToken(silent.ready.sts, "not-a-key-of-this-mock")).status, 401);
      const ws = await openSocket(silent.ready.ws, firstKey(builtin.resources, "westus"));
      const exit = await silent.stop("SIGTERM");
      ws.terminate();
      t.same(exit, { code: 0, signal: null, ms: exit.ms });
      t.equal(silent.stderr(), "");
    });

    for (const [i, [args, message]] of badFlags.entries()) {
      t.test(`"${args.join(" ")}" exits 2 with its message on stderr and nothing on stdout`, async (t) => {
        const result = (await flagRuns[i]) as CliResult;
        t.equal(result.code, 2);
        t.equal(result.stdout, "", "nothing started");
        t.match(result.stderr, new RegExp(`^speechmock: ${message.source}`));
        t.match(result.stderr, /Run "speechmock --help" for the flags\.\n$/);
      });
    }

    for (const [i, [file, [path, expected]]] of Object.entries(invalidFixtures).entries()) {
      t.test(`fixtures/invalid/${file} exits 2 naming the file, ${path ?? "the JSON error"} and what was expected`, async (t) => {
        const result = (await fixtureRuns[i]) as CliResult;
        t.equal(result.code, 2);
        t.equal(result.stdout, "", "nothing started");
        const prefix = `speechmock: fixtures/invalid/${file}: `;
        t.ok(result.stderr.startsWith(prefix), `starts with ${JSON.stringify(prefix)}: ${result.stderr}`);
        const rest = result.stderr.slice(prefix.length);
        if (path === null) t.match(rest, new RegExp(`^${expected.source}`));
        else t.match(rest, new RegExp(`^${escapeRegExp(path)}: .*${expected.source}`));
      });
    }

    t.test("a fixtures file that does not exist exits 2 naming it", async (t) => {
      const result = await missingRun;
      t.equal(result.code, 2);
      t.equal(result.stdout, "");
      t.match(result.stderr, /^speechmock: Cannot read fixtures file "fixtures\/invalid\/no-such-file\.json": (ENOENT|NotFound)\n$/);
    });

    for (const [i, [file, detail]] of Object.entries(invalidTranscripts).entries()) {
      t.test(`--transcripts fixtures/invalid/transcripts/${file} exits 2 naming the file and the JSON path`, async (t) => {
        const result = (await transcriptRuns[i]) as CliResult;
        t.equal(result.code, 2);
        t.equal(result.stdout, "", "nothing started");
        t.equal(result.stderr, `speechmock: fixtures/invalid/transcripts/${file}: ${detail}\n`);
      });
    }

    t.test("a transcripts file that does not exist exits 2 naming it", async (t) => {
      const result = await missingTranscriptsRun;
      t.equal(result.code, 2, "the exit status of an unreadable fixtures file");
      t.equal(result.stdout, "");
      t.match(
        result.stderr,
        /^speechmock: Cannot read transcripts file "fixtures\/invalid\/transcripts\/no-such-file\.json": (ENOENT|NotFound)\n$/,
      );
    });

    t.test("--transcripts makes the mock hear what that file scripts, and its fallback for the rest", async (t) => {
      const key = firstKey(builtin.resources, "westus");
      const client = await connect(scripted.ready.ws, key);
      client.sendConfig();
      const heard = async (clip: string) =>
        (await client.turn(readClip(clip)))
          .filter((m) => m.path === "speech.phrase")
          .map((m) => (m.json as { DisplayText?: string }).DisplayText);
      t.same(await heard("hello.wav"), ["Goodbye, moon."], "hello.wav as the file scripts it");
      t.same(await heard("remind-me.wav"), ["Pardon?"], "a clip the file does not script gets its text fallback");
      await client.close();
    });

    t.test("a port already in use exits 1 with a message naming the address", async (t) => {
      const result = await inUseRun;
      const port = new URL(main.ready.url).port;
      t.equal(result.code, 1);
      t.equal(result.stdout, "");
      t.match(result.stderr, new RegExp(`^speechmock: Cannot listen on 127\\.0\\.0\\.1:${port}: (EADDRINUSE|AddrInUse)\\n$`));
    });

    t.test("--help exits 0 and lists every flag", async (t) => {
      const result = await helpRun;
      t.equal(result.code, 0);
      t.equal(result.stderr, "");
      for (const flag of [
        "serve",
        "--port",
        "-p",
        "--host",
        "--fixtures",
        "--region",
        "--token-lifetime",
        "--auth-failure-style",
        "--sts-key-in-query",
        "--transcripts",
        "--quota-exceeded",
        "--idle-timeout",
        "--max-connection-lifetime",
        "--journal-size",
        "--log-format",
        "--help",
        "--version",
      ]) {
        t.ok(result.stdout.includes(flag), flag);
      }
    });

    t.test("--version prints the version of package.json", async (t) => {
      const result = await versionRun;
      t.equal(result.code, 0);
      t.equal(result.stdout, `${pkg.version}\n`);
      t.equal(result.stderr, "");
    });

    // Last: these end the two servers.
    for (const [signal, mock, region] of [
      ["SIGTERM", main, "westus"],
      ["SIGINT", eastus, "eastus"],
    ] as const) {
      t.test(`${signal} closes an open socket with 1001 and exits 0 within a second`, async (t) => {
        const ws = await openSocket(mock.ready.ws, firstKey(builtin.resources, region));
        const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
        const exit = await mock.stop(signal);
        t.equal(await closed, 1001, "the client got 1001 Going Away");
        t.equal(exit.code, 0);
        t.equal(exit.signal, null);
        t.ok(exit.ms < 1000, `exited ${Math.round(exit.ms)} ms after the signal`);
        const shutdown = await mock.waitForLog((l) => l.event === "shutdown");
        t.equal(shutdown.signal, signal);
      });
    }
  });
}
