/** The auth gate as Hono middleware, on a bare app through `app.request`: no server, no mock. */
import { Hono } from "hono";
import t from "tap";
import { ManualClock } from "../clock.ts";
import { createSigningKeys } from "../jwt/keys.ts";
import { regionOfHost } from "../regions.ts";
import { invalidKeyBody, quotaExceededBody, resourceDisabledBody } from "../sts/bodies.ts";
import { builtinResources } from "../subscriptions/builtin.ts";
import { ResourceRegistry } from "../subscriptions/registry.ts";
import { restCredentials, websocketCredentials } from "./credentials.ts";
import { authGate, type GateEnv, missingCredentialBody } from "./middleware.ts";

const westusKey = "7e57c0de5eec4d0c0000000000000001";
const eastusKey = "7e57c0de5eec4d0c0000000000000003";
const disabledKey = "7e57c0de5eec4d0c0000000000000005";
const quotaKey = "7e57c0de5eec4d0c0000000000000007";

async function appWith(options: Partial<Parameters<typeof authGate>[0]> = {}) {
  const resources = new ResourceRegistry(builtinResources(), ["westus"]);
  const deps = { resources, keys: await createSigningKeys(), clock: new ManualClock(1_745_237_380_250) };
  const app = new Hono<GateEnv>();
  const regionOf = (host: string | undefined) => regionOfHost(host, "westus", resources.knownRegions);
  app.post("/api", authGate({ deps, credentials: restCredentials, regionOf, ...options }), (c) => {
    const { decision, region, credential } = c.get("gate");
    return c.json({
      ok: decision.ok,
      resource: decision.ok ? decision.resource.name : undefined,
      region,
      source: "source" in credential ? credential.source : undefined,
    });
  });
  return (headers: Record<string, string> = {}, query = "") => app.request(`/api${query}`, { method: "POST", headers });
}

t.test("an accepted request reaches the handler with the decision in the context", async (t) => {
  const post = await appWith();
  const res = await post({ "Ocp-Apim-Subscription-Key": westusKey });
  t.equal(res.status, 200);
  t.same(await res.json(), { ok: true, resource: "speechmock-westus", region: "westus", source: "header" });
});

t.test("a refused request gets Azure's status and body, and the handler never runs", async (t) => {
  const post = await appWith();
  const cases: [Record<string, string>, string, number, string][] = [
    [{}, "", 403, missingCredentialBody],
    [{}, `?Ocp-Apim-Subscription-Key=${westusKey}`, 403, missingCredentialBody],
    [{ "Ocp-Apim-Subscription-Key": "nope-nope-nope-nope" }, "", 401, invalidKeyBody],
    [{ "Ocp-Apim-Subscription-Key": eastusKey }, "", 401, invalidKeyBody],
    [{ Authorization: "Bearer x.y" }, "", 401, invalidKeyBody],
    [{ "Ocp-Apim-Subscription-Key": disabledKey }, "", 403, resourceDisabledBody],
    [{ "Ocp-Apim-Subscription-Key": quotaKey }, "", 403, quotaExceededBody("0.07:12:30")],
  ];
  for (const [headers, query, status, body] of cases) {
    const res = await post(headers, query);
    t.equal(res.status, status, `${JSON.stringify(headers)}${query}`);
    t.equal(await res.text(), body, `${JSON.stringify(headers)}${query}`);
  }
});

t.test("the region comes from the Host header", async (t) => {
  const post = await appWith();
  t.equal((await post({ "Ocp-Apim-Subscription-Key": eastusKey, Host: "eastus.localhost" })).status, 200);
});

t.test("options: query credentials, quota, and the refusal's answer", async (t) => {
  t.test("a WebSocket-style policy reads the query string", async (t) => {
    const post = await appWith({ credentials: websocketCredentials });
    const res = await post({}, `?Ocp-Apim-Subscription-Key=${westusKey}`);
    t.same(await res.json(), { ok: true, resource: "speechmock-westus", region: "westus", source: "query" });
  });

  t.test("overQuota: accept lets a resource out of quota through", async (t) => {
    const post = await appWith({ overQuota: "accept" });
    t.equal((await post({ "Ocp-Apim-Subscription-Key": quotaKey })).status, 200);
  });

  t.test("onRefused answers instead, with the decision in the context", async (t) => {
    const post = await appWith({
      onRefused: (c, refusal) => c.json({ reason: refusal.reason, region: c.get("gate").region }, 418),
    });
    const res = await post({ Authorization: "Basic abc" });
    t.equal(res.status, 418);
    t.same(await res.json(), { reason: "auth.scheme_invalid", region: "westus" });
  });
});
