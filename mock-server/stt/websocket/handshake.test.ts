import { generateKeyPair, SignJWT } from "jose";
import t from "tap";
import { epochSeconds, ManualClock } from "../../clock.ts";
import { createContext, type MockContext } from "../../context.ts";
import { speechClaims } from "../../jwt/claims.ts";
import { createSigningKeys } from "../../jwt/keys.ts";
import { TokenSigner } from "../../jwt/sign.ts";
import { type AuthFailureStyle, type QuotaExceededStyle, resolveOptions } from "../../options.ts";
import { type HandshakeReason, handshakeReasons } from "../../reasons.ts";
import type { Resource } from "../../subscriptions/resource.ts";
import { speechPaths } from "../endpoints.ts";
import { decideHandshake, type HandshakeDecision } from "./handshake.ts";

// The built-in development resources (fixtures/subscriptions.json).
const westusKey = "7e57c0de5eec4d0c0000000000000001";
const westusSecondaryKey = "7e57c0de5eec4d0c0000000000000002";
const eastusKey = "7e57c0de5eec4d0c0000000000000003";
const disabledKey = "7e57c0de5eec4d0c0000000000000005";
const quotaKey = "7e57c0de5eec4d0c0000000000000007";
const unknownKey = "0123456789abcdef0123456789abcdef";

/** 2025-04-21T12:09:40.250Z. */
const start = 1_745_237_380_250;
const connectionId = "0123456789ABCDEF0123456789ABCDEF";
const interactive = "/speech/recognition/interactive/cognitiveservices/v1";

interface RequestParts {
  path?: string;
  /** Query string without `?`; `language=en-US` unless given. */
  query?: string;
  headers?: Record<string, string>;
  host?: string;
  websocket?: boolean;
  connectionId?: string | null;
  /** GET unless given. */
  method?: string;
  /** The request line's version as the runtime saw it; unknown (as on Deno) unless given. */
  httpVersion?: string;
}

/** A WebSocket upgrade request as a client sends it, with a valid connection id and language unless told otherwise. */
function request(parts: RequestParts = {}): Request {
  const host = parts.host ?? "127.0.0.1:8410";
  const headers: Record<string, string> = { host };
  if (parts.websocket !== false)
    Object.assign(headers, {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    });
  const id = parts.connectionId === undefined ? connectionId : parts.connectionId;
  if (id !== null) headers["X-ConnectionId"] = id;
  Object.assign(headers, parts.headers);
  const url = `http://${host}${parts.path ?? interactive}?${parts.query ?? "language=en-US"}`;
  return new Request(url, { headers, ...(parts.method ? { method: parts.method } : {}) });
}

const key = (k: string) => ({ "Ocp-Apim-Subscription-Key": k });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Harness {
  ctx: MockContext;
  clock: ManualClock;
  resource(name: string): Resource;
  /** A token as the token service would issue it now. */
  token(resourceName?: string, region?: string, lifetime?: number): Promise<string>;
  decide(parts?: RequestParts): Promise<HandshakeDecision>;
}

async function harness(authFailureStyle: AuthFailureStyle = "legacy", quotaExceeded: QuotaExceededStyle = "refuse"): Promise<Harness> {
  const clock = new ManualClock(start);
  const ctx = await createContext(resolveOptions({ clock, authFailureStyle, quotaExceeded }));
  const resource = (name: string) => {
    const r = ctx.resources.byName(name);
    if (!r) throw new Error(`No built-in resource ${name}`);
    return r;
  };
  return {
    ctx,
    clock,
    resource,
    token: (name = "speechmock-westus", region, lifetime = 600) => {
      const r = resource(name);
      return ctx.signer.signFresh(speechClaims(r, region ?? r.region, epochSeconds(clock) + lifetime));
    },
    decide: (parts) =>
      decideHandshake(request(parts), ctx, "interactive", parts?.httpVersion === undefined ? {} : { httpVersion: parts.httpVersion }),
  };
}

/** Every reason a test below saw, to prove each code in `handshakeReasons` is reachable. */
const seen = new Set<HandshakeReason>();

/** A tap test object, as its subtest callbacks receive it. */
type Assert = Parameters<Parameters<typeof t.test>[0]>[0];

function expectDecision(t: Assert, decision: HandshakeDecision, status: number, reason: HandshakeReason): void {
  seen.add(decision.reason);
  t.equal(decision.reason, reason, "reason");
  t.equal(decision.status, status, "status");
  t.equal(decision.accept, status === 101, "accept");
}

t.test("decideHandshake (legacy failure style)", async (t) => {
  const h = await harness();

  t.test("a valid key in the header is accepted as that key's resource", async (t) => {
    const d = await h.decide({ headers: key(westusKey) });
    expectDecision(t, d, 101, "handshake.accepted_key");
    t.match(d, { connectionId, credential: { kind: "key", source: "header" }, resource: { name: "speechmock-westus" } });
  });

  t.test("the secondary key is as good as the primary", async (t) => {
    expectDecision(t, await h.decide({ headers: key(westusSecondaryKey) }), 101, "handshake.accepted_key");
  });

  t.test("a valid key in the query string is accepted", async (t) => {
    const d = await h.decide({ query: `language=en-US&Ocp-Apim-Subscription-Key=${westusKey}` });
    expectDecision(t, d, 101, "handshake.accepted_key");
    t.match(d.credential, { kind: "key", source: "query" });
  });

  t.test("a valid token is accepted as Bearer, bearer, BEARER or bare", async (t) => {
    const token = await h.token();
    for (const value of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, token]) {
      const d = await h.decide({ headers: { Authorization: value } });
      expectDecision(t, d, 101, "handshake.accepted_token");
      t.match(d, { credential: { kind: "token", source: "header" }, resource: { name: "speechmock-westus" } });
    }
  });

  t.test("a valid token in the query string, as the JS SDK sends it, is accepted", async (t) => {
    const token = await h.token();
    const d = await h.decide({
      query: `language=en-US&Authorization=${encodeURIComponent(`Bearer ${token}`)}&X-ConnectionId=${connectionId}`,
      connectionId: null,
    });
    expectDecision(t, d, 101, "handshake.accepted_token");
    t.match(d, { credential: { kind: "token", source: "query" }, connectionId });
  });

  t.test("every speech path accepts a valid key", async (t) => {
    for (const { path } of speechPaths) {
      expectDecision(t, await h.decide({ path, headers: key(westusKey) }), 101, "handshake.accepted_key");
    }
  });

  t.test("an eastus key and an eastus token are accepted at an eastus host", async (t) => {
    const host = "eastus.localhost:8410";
    const byKey = await h.decide({ host, headers: key(eastusKey) });
    expectDecision(t, byKey, 101, "handshake.accepted_key");
    t.match(byKey, { resource: { name: "speechmock-eastus-free" } });
    expectDecision(t, await h.decide({ host, headers: bearer(await h.token("speechmock-eastus-free")) }), 101, "handshake.accepted_token");
  });

  t.test("no credential at all is refused with 403 as auth.missing", async (t) => {
    const d = await h.decide();
    expectDecision(t, d, 403, "auth.missing");
    t.same(d.credential, { kind: "none" });
  });

  t.test("an empty credential is refused as auth.empty", async (t) => {
    for (const headers of [{ Authorization: "" }, { Authorization: "  " }, { Authorization: "Bearer " }, key(""), key(" ")]) {
      expectDecision(t, await h.decide({ headers }), 403, "auth.empty");
    }
    expectDecision(t, await h.decide({ query: "language=en-US&Authorization=" }), 403, "auth.empty");
    expectDecision(t, await h.decide({ query: "language=en-US&Ocp-Apim-Subscription-Key=" }), 403, "auth.empty");
  });

  t.test("an Authorization scheme other than Bearer is refused as auth.scheme_invalid", async (t) => {
    const token = await h.token();
    expectDecision(t, await h.decide({ headers: { Authorization: `Basic ${token}` } }), 403, "auth.scheme_invalid");
    expectDecision(t, await h.decide({ headers: { Authorization: `Bearer: ${token}` } }), 403, "auth.scheme_invalid");
  });

  t.test("a token that is not three base64url parts is refused as auth.token_malformed", async (t) => {
    expectDecision(t, await h.decide({ headers: bearer("abc.def") }), 403, "auth.token_malformed");
    expectDecision(t, await h.decide({ headers: bearer("a+b.c.d") }), 403, "auth.token_malformed");
  });

  t.test('an unsigned token (alg "none") is refused as auth.alg_not_allowed', async (t) => {
    const [, payload] = (await h.token()).split(".");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    expectDecision(t, await h.decide({ headers: bearer(`${header}.${payload}.`) }), 403, "auth.alg_not_allowed");
  });

  t.test("an HS256 token is refused as auth.alg_not_allowed", async (t) => {
    const r = h.resource("speechmock-westus");
    const token = await new SignJWT(speechClaims(r, "westus", epochSeconds(h.clock) + 600))
      .setProtectedHeader({ alg: "HS256", kid: "key1", typ: "JWT" })
      .sign(new TextEncoder().encode("any secret at all"));
    expectDecision(t, await h.decide({ headers: bearer(token) }), 403, "auth.alg_not_allowed");
  });

  t.test("a token with an unknown kid is refused as auth.kid_unknown", async (t) => {
    const other = new TokenSigner(await createSigningKeys("key2"));
    const token = await other.signFresh(speechClaims(h.resource("speechmock-westus"), "westus", epochSeconds(h.clock) + 600));
    expectDecision(t, await h.decide({ headers: bearer(token) }), 403, "auth.kid_unknown");
  });

  t.test("a token signed by another key under the mock's kid is refused as auth.signature_invalid", async (t) => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT(speechClaims(h.resource("speechmock-westus"), "westus", epochSeconds(h.clock) + 600))
      .setProtectedHeader({ alg: "ES256", kid: h.ctx.keys.kid, typ: "JWT" })
      .sign(privateKey);
    expectDecision(t, await h.decide({ headers: bearer(token) }), 403, "auth.signature_invalid");
  });

  t.test("an expired token is refused as auth.token_expired", async (t) => {
    const clock = new ManualClock(start);
    const ctx = await createContext(resolveOptions({ clock }));
    const token = await ctx.signer.signFresh(speechClaims(h.resource("speechmock-westus"), "westus", epochSeconds(clock) + 600));
    expectDecision(t, await decideHandshake(request({ headers: bearer(token) }), ctx), 101, "handshake.accepted_token");
    clock.tick(600_000);
    expectDecision(t, await decideHandshake(request({ headers: bearer(token) }), ctx), 403, "auth.token_expired");
  });

  t.test("a token from another issuer is refused as auth.issuer_invalid", async (t) => {
    const claims = speechClaims(h.resource("speechmock-westus"), "westus", epochSeconds(h.clock) + 600);
    const token = await h.ctx.signer.signFresh({ ...claims, iss: "urn:example" });
    expectDecision(t, await h.decide({ headers: bearer(token) }), 403, "auth.issuer_invalid");
  });

  t.test("an eastus token at the default (westus) endpoint is refused as auth.wrong_region", async (t) => {
    const token = await h.token("speechmock-eastus-free");
    expectDecision(t, await h.decide({ headers: bearer(token) }), 403, "auth.wrong_region");
    expectDecision(t, await h.decide({ host: "westus.localhost", headers: bearer(token) }), 403, "auth.wrong_region");
  });

  t.test("a westus resource's token minted for eastus is refused at westus as auth.wrong_region", async (t) => {
    expectDecision(t, await h.decide({ headers: bearer(await h.token("speechmock-westus", "eastus")) }), 403, "auth.wrong_region");
  });

  t.test("a westus key at an eastus host is refused as auth.wrong_region", async (t) => {
    expectDecision(t, await h.decide({ host: "eastus.localhost", headers: key(westusKey) }), 403, "auth.wrong_region");
  });

  t.test("an eastus key at the default endpoint is refused as auth.wrong_region", async (t) => {
    expectDecision(t, await h.decide({ headers: key(eastusKey) }), 403, "auth.wrong_region");
  });

  t.test("a validly signed token whose subscription no longer exists is refused as auth.token_revoked", async (t) => {
    const claims = speechClaims(h.resource("speechmock-westus"), "westus", epochSeconds(h.clock) + 600);
    const token = await h.ctx.signer.signFresh({ ...claims, "subscription-id": "ffffffffffffffffffffffffffffffff" });
    expectDecision(t, await h.decide({ headers: bearer(token) }), 403, "auth.token_revoked");
  });

  t.test("a key no resource has is refused as auth.key_unknown", async (t) => {
    expectDecision(t, await h.decide({ headers: key(unknownKey) }), 403, "auth.key_unknown");
    expectDecision(t, await h.decide({ headers: key(westusKey.toUpperCase()) }), 403, "auth.key_unknown");
  });

  t.test("a disabled resource's key and token are refused as auth.resource_disabled", async (t) => {
    expectDecision(t, await h.decide({ headers: key(disabledKey) }), 403, "auth.resource_disabled");
    expectDecision(t, await h.decide({ headers: bearer(await h.token("speechmock-disabled")) }), 403, "auth.resource_disabled");
  });

  t.test("with quotaExceeded refuse, an over-quota resource's key and token are refused as auth.quota_exceeded", async (t) => {
    expectDecision(t, await h.decide({ headers: key(quotaKey) }), 403, "auth.quota_exceeded");
    expectDecision(t, await h.decide({ headers: bearer(await h.token("speechmock-quota")) }), 403, "auth.quota_exceeded");
  });

  t.test("by default an over-quota resource's key and token are accepted: the session closes them with 1007", async (t) => {
    const closing = await harness("legacy", "close");
    expectDecision(t, await closing.decide({ headers: key(quotaKey) }), 101, "handshake.accepted_key");
    expectDecision(t, await closing.decide({ headers: bearer(await closing.token("speechmock-quota")) }), 101, "handshake.accepted_token");
  });

  t.test("a bad recognition parameter is refused with 400, naming the parameter, the value and what was expected", async (t) => {
    const cases: [string, RegExp][] = [
      ["language=en-US&format=verbose", /Invalid format "verbose": expected one of simple, detailed/],
      ["language=en-US&profanity=hidden", /Invalid profanity "hidden": expected one of masked, removed, raw/],
      ["language=en-US&initialSilenceTimeoutMs=abc", /Invalid initialSilenceTimeoutMs "abc": expected whole milliseconds from 1 to 60000/],
      [
        "language=en-US&segmentationSilenceTimeoutMs=50",
        /Invalid segmentationSilenceTimeoutMs "50": expected whole milliseconds from 100 to 5000/,
      ],
      ["language=en-US&endSilenceTimeoutMs=", /Invalid endSilenceTimeoutMs "": expected whole milliseconds/],
    ];
    for (const [query, detail] of cases) {
      const d = await h.decide({ headers: key(westusKey), query });
      expectDecision(t, d, 400, "request.parameter_invalid");
      t.match(d, { detail }, query);
    }
    const ok = await h.decide({
      headers: key(westusKey),
      query: "language=en-US&format=Detailed&profanity=raw&initialSilenceTimeoutMs=3000",
    });
    expectDecision(t, ok, 101, "handshake.accepted_key");
    t.match(ok, { settings: { format: "detailed", profanity: "raw", initialSilenceTimeoutMs: 3000 } });
  });

  t.test("a missing X-ConnectionId is refused with 400", async (t) => {
    expectDecision(t, await h.decide({ headers: key(westusKey), connectionId: null }), 400, "request.connection_id_missing");
    expectDecision(t, await h.decide({ headers: key(westusKey), connectionId: "" }), 400, "request.connection_id_missing");
    const d = await h.decide({ query: "language=en-US&X-ConnectionId=", headers: key(westusKey), connectionId: null });
    expectDecision(t, d, 400, "request.connection_id_missing");
  });

  t.test("an X-ConnectionId that is not 32 hex digits is refused with 400", async (t) => {
    const bad = [
      "01234567-89ab-cdef-0123-456789abcdef",
      "0123456789ABCDEF0123456789ABCDE",
      "0123456789ABCDEF0123456789ABCDEF0",
      "G".repeat(32),
    ];
    for (const id of bad) {
      const d = await h.decide({ headers: key(westusKey), connectionId: id });
      expectDecision(t, d, 400, "request.connection_id_invalid");
      t.equal(d.connectionId, id);
    }
    const inQuery = await h.decide({ query: "language=en-US&X-ConnectionId=nope", headers: key(westusKey), connectionId: null });
    expectDecision(t, inQuery, 400, "request.connection_id_invalid");
  });

  t.test("X-ConnectionId is accepted in lower case, and from the query in any name case", async (t) => {
    expectDecision(t, await h.decide({ headers: key(westusKey), connectionId: connectionId.toLowerCase() }), 101, "handshake.accepted_key");
    const d = await h.decide({ query: `language=en-US&x-connectionid=${connectionId}`, headers: key(westusKey), connectionId: null });
    expectDecision(t, d, 101, "handshake.accepted_key");
    t.equal(d.connectionId, connectionId);
  });

  t.test("a missing or empty language is refused with 400", async (t) => {
    expectDecision(t, await h.decide({ query: "", headers: key(westusKey) }), 400, "request.language_missing");
    expectDecision(t, await h.decide({ query: "language=", headers: key(westusKey) }), 400, "request.language_missing");
  });

  t.test("an unknown language is refused with 400", async (t) => {
    for (const language of ["xx-XX", "en", "klingon"]) {
      expectDecision(t, await h.decide({ query: `language=${language}`, headers: key(westusKey) }), 400, "request.language_unknown");
    }
  });

  t.test("a request that is not a WebSocket upgrade gets 426", async (t) => {
    expectDecision(t, await h.decide({ headers: key(westusKey), websocket: false }), 426, "request.not_websocket");
    const h2c = await h.decide({ headers: { ...key(westusKey), upgrade: "h2c", connection: "Upgrade" }, websocket: false });
    expectDecision(t, h2c, 426, "request.not_websocket");
  });

  t.test("an upgrade without a valid Sec-WebSocket-Key or version 13 gets 400", async (t) => {
    const bads: Record<string, string>[] = [
      { "sec-websocket-key": "short" },
      { "sec-websocket-version": "8" },
      { "sec-websocket-key": "" },
    ];
    for (const bad of bads) {
      expectDecision(t, await h.decide({ headers: { ...key(westusKey), ...bad } }), 400, "request.websocket_invalid");
    }
  });

  t.test("two Authorization values or two keys, in the headers or the query, are refused as auth.ambiguous", async (t) => {
    const token = await h.token();
    const cases: RequestParts[] = [
      // Repeated headers reach the decision joined by ", " on both runtimes.
      { headers: { Authorization: `Bearer ${token}, Bearer ${token}` } },
      { headers: { Authorization: `, Bearer ${token}` } },
      { headers: key(`${westusKey}, ${westusSecondaryKey}`) },
      { headers: { ...bearer(token), ...key(`${westusKey}, ${westusKey}`) } },
      { query: `language=en-US&Authorization=${encodeURIComponent(`Bearer ${token}`)}&authorization=x` },
      { query: `language=en-US&Ocp-Apim-Subscription-Key=${westusKey}&ocp-apim-subscription-key=${westusKey}` },
    ];
    for (const parts of cases) {
      const d = await h.decide(parts);
      expectDecision(t, d, 403, "auth.ambiguous");
      t.match(d, { detail: /^Expected one (Authorization|Ocp-Apim-Subscription-Key), got two or more/ });
    }
    // One in the header and one in the query is not ambiguous: the header wins, as documented.
    const both = await h.decide({ headers: key(westusKey), query: `language=en-US&Ocp-Apim-Subscription-Key=${unknownKey}` });
    expectDecision(t, both, 101, "handshake.accepted_key");
  });

  t.test("a WebSocket upgrade with a method other than GET gets 405", async (t) => {
    for (const method of ["HEAD", "POST", "PUT"]) {
      const d = await h.decide({ headers: key(westusKey), method });
      expectDecision(t, d, 405, "request.method_invalid");
      t.match(d, { detail: `Expected GET for a WebSocket upgrade, got ${method}` });
    }
    // Without Upgrade: websocket it is not an upgrade at all.
    expectDecision(t, await h.decide({ headers: key(westusKey), method: "HEAD", websocket: false }), 426, "request.not_websocket");
  });

  t.test("an upgrade in a request line of another version than HTTP/1.1 gets 400; an unknown version is not judged", async (t) => {
    for (const httpVersion of ["1.0", "0.9", "2.0"]) {
      const d = await h.decide({ headers: key(westusKey), httpVersion });
      expectDecision(t, d, 400, "request.http_version_invalid");
      t.match(d, { detail: `Expected an HTTP/1.1 request for a WebSocket upgrade, got HTTP/${httpVersion}` });
    }
    expectDecision(t, await h.decide({ headers: key(westusKey), httpVersion: "1.1" }), 101, "handshake.accepted_key");
    expectDecision(t, await h.decide({ headers: key(westusKey) }), 101, "handshake.accepted_key");
  });

  t.test("an upgrade whose Connection header does not list Upgrade gets 400", async (t) => {
    for (const connection of ["keep-alive", "close", "upgrader", ""]) {
      const d = await h.decide({ headers: { ...key(westusKey), connection } });
      expectDecision(t, d, 400, "request.connection_not_upgrade");
    }
    for (const connection of ["upgrade", "keep-alive, Upgrade", "Upgrade ,keep-alive", "UPGRADE"]) {
      expectDecision(t, await h.decide({ headers: { ...key(westusKey), connection } }), 101, "handshake.accepted_key");
    }
  });

  t.test("a Sec-WebSocket-Protocol that is not distinct comma-separated tokens gets 400", async (t) => {
    for (const protocol of ["a b", "", "a,", ",a", "a, a", "a;b", "a,,b", "é"]) {
      const d = await h.decide({ headers: { ...key(westusKey), "sec-websocket-protocol": protocol } });
      expectDecision(t, d, 400, "request.subprotocol_invalid");
    }
    for (const protocol of ["a", "a, b", "a,b", "chat.v1,\tsuperchat"]) {
      const d = await h.decide({ headers: { ...key(westusKey), "sec-websocket-protocol": protocol } });
      expectDecision(t, d, 101, "handshake.accepted_key");
    }
  });

  t.test("the RFC 6455 checks come in order: method, version, Connection, key and version, subprotocol", async (t) => {
    const all = { "sec-websocket-version": "8", connection: "keep-alive", "sec-websocket-protocol": "a b" };
    expectDecision(
      t,
      await h.decide({ headers: { ...key(westusKey), ...all }, method: "HEAD", httpVersion: "1.0" }),
      405,
      "request.method_invalid",
    );
    expectDecision(t, await h.decide({ headers: { ...key(westusKey), ...all }, httpVersion: "1.0" }), 400, "request.http_version_invalid");
    expectDecision(t, await h.decide({ headers: { ...key(westusKey), ...all } }), 400, "request.connection_not_upgrade");
    const { connection: _, ...rest } = all;
    expectDecision(t, await h.decide({ headers: { ...key(westusKey), ...rest } }), 400, "request.websocket_invalid");
    // And every one of them after the credentials.
    expectDecision(t, await h.decide({ headers: { ...all }, method: "HEAD", httpVersion: "1.0" }), 403, "auth.missing");
  });

  t.test("authorization is checked before the connection id, the language and the upgrade", async (t) => {
    const bare = { query: "", connectionId: null, websocket: false };
    expectDecision(t, await h.decide(bare), 403, "auth.missing");
    expectDecision(t, await h.decide({ ...bare, headers: key(unknownKey) }), 403, "auth.key_unknown");
    expectDecision(t, await h.decide({ ...bare, headers: bearer("x.y") }), 403, "auth.token_malformed");
    expectDecision(t, await h.decide({ query: "language=xx-XX", connectionId: "bad", headers: key(quotaKey) }), 403, "auth.quota_exceeded");
  });

  t.test("the connection id is checked before the language, and both before the upgrade", async (t) => {
    expectDecision(t, await h.decide({ query: "", connectionId: null, headers: key(westusKey) }), 400, "request.connection_id_missing");
    expectDecision(t, await h.decide({ query: "", connectionId: "bad", headers: key(westusKey) }), 400, "request.connection_id_invalid");
    expectDecision(t, await h.decide({ query: "", websocket: false, headers: key(westusKey) }), 400, "request.language_missing");
  });

  t.test("a refused authorization keeps the connection id the client sent, for the log", async (t) => {
    const d = await h.decide({ headers: key(unknownKey) });
    t.equal(d.connectionId, connectionId);
    t.match(d, { accept: false, detail: String, credential: { kind: "key", source: "header", raw: unknownKey } });
  });
});

t.test("decideHandshake (modern failure style)", async (t) => {
  const h = await harness("modern", "refuse");

  t.test("no credential at all is refused with 401", async (t) => {
    expectDecision(t, await h.decide(), 401, "auth.missing");
    expectDecision(t, await h.decide({ query: "", connectionId: null }), 401, "auth.missing");
  });

  t.test("every invalid credential is still refused with 403", async (t) => {
    const cases: [Record<string, string>, HandshakeReason][] = [
      [{ Authorization: "" }, "auth.empty"],
      [{ Authorization: "Basic x" }, "auth.scheme_invalid"],
      [bearer("x.y"), "auth.token_malformed"],
      [bearer(await h.token("speechmock-eastus-free")), "auth.wrong_region"],
      [key(unknownKey), "auth.key_unknown"],
      [key(disabledKey), "auth.resource_disabled"],
      [key(quotaKey), "auth.quota_exceeded"],
    ];
    for (const [headers, reason] of cases) expectDecision(t, await h.decide({ headers }), 403, reason);
  });

  t.test("request errors keep their 400 and 426, and valid credentials are accepted", async (t) => {
    expectDecision(t, await h.decide({ headers: key(westusKey), connectionId: null }), 400, "request.connection_id_missing");
    expectDecision(t, await h.decide({ headers: key(westusKey), query: "language=xx-XX" }), 400, "request.language_unknown");
    expectDecision(t, await h.decide({ headers: key(westusKey), websocket: false }), 426, "request.not_websocket");
    expectDecision(t, await h.decide({ headers: bearer(await h.token()) }), 101, "handshake.accepted_token");
  });
});

t.test("every handshake reason code is produced by at least one case above", async (t) => {
  t.same(
    [...handshakeReasons].filter((r) => !seen.has(r)),
    [],
    "reasons never produced",
  );
  t.same(
    [...seen].filter((r) => !(handshakeReasons as readonly string[]).includes(r)),
    [],
    "reasons outside handshakeReasons",
  );
});
