/**
 * The control plane's safety, on the real command under Node and Deno: open only on loopback, or
 * behind an admin token; never listening on another address without one.
 */
import t from "tap";
import { runCommand, runtimes, spawnMock } from "../testing/spawn.ts";

const secret = "s3cret-admin-token-for-tests";
const refusal =
  "speechmock: Refusing to listen on 0.0.0.0 without an admin token: the control plane (/__speechmock) could then be reached from the network. " +
  "Set an admin token (--admin-token or SPEECHMOCK_ADMIN_TOKEN; adminToken from code), or listen on 127.0.0.1\n";

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
