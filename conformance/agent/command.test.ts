import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { runCommand } from "./command.ts";

t.test("a client's events, exit status and both streams are kept; its env is the runner's plus the case's", async (t) => {
  const run = await runCommand(
    `echo '{"event":"token"}'; echo "$SPEECHMOCK_CASE" >&2; echo '{"event":"connected"}'`,
    { SPEECHMOCK_CASE: "token.post" },
    5000,
  );
  t.same(run.events, [{ event: "token" }, { event: "connected" }]);
  t.same([run.exitCode, run.signal, run.timedOut, run.contractProblems], [0, null, false, []]);
  t.equal(run.stderr, "token.post\n");
});

t.test("a last line without a newline still counts; blank lines are ignored; bad lines are noted with their number", async (t) => {
  const run = await runCommand(`printf '\\n{"event":"token"}\\nnot json\\n{"event":"connected"}'`, {}, 5000);
  t.same(run.events, [{ event: "token" }, { event: "connected" }]);
  t.same(run.contractProblems, ['stdout line 3: Not JSON: "not json". Expected one JSON object per line (logs go to stderr)']);
});

t.test("at the time limit the whole process group is killed, background children too", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "speechmock-agent-"));
  const pidFile = join(dir, "child.pid");
  const started = Date.now();
  const run = await runCommand(`sleep 30 & echo $! > ${pidFile}; wait`, {}, 300);
  t.ok(run.timedOut);
  t.equal(run.signal, "SIGKILL");
  t.ok(Date.now() - started < 5000, "it did not wait for the sleep");
  const pid = Number(readFileSync(pidFile, "utf8"));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(
    existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "),
    `the background sleep (${pid}) is gone`,
  );
});

t.test("a client that exits leaves nothing running behind it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "speechmock-agent-"));
  const pidFile = join(dir, "child.pid");
  const run = await runCommand(`(sleep 30 >/dev/null 2>&1 & echo $! > ${pidFile})`, {}, 5000);
  t.equal(run.exitCode, 0);
  const pid = Number(readFileSync(pidFile, "utf8"));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(
    existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "),
    `the leftover sleep (${pid}) was killed`,
  );
});
