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

t.test("every case passes with the reference client in-process, each a tap subtest", async (t) => {
  for (const c of conformanceCases) {
    t.test(c.id, async (t) => {
      const result = await runConformanceCase(c, { client: { adapter: referenceClient } });
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
const some = { CASES: "token.reuse,handshake.bearer,protocol.recognized-text" };

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
