/**
 * The auth gate's one decision, without a server: a registry, signing keys and a manual clock are
 * all it reads. The APIs' own tests (token service, handshake, REST) check how each answers it.
 */
import t from "tap";
import { epochSeconds, ManualClock } from "../clock.ts";
import type { NoticeCode } from "../journal.ts";
import { speechClaims } from "../jwt/claims.ts";
import { createSigningKeys } from "../jwt/keys.ts";
import { TokenSigner } from "../jwt/sign.ts";
import { authRefusals, handshakeReasons, restReasons } from "../reasons.ts";
import { builtinResources } from "../subscriptions/builtin.ts";
import { ResourceRegistry } from "../subscriptions/registry.ts";
import { type AuthDecision, type AuthNotice, authorize, authorizeKey, type GateDeps, type GatePolicy } from "./authorize.ts";
import { type Credential, readCredential, restCredentials, stsCredentials, websocketCredentials } from "./credentials.ts";

// The built-in development resources (fixtures/subscriptions.json).
const westusKey = "7e57c0de5eec4d0c0000000000000001";
const eastusKey = "7e57c0de5eec4d0c0000000000000003";
const disabledKey = "7e57c0de5eec4d0c0000000000000005";
const quotaKey = "7e57c0de5eec4d0c0000000000000007";
const unknownKey = "0123456789abcdef0123456789abcdef";

/** 2025-04-21T12:09:40.250Z. */
const start = 1_745_237_380_250;

const rest: GatePolicy = { overQuota: "refuse", sources: restCredentials.sources };
const socket: GatePolicy = { overQuota: "accept", sources: websocketCredentials.sources };

async function harness() {
  const clock = new ManualClock(start);
  const resources = new ResourceRegistry(builtinResources(), ["westus"]);
  const keys = await createSigningKeys();
  const signer = new TokenSigner(keys);
  const deps: GateDeps = { resources, keys, clock };
  const token = (name = "speechmock-westus", region?: string, lifetime = 600) => {
    const r = resources.byName(name);
    if (!r) throw new Error(`No built-in resource ${name}`);
    return signer.signFresh(speechClaims(r, region ?? r.region, epochSeconds(clock) + lifetime));
  };
  const key = (raw: string): Credential => ({ kind: "key", source: "header", raw });
  const auth = (raw: string): Credential => ({ kind: "token", source: "header", raw });
  return { clock, resources, deps, token, key, auth };
}

const refusal = (d: AuthDecision) => (d.ok ? "accepted" : d.reason);

t.test("keys", async (t) => {
  const h = await harness();

  t.test("a key of an enabled resource in its region is accepted as that resource, with no notice", async (t) => {
    const d = await authorize(h.key(westusKey), "westus", h.deps, rest);
    t.match(d, { ok: true, kind: "key", resource: { name: "speechmock-westus" } });
    t.same(d.ok && d.notices, []);
  });

  t.test("a key is trimmed; an empty or blank one is auth.empty", async (t) => {
    t.equal(refusal(await authorize(h.key(` ${westusKey} `), "westus", h.deps, rest)), "accepted");
    t.equal(refusal(await authorize(h.key(""), "westus", h.deps, rest)), "auth.empty");
    t.equal(refusal(await authorize(h.key("   "), "westus", h.deps, rest)), "auth.empty");
  });

  t.test("authorizeKey takes the key exactly as given (the token service does not trim)", async (t) => {
    t.equal(refusal(authorizeKey(` ${westusKey}`, "westus", h.deps, rest)), "auth.key_unknown");
    t.equal(refusal(authorizeKey(westusKey.toUpperCase(), "westus", h.deps, rest)), "auth.key_unknown");
  });

  t.test("an unknown key, a key of another region, a disabled resource", async (t) => {
    t.match(await authorize(h.key(unknownKey), "westus", h.deps, rest), { ok: false, reason: "auth.key_unknown", detail: /no resource/ });
    t.match(await authorize(h.key(eastusKey), "westus", h.deps, rest), {
      ok: false,
      reason: "auth.wrong_region",
      detail: 'The key\'s resource is in "eastus", the endpoint is in "westus"',
      resource: { name: "speechmock-eastus-free" },
    });
    t.match(await authorize(h.key(disabledKey), "westus", h.deps, rest), {
      ok: false,
      reason: "auth.resource_disabled",
      resource: { name: "speechmock-disabled" },
    });
  });

  t.test("the region is checked before the resource's state", async (t) => {
    t.equal(refusal(await authorize(h.key(disabledKey), "eastus", h.deps, rest)), "auth.wrong_region");
    t.equal(refusal(await authorize(h.key(quotaKey), "eastus", h.deps, rest)), "auth.wrong_region");
  });

  t.test("a resource out of quota is refused or accepted as the policy says", async (t) => {
    t.match(await authorize(h.key(quotaKey), "westus", h.deps, rest), { ok: false, reason: "auth.quota_exceeded" });
    t.match(await authorize(h.key(quotaKey), "westus", h.deps, socket), { ok: true, resource: { name: "speechmock-quota" } });
  });

  t.test("the registry is read at each decision: a disabled resource is refused at once", async (t) => {
    h.resources.setState("speechmock-westus", "disabled");
    t.equal(refusal(await authorize(h.key(westusKey), "westus", h.deps, rest)), "auth.resource_disabled");
    h.resources.setState("speechmock-westus", "enabled");
    t.equal(refusal(await authorize(h.key(westusKey), "westus", h.deps, rest)), "accepted");
  });
});

t.test("tokens", async (t) => {
  const h = await harness();

  t.test("Bearer in any case is accepted without a notice; a bare token with auth.bare_token", async (t) => {
    const token = await h.token();
    for (const value of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token} `]) {
      const d = await authorize(h.auth(value), "westus", h.deps, rest);
      t.match(d, { ok: true, kind: "token", resource: { name: "speechmock-westus" } }, value.slice(0, 8));
      t.same(d.ok && d.notices, [], value.slice(0, 8));
    }
    const bare = await authorize(h.auth(token), "westus", h.deps, rest);
    t.same(bare.ok && bare.notices, ["auth.bare_token"]);
    // Every notice the gate gives is a journal notice code.
    const asJournal: NoticeCode[] = bare.ok ? [...bare.notices] : [];
    t.same(asJournal, ["auth.bare_token"] satisfies AuthNotice[]);
  });

  t.test("scheme and shape problems have their own reasons", async (t) => {
    t.equal(refusal(await authorize(h.auth(""), "westus", h.deps, rest)), "auth.empty");
    t.equal(refusal(await authorize(h.auth("Bearer "), "westus", h.deps, rest)), "auth.empty");
    t.equal(refusal(await authorize(h.auth("Basic abc"), "westus", h.deps, rest)), "auth.scheme_invalid");
    t.equal(refusal(await authorize(h.auth("Bearer x.y"), "westus", h.deps, rest)), "auth.token_malformed");
  });

  t.test("expiry is judged by the clock the gate is given", async (t) => {
    const token = await h.token("speechmock-westus", undefined, 60);
    t.equal(refusal(await authorize(h.auth(`Bearer ${token}`), "westus", h.deps, rest)), "accepted");
    h.clock.tick(61_000);
    t.match(await authorize(h.auth(`Bearer ${token}`), "westus", h.deps, rest), {
      ok: false,
      reason: "auth.token_expired",
      detail: /expired at/,
    });
  });

  t.test("a token for another region, or of a resource since removed, is refused", async (t) => {
    const eastus = await h.token("speechmock-eastus-free");
    t.match(await authorize(h.auth(`Bearer ${eastus}`), "westus", h.deps, rest), {
      ok: false,
      reason: "auth.wrong_region",
      detail: 'The token is for "eastus", the endpoint is in "westus"',
    });
    const removed = h.resources.remove("speechmock-eastus-free");
    t.equal(refusal(await authorize(h.auth(`Bearer ${eastus}`), "eastus", h.deps, rest)), "auth.token_revoked");
    if (removed) h.resources.add(removed);
  });

  t.test("a token of a disabled resource is refused; one out of quota as the policy says", async (t) => {
    t.equal(
      refusal(await authorize(h.auth(`Bearer ${await h.token("speechmock-disabled")}`), "westus", h.deps, rest)),
      "auth.resource_disabled",
    );
    const quota = `Bearer ${await h.token("speechmock-quota")}`;
    t.equal(refusal(await authorize(h.auth(quota), "westus", h.deps, rest)), "auth.quota_exceeded");
    t.equal(refusal(await authorize(h.auth(quota), "westus", h.deps, socket)), "accepted");
  });
});

t.test("no credential", async (t) => {
  const h = await harness();

  t.test("is auth.missing, naming the places the API reads", async (t) => {
    t.match(await authorize({ kind: "none" }, "westus", h.deps, socket), {
      ok: false,
      reason: "auth.missing",
      detail: "Expected an Authorization or Ocp-Apim-Subscription-Key header or query parameter",
    });
    t.match(await authorize({ kind: "none" }, "westus", h.deps, rest), {
      reason: "auth.missing",
      detail: "Expected an Authorization or Ocp-Apim-Subscription-Key header",
    });
  });

  t.test("says so when a credential was in the query string of a header-only API", async (t) => {
    const credential = readCredential(
      new Headers(),
      new URL(`http://h/p?language=en-US&Ocp-Apim-Subscription-Key=${westusKey}`),
      restCredentials,
    );
    t.same(credential, { kind: "none", ignored: "query" });
    t.match(await authorize(credential, "westus", h.deps, rest), {
      ok: false,
      reason: "auth.missing",
      ignored: "query",
      detail: /credentials in the query string are not accepted here/,
    });
  });
});

t.test("credential policies", async (t) => {
  const url = (query: string) => new URL(`http://h/p?${query}`);

  t.test("REST reads headers only, a token before a key", async (t) => {
    const headers = new Headers({ Authorization: "Bearer h", "Ocp-Apim-Subscription-Key": "k" });
    t.same(readCredential(headers, url(""), restCredentials), { kind: "token", source: "header", raw: "Bearer h" });
    t.same(readCredential(new Headers({ "Ocp-Apim-Subscription-Key": "k" }), url("Authorization=x"), restCredentials), {
      kind: "key",
      source: "header",
      raw: "k",
    });
    t.same(readCredential(new Headers(), url("authorization=Bearer%20q"), restCredentials), { kind: "none", ignored: "query" });
    t.same(readCredential(new Headers(), url("language=en-US"), restCredentials), { kind: "none" });
  });

  t.test("the token service reads a key, in ?subscription-key= only when allowed, and never a token", async (t) => {
    t.same(readCredential(new Headers({ Authorization: "Bearer h" }), url(""), stsCredentials(true)), { kind: "none" });
    t.same(readCredential(new Headers(), url("subscription-key=k"), stsCredentials(true)), { kind: "key", source: "query", raw: "k" });
    t.same(readCredential(new Headers(), url("Subscription-Key=k"), stsCredentials(false)), { kind: "none", ignored: "query" });
    t.same(readCredential(new Headers({ "Ocp-Apim-Subscription-Key": "h" }), url("subscription-key=q"), stsCredentials(false)), {
      kind: "key",
      source: "header",
      raw: "h",
    });
  });
});

t.test("reason lists", async (t) => {
  t.test("every gate refusal is a handshake reason, reported by the WebSocket as it is", async (t) => {
    t.same(
      authRefusals.filter((r) => !(handshakeReasons as readonly string[]).includes(r)),
      [],
    );
  });
  t.test("every gate refusal is a REST reason", async (t) => {
    t.same(
      authRefusals.filter((r) => !(restReasons as readonly string[]).includes(r)),
      [],
    );
  });
});
