import { Hono } from "hono";
import t from "tap";
import type { MockEvent } from "../events.ts";
import { controlGuard, guardResponses, hostNameOf, isLoopbackName } from "./guard.ts";
import { controlPrefix } from "./prefix.ts";

const secret = "s3cret-admin-token-for-tests";

/** A control sub-app with the guard and two routes; what it logs goes to `events`. */
function guarded(options: { adminToken?: string; adminHosts?: string[] } = {}) {
  const events: MockEvent[] = [];
  const app = new Hono();
  app.use(`${controlPrefix}/*`, controlGuard({ adminHosts: [], ...options, logger: (e) => events.push(e) }));
  app.get(`${controlPrefix}/health`, (c) => c.json({ status: "ok" }));
  app.get(`${controlPrefix}/resources`, (c) => c.json({ resources: [{ keys: ["7e57c0de"] }] }));
  app.all(`${controlPrefix}/faults`, (c) => c.json({ id: "fault-1" }, 201));
  app.post(`${controlPrefix}/reset`, (c) => c.body(null, 204));
  const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(
      new Request(`http://127.0.0.1:8410${controlPrefix}${path}`, { ...init, headers: { host: "127.0.0.1:8410", ...init.headers } }),
    );
  return { app, events, send };
}

const json = { "Content-Type": "application/json" };

t.test("new Request keeps an explicit Host header, so the guard reads the one the client sent", async (t) => {
  t.equal(new Request("http://127.0.0.1/", { headers: { host: "attacker.example" } }).headers.get("host"), "attacker.example");
});

t.test("loopback names and addresses are loopback, whatever their spelling; others are not", async (t) => {
  for (const host of [
    "localhost",
    "localhost:8410",
    "LOCALHOST",
    "localhost.",
    "app.localhost:1",
    "127.0.0.1",
    "127.1.2.3:80",
    "[::1]",
    "[::1]:8410",
    "[0:0:0:0:0:0:0:1]",
    "0x7f.1",
  ]) {
    const name = hostNameOf(host);
    t.ok(name !== undefined && isLoopbackName(name), host);
  }
  for (const host of [
    "attacker.example",
    "attacker.example:8410",
    "localhost.attacker.example",
    "127.0.0.1.nip.io",
    "0.0.0.0",
    "[::2]",
    "10.0.0.1",
    "192.168.1.2:8410",
  ]) {
    const name = hostNameOf(host);
    t.notOk(name !== undefined && isLoopbackName(name), host);
  }
  for (const host of ["", "evil@127.0.0.1", "127.0.0.1/x", "a b", "127.0.0.300", "localhost:99999"])
    t.equal(hostNameOf(host), undefined, host);
});

t.test("POST with text/plain, a form, multipart or no Content-Type is refused with 415 before the handler runs", async (t) => {
  const { send, events } = guarded();
  const body = JSON.stringify({ target: "sts", action: { kind: "respond", status: 500 } });
  for (const type of [
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
  ]) {
    const res = await send("/faults", { method: "POST", headers: { "Content-Type": type }, body });
    t.equal(res.status, 415, type);
    t.same(await res.json(), {
      error: {
        code: "ERR_UNSUPPORTED_MEDIA_TYPE",
        message: `Unsupported Content-Type ${JSON.stringify(type)} on POST /__speechmock/faults: expected application/json, on every POST, PUT, PATCH and DELETE with a body or not`,
      },
    });
  }
  const none = await send("/reset", { method: "POST" });
  t.equal(none.status, 415, "a body-less POST with no Content-Type");
  t.match(await none.json(), {
    error: {
      message:
        "No Content-Type on POST /__speechmock/reset: expected application/json, on every POST, PUT, PATCH and DELETE with a body or not",
    },
  });
  t.equal(events.length, 6, "one log line per refusal");
  t.same(events[0], {
    type: "control.refused",
    method: "POST",
    path: "/__speechmock/faults",
    host: "127.0.0.1:8410",
    origin: undefined,
    status: 415,
    code: "ERR_UNSUPPORTED_MEDIA_TYPE",
  });
});

t.test("PUT, PATCH and DELETE need application/json too; GET does not", async (t) => {
  const { send } = guarded();
  for (const method of ["PUT", "PATCH", "DELETE"]) {
    t.equal((await send("/faults", { method })).status, 415, `${method} without a Content-Type`);
    t.equal((await send("/faults", { method, headers: { "Content-Type": "text/plain" } })).status, 415, `${method} text/plain`);
    t.equal((await send("/faults", { method, headers: json })).status, 201, `${method} application/json`);
  }
  t.equal((await send("/resources")).status, 200, "GET needs no Content-Type");
});

t.test("application/json is accepted with parameters and in any case", async (t) => {
  const { send } = guarded();
  for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", " application/json "]) {
    t.equal((await send("/faults", { method: "POST", headers: { "Content-Type": type }, body: "{}" })).status, 201, type);
  }
});

t.test("a foreign Origin is refused with 403 on every method; the mock's own origin is answered", async (t) => {
  const { send, events } = guarded();
  for (const origin of ["http://evil.example", "null", "http://127.0.0.1:8411", "https://127.0.0.1:8410", "http://localhost:8410"]) {
    const res = await send("/faults", { method: "POST", headers: { ...json, Origin: origin }, body: "{}" });
    t.equal(res.status, 403, origin);
    t.match(await res.json(), { error: { code: "ERR_FOREIGN_ORIGIN", message: `not Origin ${JSON.stringify(origin)}` } }, origin);
    const read = await send("/resources", { headers: { Origin: origin } });
    t.equal(read.status, 403, `GET from ${origin}`);
    t.notMatch(await read.text(), "7e57c0de", "no key in the refusal");
  }
  t.match(events.at(-1), { type: "control.refused", status: 403, code: "ERR_FOREIGN_ORIGIN", origin: "http://localhost:8410" });
  t.equal((await send("/faults", { method: "POST", headers: { ...json, Origin: "http://127.0.0.1:8410" }, body: "{}" })).status, 201);
  const res = await send("/resources", { headers: { Origin: "http://127.0.0.1:8410" } });
  t.equal(res.status, 200, "its own origin");
  t.equal(res.headers.get("access-control-allow-origin"), null, "no CORS headers");
});

t.test("a Host that is not loopback is refused with 421 without a token, and no key is in the body", async (t) => {
  const { send, events } = guarded();
  for (const host of ["attacker.example:8410", "attacker.example", "0.0.0.0:8410", "10.1.2.3:8410"]) {
    const res = await send("/resources", { headers: { host } });
    t.equal(res.status, 421, host);
    const text = await res.text();
    t.notMatch(text, "7e57c0de");
    t.match(JSON.parse(text), { error: { code: "ERR_MISDIRECTED_REQUEST", message: `not Host ${JSON.stringify(host)}` } });
  }
  t.match(events[0], {
    type: "control.refused",
    method: "GET",
    path: "/__speechmock/resources",
    host: "attacker.example:8410",
    status: 421,
  });
  for (const host of ["localhost:8410", "app.localhost:8410", "127.0.0.2:8410", "[::1]:8410"]) {
    t.equal((await send("/resources", { headers: { host } })).status, 200, host);
  }
});

t.test("an --admin-host name is answered with any port, in any case", async (t) => {
  const { send } = guarded({ adminHosts: ["mock.test", "Other.Test"] });
  for (const host of ["mock.test", "mock.test:8410", "MOCK.TEST:1", "other.test:8410"])
    t.equal((await send("/resources", { headers: { host } })).status, 200, host);
  t.equal((await send("/resources", { headers: { host: "sub.mock.test" } })).status, 421, "not its subdomains");
});

t.test("with an admin token any Host is answered (the token protects), but Origin and Content-Type still apply", async (t) => {
  const { send } = guarded({ adminToken: secret });
  t.equal((await send("/resources", { headers: { host: "attacker.example:8410" } })).status, 200);
  t.equal(
    (await send("/faults", { method: "POST", headers: { host: "mock.example", "Content-Type": "text/plain" }, body: "{}" })).status,
    415,
  );
  t.equal((await send("/resources", { headers: { host: "mock.example", Origin: "http://evil.example" } })).status, 403);
  t.equal((await send("/resources", { headers: { host: "mock.example:8410", Origin: "http://mock.example:8410" } })).status, 200);
});

t.test("health answers any Host and any Origin: it changes nothing and tells only that the mock is up", async (t) => {
  const { send, events } = guarded();
  const res = await send("/health", { headers: { host: "attacker.example", Origin: "http://evil.example" } });
  t.equal(res.status, 200);
  t.same(events, []);
});

t.test("a refusal's log line never carries the Authorization header", async (t) => {
  const { send, events } = guarded();
  await send("/resources", { headers: { host: "attacker.example", Authorization: `Bearer ${secret}` } });
  t.equal(events.length, 1);
  t.notMatch(JSON.stringify(events), secret);
});

t.test("the OpenAPI document's extra answers: 403 and 421 everywhere but health, 415 on state-changing methods", async (t) => {
  t.same(Object.keys(guardResponses("get", "/health")), []);
  t.same(Object.keys(guardResponses("get", "/resources")), ["403", "421"]);
  t.same(Object.keys(guardResponses("delete", "/faults")), ["403", "415", "421"]);
});
