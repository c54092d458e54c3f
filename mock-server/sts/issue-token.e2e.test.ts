import { request } from "node:http";
import { connect } from "node:net";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import t, { type Test } from "tap";
import { runtimes, type SpawnedMock, spawnMock } from "../../test/support/spawn.ts";
import { invalidKeyBody, methodNotAllowedBody, notFoundBody, quotaExceededBody, resourceDisabledBody } from "./bodies.ts";

/** Spec section 1, copied by hand so the constant in bodies.ts is itself checked. */
const specInvalidKeyBody =
  '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}';
const specQuotaBody = '{"statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 0.07:12:30."}';
const unknownKey = "c0ffee00c0ffee00c0ffee00c0ffee00";
const jsonType = "application/json; charset=utf-8";

interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** node:http, because fetch cannot set a Host header. */
function httpPost(url: string, headers: Record<string, string>): Promise<HttpAnswer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: pathname, method: "POST", headers: { "Content-Length": "0", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Writes raw bytes on a fresh TCP connection; resolves with whatever came back before it closed. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let out = "";
    socket.setEncoding("latin1");
    socket.on("data", (d) => {
      out += d;
    });
    // The server may cut the connection while a huge request is still being written.
    socket.on("error", () => resolve(out));
    socket.on("close", () => resolve(out));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.end(bytes);
  });
}

/** The first `sts.request` log line written after `mark` (an index into `mock.logs`). */
const stsLogAfter = (mock: SpawnedMock, mark: number) =>
  mock.waitForLog((line) => line.event === "sts.request" && mock.logs.indexOf(line) >= mark);

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop());
    const { ready } = mock;
    const jwks = createLocalJWKSet(ready.jwks as JSONWebKeySet);
    const resourceWith = (region: string, state: string) => {
      const r = ready.resources.find((r) => r.region === region && r.state === state);
      if (!r) throw new Error(`The ready line lists no ${state} resource in ${region}`);
      return r;
    };
    const westus = resourceWith("westus", "enabled");
    const eastus = resourceWith("eastus", "enabled");
    const disabled = resourceWith("westus", "disabled");
    const quota = resourceWith("westus", "quotaExceeded");
    const post = (headers: Record<string, string> = {}, init: RequestInit = {}, url = ready.sts) =>
      fetch(url, { method: "POST", headers, ...init });
    const withKey = (key: string) => ({ "Ocp-Apim-Subscription-Key": key });
    const verify = (token: string, region = "westus") =>
      jwtVerify(token, jwks, { algorithms: ["ES256"], issuer: "urn:ms.cognitiveservices", audience: `urn:ms.speechservices.${region}` });

    /** Sends one request and checks its status, exact body and the reason its log line gives. */
    const expectRefusal = async (
      t: Test,
      send: () => Promise<Response | HttpAnswer>,
      want: { status: number; body: string; reason: string; region?: string },
    ) => {
      const mark = mock.logs.length;
      const res = await send();
      const body = res instanceof Response ? await res.text() : res.body;
      t.equal(res.status, want.status, "status");
      t.equal(res.headers.get("content-type"), jsonType, "content type");
      t.equal(body, want.body, "body, byte for byte");
      t.match(await stsLogAfter(mock, mark), { status: want.status, reason: want.reason, region: want.region ?? "westus" }, "log line");
    };

    t.test("a valid key gets 200 and a bare JWT as text/plain that verifies with the ready line's JWKS", async (t) => {
      const mark = mock.logs.length;
      const res = await post(withKey(westus.keys[0]));
      t.equal(res.status, 200);
      t.match(res.headers.get("content-type"), /^text\/plain\b/);
      const token = await res.text();
      t.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "nothing but the token");
      t.same(decodeProtectedHeader(token), { alg: "ES256", kid: "key1", typ: "JWT" });
      const { payload } = await verify(token);
      t.same(Object.keys(payload), [
        "region",
        "subscription-id",
        "product-id",
        "cognitive-services-endpoint",
        "azure-resource-id",
        "scope",
        "aud",
        "exp",
        "iss",
      ]);
      t.match(payload, {
        region: "westus",
        "product-id": `SpeechServices.${westus.tier}`,
        "azure-resource-id": new RegExp(`/providers/Microsoft\\.CognitiveServices/accounts/${westus.name}$`),
        scope: "speechservices",
      });
      t.match(await stsLogAfter(mock, mark), {
        level: "info",
        status: 200,
        reason: "sts.issued",
        resource: westus.name,
        keySource: "header",
      });
    });

    t.test("both keys of a resource are valid and name the same subscription", async (t) => {
      const ids = [];
      for (const key of westus.keys) {
        const res = await post(withKey(key));
        t.equal(res.status, 200);
        ids.push((await verify(await res.text())).payload["subscription-id"]);
      }
      t.match(ids[0], /^[0-9a-f]{32}$/);
      t.equal(ids[1], ids[0]);
    });

    t.test("the 401 body is the spec's, byte for byte", async (t) => {
      t.equal(invalidKeyBody, specInvalidKeyBody);
      t.equal(quotaExceededBody("0.07:12:30"), specQuotaBody);
    });

    t.test("a missing key gets 401 with the invalid-key body", async (t) => {
      await expectRefusal(t, () => post(), { status: 401, body: specInvalidKeyBody, reason: "sts.key_missing" });
    });

    t.test("an empty key gets 401 with the invalid-key body", async (t) => {
      await expectRefusal(t, () => post(withKey("")), { status: 401, body: invalidKeyBody, reason: "sts.key_missing" });
    });

    t.test("an unknown key gets 401 with the invalid-key body", async (t) => {
      await expectRefusal(t, () => post(withKey(unknownKey)), { status: 401, body: specInvalidKeyBody, reason: "sts.key_unknown" });
    });

    t.test("a key of a disabled resource gets 403 with the disabled body", async (t) => {
      for (const key of disabled.keys) {
        await expectRefusal(t, () => post(withKey(key)), { status: 403, body: resourceDisabledBody, reason: "sts.resource_disabled" });
      }
    });

    t.test("a key of a resource out of quota gets 403 with the quota body", async (t) => {
      for (const key of quota.keys) {
        await expectRefusal(t, () => post(withKey(key)), { status: 403, body: specQuotaBody, reason: "sts.quota_exceeded" });
      }
    });

    t.test("GET, PUT, DELETE and PATCH get 405 with Allow: POST and a JSON body", async (t) => {
      for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
        const mark = mock.logs.length;
        const res = await fetch(ready.sts, { method, headers: withKey(westus.keys[0]) });
        t.equal(res.status, 405, method);
        t.equal(res.headers.get("allow"), "POST", method);
        t.equal(res.headers.get("content-type"), jsonType, method);
        const body = await res.text();
        t.equal(body, methodNotAllowedBody(method), method);
        t.match(JSON.parse(body), { error: { code: "405" } }, method);
        t.match(await stsLogAfter(mock, mark), { method, status: 405, reason: "sts.method_not_allowed" }, method);
      }
    });

    t.test("a browser page on another origin may call it", async (t) => {
      const origin = "https://app.example";
      const preflight = await fetch(ready.sts, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Ocp-Apim-Subscription-Key" },
      });
      t.equal(preflight.status, 204);
      t.equal(preflight.headers.get("access-control-allow-origin"), "*");
      t.ok(preflight.headers.get("access-control-allow-methods")?.split(",").includes("POST"), "POST allowed");
      t.ok(
        preflight.headers
          .get("access-control-allow-headers")
          ?.split(",")
          .some((h) => h.trim().toLowerCase() === "ocp-apim-subscription-key"),
        "the key header allowed",
      );

      const ok = await post({ Origin: origin, ...withKey(westus.keys[0]) });
      t.equal(ok.status, 200);
      t.equal(ok.headers.get("access-control-allow-origin"), "*");
      await verify(await ok.text());

      const refused = await post({ Origin: origin });
      t.equal(refused.status, 401);
      t.equal(refused.headers.get("access-control-allow-origin"), "*", "a page can read a refusal too");
      t.equal(await refused.text(), invalidKeyBody);
    });

    t.test("any Content-Type and body are accepted", async (t) => {
      const cases: { name: string; headers: Record<string, string>; body?: string }[] = [
        { name: "form-urlencoded, empty", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "" },
        { name: "form-urlencoded, with a body", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "a=b" },
        { name: "JSON", headers: { "Content-Type": "application/json" }, body: '{"hello":"world"}' },
        { name: "none at all", headers: {} },
      ];
      for (const c of cases) {
        const res = await post({ ...c.headers, ...withKey(westus.keys[1]) }, c.body === undefined ? {} : { body: c.body });
        t.equal(res.status, 200, c.name);
        t.equal((await verify(await res.text())).payload.region, "westus", c.name);
      }
    });

    t.test("the region comes from the Host header", async (t) => {
      const host = "eastus.localhost";
      t.test("a westus key at eastus.localhost gets 401", async (t) => {
        await expectRefusal(t, () => httpPost(ready.sts, { Host: host, ...withKey(westus.keys[0]) }), {
          status: 401,
          body: specInvalidKeyBody,
          reason: "sts.wrong_region",
          region: "eastus",
        });
      });
      t.test("an eastus key at eastus.localhost gets an eastus token", async (t) => {
        const res = await httpPost(ready.sts, { Host: host, ...withKey(eastus.keys[0]) });
        t.equal(res.status, 200);
        const { payload } = await verify(res.body, "eastus");
        t.equal(payload.aud, "urn:ms.speechservices.eastus");
        t.equal(payload.region, "eastus");
        t.equal(payload["product-id"], "SpeechServices.F0");
      });
      t.test("an eastus key at the default region gets 401", async (t) => {
        await expectRefusal(t, () => post(withKey(eastus.keys[1])), { status: 401, body: invalidKeyBody, reason: "sts.wrong_region" });
      });
    });

    t.test("the path is matched in any case", async (t) => {
      for (const path of ["/sts/v1.0/issuetoken", "/STS/V1.0/ISSUETOKEN", "/Sts/V1.0/IssueToken"]) {
        const res = await post(withKey(westus.keys[0]), {}, `${ready.url}${path}`);
        t.equal(res.status, 200, path);
        await verify(await res.text());
      }
    });

    t.test("an unknown path gets 404 with the gateway's body", async (t) => {
      for (const path of ["/sts/v1.0/issueTokens", "/sts/v2.0/issueToken", "/"]) {
        const res = await post(withKey(westus.keys[0]), {}, `${ready.url}${path}`);
        t.equal(res.status, 404, path);
        t.equal(await res.text(), notFoundBody, path);
      }
    });

    t.test("a key in the query string is refused without --sts-key-in-query", async (t) => {
      await expectRefusal(t, () => post({}, {}, `${ready.sts}?subscription-key=${westus.keys[0]}`), {
        status: 401,
        body: invalidKeyBody,
        reason: "sts.key_in_query_disabled",
      });
    });

    t.test("two subscription key header lines, even two valid ones, get 401 sts.key_ambiguous", async (t) => {
      const mark = mock.logs.length;
      const answer = await rawExchange(
        ready.url,
        `POST /sts/v1.0/issueToken HTTP/1.1\r\nHost: localhost\r\nOcp-Apim-Subscription-Key: ${westus.keys[0]}\r\n` +
          `Ocp-Apim-Subscription-Key: ${westus.keys[1]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      t.match(answer, /^HTTP\/1\.1 401 /, "401");
      t.ok(answer.endsWith(`\r\n\r\n${invalidKeyBody}`), "the invalid-key body");
      t.match(await stsLogAfter(mock, mark), { status: 401, reason: "sts.key_ambiguous" }, "log line");
    });

    t.test("a bad request does not stop the server from serving the next one", async (t) => {
      const next = async (what: string) => {
        const res = await post(withKey(westus.keys[0]));
        t.equal(res.status, 200, `a valid request after ${what}`);
        await verify(await res.text());
      };
      const garbage = await rawExchange(ready.url, "G@RBAGE\x01 /sts/v1.0/issueToken HTTP/1.1\r\nHost: localhost\r\n\r\n");
      t.match(garbage, /^HTTP\/1\.1 400 /, "a garbage method gets 400");
      await next("a garbage method");

      const huge = await rawExchange(
        ready.url,
        `POST /sts/v1.0/issueToken HTTP/1.1\r\nHost: localhost\r\nOcp-Apim-Subscription-Key: ${westus.keys[0]}\r\nX-Huge: ${"a".repeat(1 << 20)}\r\nContent-Length: 0\r\n\r\n`,
      );
      t.notMatch(huge, /^HTTP\/1\.1 2/, "a 1 MiB header is not served");
      await next("a 1 MiB header");

      await rawExchange(ready.url, "POST /sts/v1.0/issueToken HTTP/1.1\r\nHost: loc");
      await next("a request cut off in its headers");
    });

    t.test("the log carries every reason code and never a whole key", async (t) => {
      const reasons = new Set(mock.logs.filter((l) => l.event === "sts.request").map((l) => l.reason));
      for (const reason of [
        "sts.issued",
        "sts.key_missing",
        "sts.key_unknown",
        "sts.key_in_query_disabled",
        "sts.wrong_region",
        "sts.resource_disabled",
        "sts.quota_exceeded",
        "sts.method_not_allowed",
      ]) {
        t.ok(reasons.has(reason), reason);
      }
      const stderr = mock.stderr();
      for (const key of [...westus.keys, ...eastus.keys, ...disabled.keys, ...quota.keys, unknownKey]) {
        t.notOk(stderr.includes(key), `key ${key.slice(0, 6)}… does not appear whole`);
      }
      t.ok(stderr.includes(`"key":"${westus.keys[0].slice(0, 6)}…(32)"`), "a known key appears as a prefix and its length");
      t.ok(stderr.includes(`"key":"${unknownKey.slice(0, 6)}…(32)"`), "an unknown key appears as a prefix and its length");
    });
  });

  t.test(`on ${runtime} with --token-lifetime 120 --sts-key-in-query`, async (t) => {
    const mock = await spawnMock(runtime, ["--token-lifetime", "120", "--sts-key-in-query"]);
    t.teardown(() => mock.stop());
    const { ready } = mock;
    const jwks = createLocalJWKSet(ready.jwks as JSONWebKeySet);
    const westus = ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    if (!westus) throw new Error("The ready line lists no enabled westus resource");

    t.test("tokens expire 120 seconds after they are issued", async (t) => {
      const before = Math.floor(Date.now() / 1000);
      const res = await fetch(ready.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westus.keys[0] } });
      const after = Math.floor(Date.now() / 1000);
      t.equal(res.status, 200);
      const { payload } = await jwtVerify(await res.text(), jwks);
      t.ok(Number(payload.exp) >= before + 120 && Number(payload.exp) <= after + 120, `exp ${payload.exp} is now + 120`);
    });

    t.test("a key in the query string is accepted", async (t) => {
      const mark = mock.logs.length;
      const res = await fetch(`${ready.sts}?subscription-key=${westus.keys[1]}`, { method: "POST" });
      t.equal(res.status, 200);
      t.equal((await jwtVerify(await res.text(), jwks)).payload.aud, "urn:ms.speechservices.westus");
      t.match(await stsLogAfter(mock, mark), {
        status: 200,
        reason: "sts.issued",
        keySource: "query",
        key: `${westus.keys[1].slice(0, 6)}…(32)`,
      });
      t.notOk(mock.stderr().includes(westus.keys[1]), "the query key does not appear whole in the log");
    });

    t.test("an unknown key in the query string is still refused", async (t) => {
      const mark = mock.logs.length;
      const res = await fetch(`${ready.sts}?subscription-key=${unknownKey}`, { method: "POST" });
      t.equal(res.status, 401);
      t.equal(await res.text(), specInvalidKeyBody);
      t.match(await stsLogAfter(mock, mark), { status: 401, reason: "sts.key_unknown", keySource: "query" });
    });
  });
}
