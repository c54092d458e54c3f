/**
 * The control plane's safety, on the real command under Node and Deno: open only on loopback, or
 * behind an admin token; never listening on another address without one.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { runCommand, runtimes, spawnMock } from "../../test/support/spawn.ts";

const dir = mkdtempSync(join(tmpdir(), "speechmock-admin-token-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
/** A file holding `text`, for --admin-token-file. */
const tokenFile = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const warning =
  "speechmock: warning: --admin-token shows the secret to anyone who can list processes; " +
  "set SPEECHMOCK_ADMIN_TOKEN or use --admin-token-file <path> instead\n";

const secret = "s3cret-admin-token-for-tests";
const refusal =
  "speechmock: Refusing to listen on 0.0.0.0 without an admin token: the control plane (/__speechmock) could then be reached from the network. " +
  "Set an admin token (SPEECHMOCK_ADMIN_TOKEN, --admin-token-file or --admin-token; adminToken from code), or listen on 127.0.0.1\n";

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    t.test("listening on 0.0.0.0 without an admin token is refused before anything listens (exit 2)", async (t) => {
      const result = await runCommand(runtime, ["serve", "--port", "0", "--host", "0.0.0.0"]);
      t.equal(result.code, 2);
      t.equal(result.stdout, "", "no ready line");
      t.equal(result.stderr, refusal);
    });

    t.test("a bad admin token is refused without being echoed", async (t) => {
      const result = await runCommand(runtime, ["serve", "--port", "0", "--admin-token", "short"]);
      t.equal(result.code, 2);
      t.match(result.stderr, "Invalid value for --admin-token: (not shown). Expected 16 to 256 visible ASCII characters (no spaces)");
      t.notMatch(result.stderr, "short");
    });

    t.test("with a token on 0.0.0.0, the control plane wants it; health and the service do not", async (t) => {
      const mock = await spawnMock(runtime, ["--host", "0.0.0.0", "--admin-token", secret]);
      t.teardown(() => mock.stop().then(() => undefined));
      const { admin } = mock.ready;
      t.equal((await fetch(`${admin}/health`)).status, 200, "health is open");
      const none = await fetch(`${admin}/journal`);
      t.equal(none.status, 401);
      t.equal(none.headers.get("www-authenticate"), 'Bearer realm="speechmock"');
      t.match(await none.json(), { error: { code: "ERR_UNAUTHORIZED" } });
      const wrong = await fetch(`${admin}/journal`, { headers: { Authorization: `Bearer ${secret}x` } });
      t.equal(wrong.status, 401, "a wrong token");
      await wrong.text();
      const right = await fetch(`${admin}/journal`, { headers: { Authorization: `Bearer ${secret}` } });
      t.equal(right.status, 200, "the right token");
      await right.text();
      const key = mock.ready.resources[0]?.keys[0] as string;
      const sts = await fetch(mock.ready.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } });
      t.equal(sts.status, 200, "the token service needs no admin token");
      await sts.text();
      await mock.stop();
      t.notMatch(mock.stderr(), secret, "the admin token never reaches the log");
    });

    t.test("--admin-token on the command line warns that the process list shows it, without echoing it", async (t) => {
      const mock = await spawnMock(runtime, ["--admin-token", secret, "--log-format", "none"]);
      await mock.stop();
      t.equal(mock.stderr(), warning);
    });

    t.test("--admin-token-file reads the secret, trimmed, with no warning; the token is never logged", async (t) => {
      const mock = await spawnMock(runtime, ["--admin-token-file", tokenFile("good", `  ${secret}\n`)]);
      t.teardown(() => mock.stop().then(() => undefined));
      t.equal((await fetch(`${mock.ready.admin}/clock`)).status, 401);
      const ok = await fetch(`${mock.ready.admin}/clock`, { headers: { Authorization: `Bearer ${secret}` } });
      t.equal(ok.status, 200, "the trimmed secret is the token");
      await ok.text();
      await mock.stop();
      t.notMatch(mock.stderr(), "warning");
      t.notMatch(mock.stderr(), secret);
    });

    t.test("a missing, empty or invalid --admin-token-file is refused with exit 2 and a precise message", async (t) => {
      const missing = join(dir, "no-such-file");
      const cases: [string, string][] = [
        [missing, `speechmock: Cannot read the admin token file ${JSON.stringify(missing)}: ENOENT\n`],
        [dir, `speechmock: Cannot read the admin token file ${JSON.stringify(dir)}: EISDIR\n`],
        [
          tokenFile("empty", " \n\n"),
          `speechmock: The admin token file ${JSON.stringify(join(dir, "empty"))} is empty. Expected the secret\n`,
        ],
        [
          tokenFile("short", "short-secret\n"),
          `speechmock: The admin token in ${JSON.stringify(join(dir, "short"))} is invalid (not shown). Expected 16 to 256 visible ASCII characters (no spaces)\n`,
        ],
      ];
      for (const [path, message] of cases) {
        const result = await runCommand(runtime, ["serve", "--port", "0", "--admin-token-file", path]);
        t.equal(result.code, 2, path);
        t.equal(result.stdout, "", "no ready line");
        t.equal(result.stderr, message);
      }
    });

    t.test("SPEECHMOCK_ADMIN_TOKEN sets the token too", async (t) => {
      const mock = await spawnMock(runtime, [], { SPEECHMOCK_ADMIN_TOKEN: secret });
      t.teardown(() => mock.stop().then(() => undefined));
      t.equal((await fetch(`${mock.ready.admin}/clock`)).status, 401);
      const ok = await fetch(`${mock.ready.admin}/clock`, { headers: { Authorization: `Bearer ${secret}` } });
      t.equal(ok.status, 200);
      await ok.text();
    });
  });
}
