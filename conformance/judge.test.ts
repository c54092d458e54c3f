import t from "tap";
import type { ClientRun } from "./agent/client-run.ts";
import { type Case, check } from "./case.ts";
import { judge } from "./judge.ts";

const run = (over: Partial<ClientRun> = {}): ClientRun => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  events: [],
  contractProblems: [],
  stdout: "",
  stderr: "",
  ...over,
});
const evidence = { journal: [], events: [], expectedText: "", expectedPhrases: [], clipMs: 0, speed: 100 };
const caseWith = (level: Case["level"], ok: boolean): Case => ({
  id: "token.example",
  level,
  title: "An example",
  spec: "spec 1",
  requires: ["refresh"],
  judge: () => [check(true, "first"), check(ok, "second", () => "it did not")],
});

t.test("checks decide: PASS, or FAIL for a MUST and NON-STRICT for a SHOULD or MAY, with the first failed check", async (t) => {
  t.equal(judge(caseWith("MUST", true), run(), evidence).outcome, "PASS");
  const fail = judge(caseWith("MUST", false), run(), evidence);
  t.same([fail.outcome, fail.message], ["FAIL", "second: no (it did not)"]);
  t.equal(judge(caseWith("SHOULD", false), run(), evidence).outcome, "NON-STRICT");
  t.equal(judge(caseWith("MAY", false), run(), evidence).outcome, "NON-STRICT");
});

t.test("how the client ended comes first: contract, capability, time, crash, exit status, signal", async (t) => {
  const c = caseWith("MUST", true);
  const outcomes: [Partial<ClientRun>, string, RegExp][] = [
    [{ contractProblems: ["stdout line 2: Not JSON"], timedOut: true }, "ERROR", /broke the contract: stdout line 2/],
    [{ events: [{ event: "unsupported", capability: "refresh" }], exitCode: 3 }, "SKIPPED", /does not implement refresh/],
    [{ timedOut: true, exitCode: null, signal: "SIGKILL" }, "TIMEOUT", /did not finish in time/],
    [{ crash: "TypeError: boom", exitCode: null }, "ERROR", /TypeError: boom/],
    [{ exitCode: 1 }, "ERROR", /exited with status 1; the contract says 0/],
    [{ exitCode: null, signal: "SIGSEGV" }, "ERROR", /killed by SIGSEGV/],
  ];
  for (const [over, outcome, message] of outcomes) {
    const verdict = judge(c, run(over), evidence);
    t.equal(verdict.outcome, outcome, JSON.stringify(over));
    t.match(verdict.message, message);
  }
  t.equal(
    judge(c, run({ events: [{ event: "unsupported", capability: "telemetry" }] }), evidence).outcome,
    "PASS",
    "another capability: judged as usual",
  );
});
