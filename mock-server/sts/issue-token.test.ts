import type { UpgradeWebSocket } from "hono/ws";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import t from "tap";
import { createMockApp } from "../app.ts";
import { ManualClock } from "../clock.ts";
import { createContext, type MockContext } from "../context.ts";
import type { MockEvent } from "../events.ts";
import { type MockOptions, resolveOptions } from "../options.ts";
import { invalidKeyBody, notFoundBody, quotaExceededBody, resourceDisabledBody } from "./bodies.ts";
import { decideIssue } from "./issue-token.ts";

// The built-in development resources (fixtures/subscriptions.json).
const westusKeys = ["7e57c0de5eec4d0c0000000000000001", "7e57c0de5eec4d0c0000000000000002"] as const;
const eastusKeys = ["7e57c0de5eec4d0c0000000000000003", "7e57c0de5eec4d0c0000000000000004"] as const;
const disabledKey = "7e57c0de5eec4d0c0000000000000005";
const quotaKey = "7e57c0de5eec4d0c0000000000000007";
const unknownKey = "0123456789abcdef0123456789abcdef";

/** 2025-04-21T12:09:40.250Z: a quarter second into a whole second, so sub-second ticks stay in it. */
const start = 1_745_237_380_250;
const startSeconds = Math.floor(start / 1000);

/** The speech routes build their upgrade middleware up front; no STS request may ever run it. */
const upgradeWebSocket = (() => () => {
  throw new Error("The token service must never upgrade a request");
}) as unknown as UpgradeWebSocket;

interface Harness {
  ctx: MockContext;
  clock: ManualClock;
  events: MockEvent[];
  post(path?: string, headers?: Record<string, string>): Promise<Response>;
  verify(token: string, region?: string): ReturnType<typeof jwtVerify>;
}

async function harness(options: MockOptions = {}): Promise<Harness> {
  const clock = new ManualClock(start);
  const events: MockEvent[] = [];
  const ctx = await createContext(resolveOptions({ clock, logger: (e) => events.push(e), ...options }));
  const app = createMockApp(ctx, upgradeWebSocket);
  const jwks = createLocalJWKSet(ctx.keys.jwks);
  return {
    ctx,
    clock,
    events,
    post: async (path = "/sts/v1.0/issueToken", headers = {}) => app.request(path, { method: "POST", headers }),
    verify: (token, region = "westus") =>
      jwtVerify(token, jwks, {
        algorithms: ["ES256"],
        issuer: "urn:ms.cognitiveservices",
        audience: `urn:ms.speechservices.${region}`,
        currentDate: new Date(clock.now()),
      }),
  };
}

const key = (k: string) => ({ "Ocp-Apim-Subscription-Key": k });
const stsEvents = (events: MockEvent[]) => events.filter((e) => e.type === "sts.request");

t.test("decideIssue applies the token service rules", async (t) => {
  const { ctx } = await harness();

  t.test("a missing or empty key is refused with 401 and the invalid-key body", async (t) => {
    for (const k of [undefined, ""]) {
      t.same(decideIssue(k, false, "westus", ctx), { status: 401, reason: "sts.key_missing", body: invalidKeyBody }, `key ${k}`);
    }
  });

  t.test("a refused query-string key is reported as such, not as a missing key", async (t) => {
    t.same(decideIssue(undefined, true, "westus", ctx), { status: 401, reason: "sts.key_in_query_disabled", body: invalidKeyBody });
  });

  t.test("a key no resource has is refused with 401", async (t) => {
    t.same(decideIssue(unknownKey, false, "westus", ctx), { status: 401, reason: "sts.key_unknown", body: invalidKeyBody });
  });

  t.test("keys are matched exactly, not ignoring case", async (t) => {
    t.equal(decideIssue(westusKeys[0].toUpperCase(), false, "westus", ctx).reason, "sts.key_unknown");
  });

  t.test("both keys of an enabled resource are issued a token in their region", async (t) => {
    for (const k of westusKeys) {
      const outcome = decideIssue(k, false, "westus", ctx);
      t.equal(outcome.status, 200);
      t.equal(outcome.reason, "sts.issued");
      t.equal(outcome.resource?.name, "speechmock-westus");
    }
    for (const k of eastusKeys) {
      t.match(decideIssue(k, false, "eastus", ctx), { status: 200, reason: "sts.issued", resource: { name: "speechmock-eastus-free" } });
    }
  });

  t.test("a key used at another region's endpoint is refused with 401 and names its resource", async (t) => {
    t.match(decideIssue(eastusKeys[0], false, "westus", ctx), {
      status: 401,
      reason: "sts.wrong_region",
      body: invalidKeyBody,
      resource: { name: "speechmock-eastus-free" },
    });
    t.equal(decideIssue(westusKeys[1], false, "eastus", ctx).reason, "sts.wrong_region");
  });

  t.test("a key of a disabled resource is refused with 403 and the disabled body", async (t) => {
    t.match(decideIssue(disabledKey, false, "westus", ctx), {
      status: 403,
      reason: "sts.resource_disabled",
      body: resourceDisabledBody,
      resource: { name: "speechmock-disabled" },
    });
  });

  t.test("a key of a resource out of quota is refused with 403 naming when the quota renews", async (t) => {
    const outcome = decideIssue(quotaKey, false, "westus", ctx);
    t.match(outcome, { status: 403, reason: "sts.quota_exceeded", resource: { name: "speechmock-quota" } });
    t.equal(
      outcome.status === 200 ? undefined : outcome.body,
      '{"statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 0.07:12:30."}',
    );
  });

  t.test("the region is checked before the resource's state", async (t) => {
    t.equal(decideIssue(disabledKey, false, "eastus", ctx).reason, "sts.wrong_region");
    t.equal(decideIssue(quotaKey, false, "eastus", ctx).reason, "sts.wrong_region");
  });
});

t.test("the issued token", async (t) => {
  const h = await harness();
  const res = await h.post("/sts/v1.0/issueToken", key(westusKeys[0]));
  t.equal(res.status, 200);
  t.match(res.headers.get("content-type"), /^text\/plain\b/);
  const token = await res.text();

  t.test("is a bare compact JWS with no whitespace around it", async (t) => {
    t.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  t.test("has the header of observed Speech tokens, in order", async (t) => {
    const header = decodeProtectedHeader(token);
    t.same(header, { alg: "ES256", kid: "key1", typ: "JWT" });
    t.same(Object.keys(header), ["alg", "kid", "typ"]);
  });

  t.test("verifies with the mock's JWKS and carries exactly the claims of a real token, in order", async (t) => {
    const { payload, protectedHeader } = await h.verify(token);
    t.equal(protectedHeader.kid, h.ctx.keys.jwks.keys[0]?.kid);
    t.same(Object.entries(payload), [
      ["region", "westus"],
      ["subscription-id", "5eec4d0c000000000000000000000001"],
      ["product-id", "SpeechServices.S0"],
      ["cognitive-services-endpoint", "https://api.cognitive.microsoft.com/internal/v1.0/"],
      [
        "azure-resource-id",
        "/subscriptions/00000000-0000-4000-8000-5eec4d0c0000/resourceGroups/speechmock/providers/Microsoft.CognitiveServices/accounts/speechmock-westus",
      ],
      ["scope", "speechservices"],
      ["aud", "urn:ms.speechservices.westus"],
      ["exp", startSeconds + 600],
      ["iss", "urn:ms.cognitiveservices"],
    ]);
    t.notOk("iat" in payload, "no iat");
    t.notOk("nbf" in payload, "no nbf");
  });

  t.test("names the free tier for an F0 resource", async (t) => {
    const res = await h.post("/sts/v1.0/issueToken", { ...key(eastusKeys[1]), Host: "eastus.localhost" });
    t.equal(res.status, 200);
    const { payload } = await h.verify(await res.text(), "eastus");
    t.match(payload, {
      region: "eastus",
      "subscription-id": "5eec4d0c000000000000000000000002",
      "product-id": "SpeechServices.F0",
      aud: "urn:ms.speechservices.eastus",
    });
  });

  t.test("does not verify against another mock's key", async (t) => {
    const other = await harness();
    await t.rejects(jwtVerify(token, createLocalJWKSet(other.ctx.keys.jwks)));
  });

  t.test("expires at the mock's clock plus the configured lifetime", async (t) => {
    const short = await harness({ tokenLifetimeSeconds: 120 });
    const res = await short.post("/sts/v1.0/issueToken", key(westusKeys[0]));
    const { payload } = await short.verify(await res.text());
    t.equal(payload.exp, startSeconds + 120);
  });
});

t.test("tokens asked for in the same second are identical; a new second gives a new exp", async (t) => {
  const h = await harness();
  const issue = async (k: string, headers: Record<string, string> = {}) =>
    (await h.post("/sts/v1.0/issueToken", { ...key(k), ...headers })).text();
  const first = await issue(westusKeys[0]);
  t.equal(await issue(westusKeys[0]), first, "same request, same second");
  t.equal(await issue(westusKeys[1]), first, "the other key of the same resource, same second");
  h.clock.tick(700); // still inside the same whole second
  t.equal(await issue(westusKeys[0]), first, "later in the same second");

  const eastus = await issue(eastusKeys[0], { Host: "eastus.localhost" });
  t.not(eastus, first, "another resource in the same second gets its own token");
  t.equal((await h.verify(eastus, "eastus")).payload["subscription-id"], "5eec4d0c000000000000000000000002");

  h.clock.tick(100); // crosses into the next second
  const next = await issue(westusKeys[0]);
  t.not(next, first);
  t.equal((await h.verify(first)).payload.exp, startSeconds + 600);
  t.equal((await h.verify(next)).payload.exp, startSeconds + 601);
});

t.test("two subscription keys, even two valid ones, are refused as an invalid key: sts.key_ambiguous", async (t) => {
  const { post, events } = await harness();
  // Repeated headers reach the app joined by ", ", on both runtimes.
  const res = await post(undefined, key(`${westusKeys[0]}, ${westusKeys[1]}`));
  t.equal(res.status, 401);
  t.equal(await res.text(), invalidKeyBody);
  t.match(stsEvents(events).at(-1), { status: 401, reason: "sts.key_ambiguous" });
});

t.test("the path is matched without regard to case", async (t) => {
  const h = await harness();
  for (const path of ["/sts/v1.0/issueToken", "/sts/v1.0/issuetoken", "/STS/V1.0/ISSUETOKEN"]) {
    const res = await h.post(path, key(westusKeys[0]));
    t.equal(res.status, 200, path);
    t.ok((await h.verify(await res.text())).payload, path);
  }
  const unknown = await h.post("/sts/v1.0/issueTokens", key(westusKeys[0]));
  t.equal(unknown.status, 404);
  t.equal(await unknown.text(), notFoundBody);
});

t.test("the region comes from the Host header's first label", async (t) => {
  const h = await harness();

  t.test("an eastus key at eastus.localhost gets an eastus token", async (t) => {
    const res = await h.post("/sts/v1.0/issueToken", { ...key(eastusKeys[0]), Host: "eastus.localhost" });
    t.equal(res.status, 200);
    t.equal((await h.verify(await res.text(), "eastus")).payload.aud, "urn:ms.speechservices.eastus");
  });

  t.test("a westus key at eastus.localhost is refused as a wrong region", async (t) => {
    h.events.length = 0;
    const res = await h.post("/sts/v1.0/issueToken", { ...key(westusKeys[0]), Host: "eastus.localhost:8410" });
    t.equal(res.status, 401);
    t.equal(await res.text(), invalidKeyBody);
    t.match(stsEvents(h.events), [{ region: "eastus", status: 401, reason: "sts.wrong_region", resource: "speechmock-westus" }]);
  });

  t.test("a Host that names no region addresses the default region", async (t) => {
    for (const host of ["localhost", "127.0.0.1:8410", "notaregion.localhost"]) {
      t.equal((await h.post("/sts/v1.0/issueToken", { ...key(westusKeys[0]), Host: host })).status, 200, host);
      t.equal((await h.post("/sts/v1.0/issueToken", { ...key(eastusKeys[0]), Host: host })).status, 401, host);
    }
  });
});

t.test("a key in the query string", async (t) => {
  const path = `/sts/v1.0/issueToken?subscription-key=${westusKeys[0]}`;

  t.test("is refused by default, with its own reason", async (t) => {
    const h = await harness();
    const res = await h.post(path);
    t.equal(res.status, 401);
    t.equal(await res.text(), invalidKeyBody);
    t.match(stsEvents(h.events), [{ status: 401, reason: "sts.key_in_query_disabled" }]);
  });

  t.test("is accepted when stsKeyInQuery is on", async (t) => {
    const h = await harness({ stsKeyInQuery: true });
    const res = await h.post(path);
    t.equal(res.status, 200);
    t.equal((await h.verify(await res.text())).payload.region, "westus");
    t.match(stsEvents(h.events), [{ status: 200, reason: "sts.issued", keySource: "query" }]);
  });

  t.test("still goes through every rule when accepted", async (t) => {
    const h = await harness({ stsKeyInQuery: true });
    const res = await h.post(`/sts/v1.0/issueToken?subscription-key=${unknownKey}`);
    t.equal(res.status, 401);
    t.match(stsEvents(h.events), [{ status: 401, reason: "sts.key_unknown", keySource: "query" }]);
  });
});

t.test("each refusal answers with its exact body over HTTP", async (t) => {
  const h = await harness();
  const cases = [
    { headers: {}, status: 401, body: invalidKeyBody, reason: "sts.key_missing" },
    { headers: key(unknownKey), status: 401, body: invalidKeyBody, reason: "sts.key_unknown" },
    { headers: key(disabledKey), status: 403, body: resourceDisabledBody, reason: "sts.resource_disabled" },
    { headers: key(quotaKey), status: 403, body: quotaExceededBody("0.07:12:30"), reason: "sts.quota_exceeded" },
  ];
  for (const c of cases) {
    h.events.length = 0;
    const res = await h.post("/sts/v1.0/issueToken", c.headers);
    t.equal(res.status, c.status, c.reason);
    t.equal(res.headers.get("content-type"), "application/json; charset=utf-8", c.reason);
    t.equal(await res.text(), c.body, c.reason);
    t.match(stsEvents(h.events), [{ status: c.status, reason: c.reason }], c.reason);
  }
});

t.test("log events show a key only as a prefix and its length", async (t) => {
  const h = await harness();
  await h.post("/sts/v1.0/issueToken", key(westusKeys[0]));
  const [event] = stsEvents(h.events);
  t.match(event, { method: "POST", path: "/sts/v1.0/issueToken", region: "westus", status: 200, keySource: "header" });
  t.equal(event?.key, "7e57c0…(32)");
  t.notMatch(JSON.stringify(h.events), westusKeys[0]);
});

t.test("an error inside the handler answers 500 with a JSON body and is logged", async (t) => {
  const h = await harness();
  h.ctx.signer.sign = () => Promise.reject(new Error("signing exploded"));
  const res = await h.post("/sts/v1.0/issueToken", key(westusKeys[0]));
  t.equal(res.status, 500);
  t.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  t.same(await res.json(), { error: { code: "500", message: "Internal error in speechmock" } });
  t.match(h.events.at(-1), { type: "error", message: /signing exploded/ });
});
