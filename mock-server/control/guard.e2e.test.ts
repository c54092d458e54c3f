/**
 * The control plane answers only its own origin, on the real command under Node and Deno: the
 * attacks of a web page (CSRF with simple requests, a foreign Origin, DNS rebinding) sent over
 * real sockets with exact headers. `fetch` cannot set Host, so every request goes through
 * `node:http` with the headers as given.
 */
import { request } from "node:http";
import t from "tap";
import { runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";

const secret = "s3cret-admin-token-for-tests";
const faultBody = JSON.stringify({ target: "sts", times: 1, action: { kind: "respond", status: 500 } });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request with exactly these headers (Host included) to the mock's address. */
function send(mock: SpawnedMock, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(mock.ready.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, method, path: `/__speechmock${path}`, headers, setHost: false, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const [mock, withToken, named] = await Promise.all([
      spawnMock(runtime),
      spawnMock(runtime, [], { SPEECHMOCK_ADMIN_TOKEN: secret }),
      spawnMock(runtime, ["--admin-host", "mock.test"]),
    ]);
    t.teardown(async () => {
      await Promise.all([mock.stop(), withToken.stop(), named.stop()]);
    });
    const own = new URL(mock.ready.url).host;
    const faults = async () => JSON.parse((await send(mock, "GET", "/faults", { Host: own })).text) as { faults: unknown[] };

    t.test("a JSON body sent as text/plain (a form's or fetch's simple request) is refused with 415; no rule is added", async (t) => {
      const res = await send(mock, "POST", "/faults", { Host: own, "Content-Type": "text/plain;charset=UTF-8" }, faultBody);
      t.equal(res.status, 415);
      t.same(JSON.parse(res.text), {
        error: {
          code: "ERR_UNSUPPORTED_MEDIA_TYPE",
          message:
            'Unsupported Content-Type "text/plain;charset=UTF-8" on POST /__speechmock/faults: expected application/json, on every POST, PUT, PATCH and DELETE with a body or not',
        },
      });
      t.same((await faults()).faults, [], "the fault list stays empty");
      const line = await mock.waitForLog((l) => l.event === "control.refused" && l.status === 415);
      t.match(line, { method: "POST", path: "/__speechmock/faults", host: own, code: "ERR_UNSUPPORTED_MEDIA_TYPE" });
    });

    t.test("a form-encoded body is refused with 415", async (t) => {
      const form = `x=${encodeURIComponent(faultBody)}`;
      const res = await send(mock, "POST", "/faults", { Host: own, "Content-Type": "application/x-www-form-urlencoded" }, form);
      t.equal(res.status, 415);
      t.match(JSON.parse(res.text), { error: { code: "ERR_UNSUPPORTED_MEDIA_TYPE" } });
      t.same((await faults()).faults, []);
    });

    t.test("a body-less POST /reset and DELETE /faults need application/json too", async (t) => {
      t.equal((await send(mock, "POST", "/reset", { Host: own })).status, 415, "no Content-Type");
      t.equal((await send(mock, "DELETE", "/faults", { Host: own, "Content-Type": "text/plain" })).status, 415, "text/plain");
      t.equal((await send(mock, "POST", "/reset", { Host: own, "Content-Type": "application/json" })).status, 204, "application/json");
    });

    t.test("Origin: http://evil.example is refused with 403 even with a JSON content type; no CORS headers", async (t) => {
      const headers = { Host: own, Origin: "http://evil.example", "Content-Type": "application/json" };
      const res = await send(mock, "POST", "/faults", headers, faultBody);
      t.equal(res.status, 403);
      t.match(JSON.parse(res.text), { error: { code: "ERR_FOREIGN_ORIGIN", message: /not Origin "http:\/\/evil\.example"/ } });
      t.equal(res.headers["access-control-allow-origin"], undefined);
      t.same((await faults()).faults, []);
      const preflight = await send(mock, "OPTIONS", "/faults", {
        Host: own,
        Origin: "http://evil.example",
        "Access-Control-Request-Method": "POST",
      });
      t.equal(preflight.status, 403, "a preflight too");
      t.equal(preflight.headers["access-control-allow-origin"], undefined);
      const line = await mock.waitForLog((l) => l.event === "control.refused" && l.status === 403);
      t.match(line, { origin: "http://evil.example", code: "ERR_FOREIGN_ORIGIN" });
    });

    t.test("the mock's own origin is answered", async (t) => {
      const headers = { Host: own, Origin: `http://${own}`, "Content-Type": "application/json; charset=utf-8" };
      const res = await send(mock, "POST", "/faults", headers, faultBody);
      t.equal(res.status, 201);
      t.equal((await send(mock, "DELETE", "/faults", { Host: own, "Content-Type": "application/json" })).status, 204);
    });

    t.test("Host: attacker.example (DNS rebinding) is refused with 421, and no key is in the body", async (t) => {
      const res = await send(mock, "GET", "/resources", { Host: `attacker.example:${new URL(mock.ready.url).port}` });
      t.equal(res.status, 421);
      t.match(JSON.parse(res.text), { error: { code: "ERR_MISDIRECTED_REQUEST" } });
      for (const resource of mock.ready.resources) for (const key of resource.keys) t.notMatch(res.text, key);
      t.equal((await send(mock, "GET", "/journal", { Host: "attacker.example" })).status, 421, "nor the journal");
      const line = await mock.waitForLog((l) => l.event === "control.refused" && l.status === 421);
      t.match(line, { method: "GET", path: "/__speechmock/resources", host: /^attacker\.example:/ });
      t.equal((await send(mock, "GET", "/health", { Host: "attacker.example" })).status, 200, "health stays open");
      t.equal((await send(mock, "GET", "/resources", { Host: `localhost:${new URL(mock.ready.url).port}` })).status, 200, "localhost");
    });

    t.test("with an admin token and the right bearer, Host: attacker.example is answered", async (t) => {
      const res = await send(withToken, "GET", "/resources", { Host: "attacker.example", Authorization: `Bearer ${secret}` });
      t.equal(res.status, 200);
      t.equal((await send(withToken, "GET", "/resources", { Host: "attacker.example" })).status, 401, "without it, 401");
    });

    t.test("--admin-host mock.test lets Host: mock.test in, and no other name", async (t) => {
      t.equal((await send(named, "GET", "/resources", { Host: "mock.test" })).status, 200);
      t.equal((await send(named, "GET", "/resources", { Host: "mock.test:8410" })).status, 200, "with any port");
      t.equal((await send(named, "GET", "/resources", { Host: "attacker.example" })).status, 421);
    });

    t.test("no refusal's log line carries the admin token", async (t) => {
      await send(withToken, "GET", "/resources", { Host: "x.test", Origin: "http://evil.example", Authorization: `Bearer ${secret}` });
      await withToken.waitForLog((l) => l.event === "control.refused");
      t.notMatch(withToken.stderr(), secret);
    });
  });
}
