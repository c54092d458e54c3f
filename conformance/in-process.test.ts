/**
 * The suite from code: each case a subtest, the client an in-process adapter, under tap (here),
 * node:test and deno test (the examples, run as their users would run them).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import t from "tap";
import { conformanceCases, type InProcessClient, runConformanceCase } from "../entry/node.ts";
import { referenceClient } from "../fixtures/clients/reference/in-process.ts";
import { denoBin, root } from "../test/support/spawn.ts";

// A loaded machine may need more than the 120 s .taprc gives a file.
t.setTimeout(300_000);

/**
 * Runs `work` over `items`, `limit` at a time, as the runner does: most of a case is waiting on
 * a scaled clock, and one at a time the 45 take a minute and a half.
 */
function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R>[] {
  let free = limit;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return items.map(async (item) => {
    await slot();
    try {
      return await work(item);
    } finally {
      release();
    }
  });
}

t.test("every case passes with the reference client in-process, each a tap subtest", async (t) => {
  const results = pooled(conformanceCases, 4, (c) => runConformanceCase(c, { client: { adapter: referenceClient } }));
  for (const [i, c] of conformanceCases.entries()) {
    t.test(c.id, async (t) => {
      const result = await (results[i] as (typeof results)[number]);
      t.equal(result.outcome, "PASS", result.message);
    });
  }
});

const noMatch = conformanceCases.find((c) => c.id === "protocol.no-match");
const broken: [string, InProcessClient, string, RegExp][] = [
  ["throws", { name: "throws", run: async () => Promise.reject(new TypeError("boom")) }, "ERROR", /TypeError: boom/],
  ["never resolves", { name: "hangs", run: () => new Promise(() => {}) }, "TIMEOUT", /did not finish in time/],
  [
    "reports an event outside the contract",
    { name: "bad event", run: async (_env, report) => report({ event: "recognized", status: 7 } as never) },
    "ERROR",
    /broke the contract: .*field status/,
  ],
];
for (const [what, adapter, outcome, message] of broken) {
  t.test(`an in-process adapter that ${what}: ${outcome}`, async (t) => {
    const result = await runConformanceCase(noMatch as never, { client: { adapter }, caseTimeoutMs: 300 });
    t.equal(result.outcome, outcome);
    t.match(result.message, message);
  });
}

/** Colour codes, which test runners add when CI or FORCE_COLOR is set. */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const run = async (cmd: string, args: string[], env: Record<string, string>) => {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, out: out.replace(ansi, "") };
};
// Three quick cases: the point is the runner's API under node:test and deno test, not the cases.
const some = { CASES: "token.post,handshake.bearer,protocol.recognized-text" };

t.test("node --test runs the cases as node:test tests", async (t) => {
  const { code, out } = await run(process.execPath, ["--import", "tsx", "--test", "conformance/examples/node-test.example.ts"], some);
  t.equal(code, 0, out);
  t.match(out, /# pass 3\n/);
  t.match(out, /# fail 0\n/);
});

t.test("deno test runs the cases as test steps", async (t) => {
  // --no-check: Deno would type-check the shared sources against tsconfig's Node libs; `npm run typecheck` checks them for Deno.
  const { code, out } = await run(
    denoBin,
    ["test", "-A", "--no-check", "--unstable-no-legacy-abort", "conformance/examples/deno-test.example.deno.ts"],
    some,
  );
  t.equal(code, 0, out);
  t.match(out, /ok \| 1 passed \(3 steps\)/);
});
