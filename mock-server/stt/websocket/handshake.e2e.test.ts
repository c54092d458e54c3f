/**
 * The speech WebSocket auth gate, black-box: the real `speechmock serve` under Node and under
 * Deno, real sockets, the `ws` client. Each accepted form opens (101); each refused form gets its
 * status and `X-Speechmock-Reason` header and never opens; the log line names the decision
 * without ever showing a whole key or token.
 */
import { randomUUID } from "node:crypto";
import { type IncomingHttpHeaders, request } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import t from "tap";
import WebSocket from "ws";
import { type ReadyLine, runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";

const interactive = "/speech/recognition/interactive/cognitiveservices/v1";
const allPaths = [
  "/speech/recognition/interactive/cognitiveservices/v1",
  "/speech/recognition/conversation/cognitiveservices/v1",
  "/speech/recognition/dictation/cognitiveservices/v1",
  "/stt/speech/universal/v2",
];
const reasonHeader = "x-speechmock-reason";
const unknownKey = "0123456789abcdef0123456789abcdef";

/** A fresh X-ConnectionId as the SDK sends it: 32 upper-case hex digits. Each attempt gets its own, to find its log line. */
const newConnectionId = () => randomUUID().replaceAll("-", "").toUpperCase();

/** A tap test object, as its subtest callbacks receive it. */
type Assert = Parameters<Parameters<typeof t.test>[0]>[0];

interface Attempt {
  path?: string;
  /** The whole query string, without `?`; `language=en-US` unless given. */
  query?: string;
  headers?: Record<string, string>;
}

type Outcome =
  | { opened: true; ws: WebSocket }
  | { opened: false; status: number; headers: IncomingHttpHeaders; body: string; openedLater: () => boolean; ws: WebSocket };

/** Opens a WebSocket and reports either the open socket or the refused handshake's response. */
function attempt(mock: SpawnedMock, a: Attempt): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${mock.ready.ws}${a.path ?? interactive}?${a.query ?? "language=en-US"}`, {
      headers: a.headers,
      handshakeTimeout: 10_000,
    });
    let opened = false;
    ws.on("upgrade", () => {
      opened = true;
    });
    ws.on("open", () => {
      opened = true;
      resolve({ opened: true, ws });
    });
    ws.on("error", reject);
    ws.on("unexpected-response", (req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("error", () => {});
      res.on("close", () => {
        req.destroy();
        resolve({ opened: false, status: res.statusCode ?? 0, headers: res.headers, body, openedLater: () => opened, ws });
      });
    });
  });
}

async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = new Promise((resolve) => ws.once("close", resolve));
  ws.close(1000, "test done");
  await closed;
}

/** The first handshake log line matching, that no earlier assertion already took. */
async function nextLog(mock: SpawnedMock, match: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = mock.logs.find((l) => l.event === "handshake" && !claimed.has(l) && match(l));
    if (line) {
      claimed.add(line);
      return line;
    }
    if (Date.now() > deadline) throw new Error(`No matching handshake log line; stderr:\n${mock.stderr()}`);
    await sleep(10);
  }
}
const claimed = new WeakSet<object>();

/** POSTs to the token service of the ready line (with a Host header when given) and returns the body. */
function issueToken(ready: ReadyLine, key: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(ready.sts, {
      method: "POST",
      headers: { "Ocp-Apim-Subscription-Key": key, "Content-Length": "0", ...(host ? { Host: host } : {}) },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end();
  });
}

async function tokenFor(t: Assert, ready: ReadyLine, key: string, host?: string): Promise<string> {
  const { status, body } = await issueToken(ready, key, host);
  t.equal(status, 200, "the token service issued a token");
  return body;
}

function keyOf(ready: ReadyLine, pick: (r: ReadyLine["resources"][number]) => boolean): string {
  const resource = ready.resources.find(pick);
  if (!resource) throw new Error("No such resource in the ready line");
  return resource.keys[0];
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

interface Expectation {
  reason: string;
  kind: "token" | "key" | "none";
  source?: "header" | "query";
  /** The secret that must never appear whole in the log. */
  secret?: string;
}

/** Asserts a refused handshake: status, reason header, JSON body, no open socket, and its log line. */
async function expectRefused(t: Assert, mock: SpawnedMock, a: Attempt, status: number, e: Expectation): Promise<void> {
  const outcome = await attempt(mock, a);
  if (outcome.opened) {
    await closeSocket(outcome.ws);
    t.fail(`the handshake was accepted; expected ${status} ${e.reason}`);
    return;
  }
  t.equal(outcome.status, status, "status");
  t.equal(outcome.headers[reasonHeader], e.reason, "X-Speechmock-Reason");
  await sleep(0);
  t.equal(outcome.openedLater(), false, "no open or upgrade event");
  t.not(outcome.ws.readyState, WebSocket.OPEN, "the socket is not open");
  t.match(JSON.parse(outcome.body), { error: { code: String(status), message: String, reason: e.reason } }, "JSON body");
  const connectionId = a.headers?.["X-ConnectionId"] ?? /X-ConnectionId=([^&]*)/i.exec(a.query ?? "")?.[1];
  const log = await nextLog(mock, (l) =>
    connectionId ? l.connectionId === connectionId : l.reason === e.reason && l.connectionId === undefined,
  );
  expectLog(t, log, { decision: "reject", status, ...e });
}

function expectLog(t: Assert, log: Record<string, unknown>, e: Expectation & { decision: string; status: number }): void {
  t.match(log, { event: "handshake", decision: e.decision, status: e.status, reason: e.reason, credential: { kind: e.kind } }, "log line");
  const credential = log.credential as { kind: string; source?: string; value?: string };
  if (e.kind === "none") return;
  t.equal(credential.source, e.source, "log: credential source");
  if (e.secret) {
    t.type(credential.value, "string", "log: a redacted credential value");
    t.notOk(credential.value?.includes(e.secret), "log: the whole secret is not in the log line");
    t.match(credential.value, new RegExp(`…\\(${e.secret.length}\\)$`), "log: prefix and length only");
  }
}

async function expectOpen(t: Assert, mock: SpawnedMock, a: Attempt, e: Expectation & { resource: string }): Promise<void> {
  const outcome = await attempt(mock, a);
  if (!outcome.opened) {
    t.fail(`refused with ${outcome.status} ${outcome.headers[reasonHeader]}; expected an open socket`);
    return;
  }
  t.equal(outcome.ws.readyState, WebSocket.OPEN, "the socket is open");
  const connectionId = a.headers?.["X-ConnectionId"] ?? /X-ConnectionId=([^&]*)/i.exec(a.query ?? "")?.[1];
  const log = await nextLog(mock, (l) => l.connectionId === connectionId);
  expectLog(t, log, { decision: "accept", status: 101, ...e });
  t.equal(log.resource, e.resource, "log: resource");
  await closeSocket(outcome.ws);
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const [mock, modern, shortLived] = await Promise.all([
      spawnMock(runtime),
      spawnMock(runtime, ["--auth-failure-style", "modern", "--quota-exceeded", "refuse"]),
      spawnMock(runtime, ["--token-lifetime", "1"]),
    ]);
    t.teardown(async () => {
      await Promise.all([mock.stop(), modern.stop(), shortLived.stop()]);
    });
    const { ready } = mock;
    const westusKey = keyOf(ready, (r) => r.region === "westus" && r.state === "enabled");
    const westusSecondary = ready.resources.find((r) => r.region === "westus" && r.state === "enabled")?.keys[1] ?? "";
    const eastusKey = keyOf(ready, (r) => r.region === "eastus" && r.state === "enabled");
    const disabledKey = keyOf(ready, (r) => r.state === "disabled");
    const quotaKey = keyOf(ready, (r) => r.state === "quotaExceeded");
    const westusName = ready.resources.find((r) => r.keys[0] === westusKey)?.name ?? "";
    const eastusName = ready.resources.find((r) => r.keys[0] === eastusKey)?.name ?? "";
    const token = await tokenFor(t, ready, westusKey);
    /** Every whole key and token sent: none may appear anywhere on stderr. */
    const secrets = new Set([westusKey, westusSecondary, eastusKey, disabledKey, quotaKey, unknownKey, token]);
    const id = newConnectionId;

    t.test("accepted forms open the socket", async (t) => {
      t.test("a key in the header", async (t) => {
        const a = { headers: { "Ocp-Apim-Subscription-Key": westusKey, "X-ConnectionId": id() } };
        await expectOpen(t, mock, a, {
          reason: "handshake.accepted_key",
          kind: "key",
          source: "header",
          secret: westusKey,
          resource: westusName,
        });
      });

      t.test("the secondary key in the header", async (t) => {
        const a = { headers: { "Ocp-Apim-Subscription-Key": westusSecondary, "X-ConnectionId": id() } };
        const e = {
          reason: "handshake.accepted_key",
          kind: "key",
          source: "header",
          secret: westusSecondary,
          resource: westusName,
        } as const;
        await expectOpen(t, mock, a, e);
      });

      t.test("a key in the query string", async (t) => {
        const a = { query: `language=en-US&Ocp-Apim-Subscription-Key=${westusKey}`, headers: { "X-ConnectionId": id() } };
        await expectOpen(t, mock, a, {
          reason: "handshake.accepted_key",
          kind: "key",
          source: "query",
          secret: westusKey,
          resource: westusName,
        });
      });

      t.test("Authorization: Bearer <a token from the token service>", async (t) => {
        const a = { headers: { Authorization: `Bearer ${token}`, "X-ConnectionId": id() } };
        await expectOpen(t, mock, a, {
          reason: "handshake.accepted_token",
          kind: "token",
          source: "header",
          secret: token,
          resource: westusName,
        });
      });

      t.test("Authorization: bearer <token> (lower case, SDK 1.19 to 1.31)", async (t) => {
        const a = { headers: { Authorization: `bearer ${token}`, "X-ConnectionId": id() } };
        await expectOpen(t, mock, a, {
          reason: "handshake.accepted_token",
          kind: "token",
          source: "header",
          secret: token,
          resource: westusName,
        });
      });

      t.test("Authorization: <bare token> (SDK up to 1.18)", async (t) => {
        const a = { headers: { Authorization: token, "X-ConnectionId": id() } };
        await expectOpen(t, mock, a, {
          reason: "handshake.accepted_token",
          kind: "token",
          source: "header",
          secret: token,
          resource: westusName,
        });
      });

      t.test("Authorization=Bearer%20<token> and X-ConnectionId in the query, as the JS SDK sends them", async (t) => {
        const a = { query: `language=en-US&format=simple&Authorization=${encodeURIComponent(`Bearer ${token}`)}&X-ConnectionId=${id()}` };
        t.match(a.query, /Authorization=Bearer%20eyJ/);
        await expectOpen(t, mock, a, {
          reason: "handshake.accepted_token",
          kind: "token",
          source: "query",
          secret: token,
          resource: westusName,
        });
      });

      t.test("an eastus token and an eastus key at an eastus host", async (t) => {
        const eastusToken = await tokenFor(t, ready, eastusKey, "eastus.localhost");
        secrets.add(eastusToken);
        const host = "eastus.localhost";
        const e = { kind: "token", source: "header", secret: eastusToken, resource: eastusName } as const;
        await expectOpen(
          t,
          mock,
          { headers: { Host: host, Authorization: `Bearer ${eastusToken}`, "X-ConnectionId": id() } },
          {
            ...e,
            reason: "handshake.accepted_token",
          },
        );
        const byKey = { headers: { Host: host, "Ocp-Apim-Subscription-Key": eastusKey, "X-ConnectionId": id() } };
        await expectOpen(t, mock, byKey, {
          reason: "handshake.accepted_key",
          kind: "key",
          source: "header",
          secret: eastusKey,
          resource: eastusName,
        });
      });

      for (const path of allPaths) {
        t.test(`the path ${path}`, async (t) => {
          const a = { path, headers: { "Ocp-Apim-Subscription-Key": westusKey, "X-ConnectionId": id() } };
          await expectOpen(t, mock, a, { reason: "handshake.accepted_key", kind: "key", source: "header", resource: westusName });
          const log = await mock.waitForLog((l) => l.connectionId === a.headers["X-ConnectionId"]);
          t.equal(log.path, path, "log: path");
        });
      }
    });

    t.test("refused credentials get 403 and never open", async (t) => {
      const refuse = (t: Assert, a: Attempt, e: Expectation) => expectRefused(t, mock, a, 403, e);
      const claims = decodeJwt(token);

      t.test("no credentials", async (t) => {
        const connectionId = id();
        const outcome = await attempt(mock, { headers: { "X-ConnectionId": connectionId } });
        t.equal(outcome.opened, false);
        if (!outcome.opened) {
          const detail = "Expected an Authorization or Ocp-Apim-Subscription-Key header or query parameter";
          t.equal(outcome.body, `{"error":{"code":"403","message":"${detail}","reason":"auth.missing"}}`, "the exact body");
        }
        t.match(await nextLog(mock, (l) => l.connectionId === connectionId), { reason: "auth.missing", status: 403 });
        await expectRefused(t, mock, { headers: { "X-ConnectionId": id() } }, 403, { reason: "auth.missing", kind: "none" });
      });

      t.test("an empty Authorization header, query value or key", async (t) => {
        await refuse(
          t,
          { headers: { Authorization: "", "X-ConnectionId": id() } },
          { reason: "auth.empty", kind: "token", source: "header" },
        );
        await refuse(
          t,
          { headers: { Authorization: "Bearer ", "X-ConnectionId": id() } },
          { reason: "auth.empty", kind: "token", source: "header" },
        );
        await refuse(
          t,
          { query: `language=en-US&Authorization=&X-ConnectionId=${id()}` },
          { reason: "auth.empty", kind: "token", source: "query" },
        );
        await refuse(
          t,
          { headers: { "Ocp-Apim-Subscription-Key": "", "X-ConnectionId": id() } },
          { reason: "auth.empty", kind: "key", source: "header" },
        );
      });

      t.test("a scheme other than Bearer", async (t) => {
        const a = { headers: { Authorization: `Basic ${token}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.scheme_invalid", kind: "token", source: "header", secret: token });
      });

      t.test("a token that is not three base64url parts", async (t) => {
        const twoParts = token.split(".").slice(0, 2).join(".");
        secrets.add(twoParts);
        await refuse(
          t,
          { headers: { Authorization: `Bearer ${twoParts}`, "X-ConnectionId": id() } },
          {
            reason: "auth.token_malformed",
            kind: "token",
            source: "header",
            secret: twoParts,
          },
        );
        await refuse(
          t,
          { headers: { Authorization: "Bearer a+b.c/d.e=", "X-ConnectionId": id() } },
          {
            reason: "auth.token_malformed",
            kind: "token",
            source: "header",
          },
        );
      });

      t.test('an unsigned token (alg "none")', async (t) => {
        const unsigned = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
        secrets.add(unsigned);
        const a = { headers: { Authorization: `Bearer ${unsigned}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.alg_not_allowed", kind: "token", source: "header", secret: unsigned });
      });

      t.test("an HS256 token", async (t) => {
        const hs256 = await new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256", kid: "key1", typ: "JWT" })
          .sign(new TextEncoder().encode("any secret will do"));
        secrets.add(hs256);
        const a = { headers: { Authorization: `Bearer ${hs256}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.alg_not_allowed", kind: "token", source: "header", secret: hs256 });
      });

      t.test("a token with an unknown kid", async (t) => {
        const { privateKey } = await generateKeyPair("ES256");
        const otherKid = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "key2", typ: "JWT" }).sign(privateKey);
        secrets.add(otherKid);
        const a = { headers: { Authorization: `Bearer ${otherKid}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.kid_unknown", kind: "token", source: "header", secret: otherKid });
      });

      t.test("a token signed by another key under the mock's kid", async (t) => {
        const { kid } = ready.jwks.keys[0] as { kid: string };
        const { privateKey } = await generateKeyPair("ES256");
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(privateKey);
        secrets.add(forged);
        const a = { headers: { Authorization: `Bearer ${forged}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.signature_invalid", kind: "token", source: "header", secret: forged });
      });

      t.test("a token whose payload was changed after signing", async (t) => {
        const [header, , signature] = token.split(".");
        const tampered = `${header}.${b64url({ ...claims, exp: Number(claims.exp) + 86_400 })}.${signature}`;
        secrets.add(tampered);
        const a = { query: `language=en-US&Authorization=${encodeURIComponent(`Bearer ${tampered}`)}&X-ConnectionId=${id()}` };
        await refuse(t, a, { reason: "auth.signature_invalid", kind: "token", source: "query", secret: tampered });
      });

      t.test("a token issued by another mock (another signing key)", async (t) => {
        const foreign = await tokenFor(t, modern.ready, westusKey);
        secrets.add(foreign);
        const a = { headers: { Authorization: `Bearer ${foreign}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.signature_invalid", kind: "token", source: "header", secret: foreign });
      });

      t.test("an expired token", async (t) => {
        const shortToken = await tokenFor(t, shortLived.ready, westusKey);
        secrets.add(shortToken);
        const exp = Number(decodeJwt(shortToken).exp);
        t.ok(exp * 1000 - Date.now() <= 1_000, "the token lives at most the configured second");
        // Wait until the token's exp has passed (at most a second), not a fixed time.
        await sleep(Math.max(0, exp * 1000 - Date.now()) + 250);
        const a = { headers: { Authorization: `Bearer ${shortToken}`, "X-ConnectionId": id() } };
        await expectRefused(t, shortLived, a, 403, { reason: "auth.token_expired", kind: "token", source: "header", secret: shortToken });
        t.equal(shortLived.child.exitCode, null, "the short-lifetime server still runs");
      });

      t.test("an eastus token at the default (westus) endpoint", async (t) => {
        const eastusToken = await tokenFor(t, ready, eastusKey, "eastus.localhost");
        secrets.add(eastusToken);
        const a = { headers: { Authorization: `Bearer ${eastusToken}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.wrong_region", kind: "token", source: "header", secret: eastusToken });
      });

      t.test("a westus key at an eastus host", async (t) => {
        const a = { headers: { Host: "eastus.localhost", "Ocp-Apim-Subscription-Key": westusKey, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.wrong_region", kind: "key", source: "header", secret: westusKey });
        const log = await mock.waitForLog((l) => l.connectionId === a.headers["X-ConnectionId"]);
        t.equal(log.region, "eastus", "log: the region comes from the Host header");
      });

      t.test("a westus token at an eastus host", async (t) => {
        const a = { headers: { Host: "eastus.localhost", Authorization: `Bearer ${token}`, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.wrong_region", kind: "token", source: "header", secret: token });
      });

      t.test("a disabled resource's key", async (t) => {
        const a = { headers: { "Ocp-Apim-Subscription-Key": disabledKey, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.resource_disabled", kind: "key", source: "header", secret: disabledKey });
      });

      t.test("an over-quota resource's key, with --quota-exceeded refuse", async (t) => {
        const a = { query: `language=en-US&Ocp-Apim-Subscription-Key=${quotaKey}`, headers: { "X-ConnectionId": id() } };
        await expectRefused(t, modern, a, 403, { reason: "auth.quota_exceeded", kind: "key", source: "query", secret: quotaKey });
      });

      t.test("a key no resource has", async (t) => {
        const a = { headers: { "Ocp-Apim-Subscription-Key": unknownKey, "X-ConnectionId": id() } };
        await refuse(t, a, { reason: "auth.key_unknown", kind: "key", source: "header", secret: unknownKey });
      });

      t.test("credentials are checked before the connection id and the language", async (t) => {
        await refuse(t, { query: "" }, { reason: "auth.missing", kind: "none" });
        await refuse(
          t,
          { query: "language=xx-XX", headers: { "Ocp-Apim-Subscription-Key": unknownKey, "X-ConnectionId": "nope" } },
          {
            reason: "auth.key_unknown",
            kind: "key",
            source: "header",
            secret: unknownKey,
          },
        );
      });
    });

    t.test("request errors get 400 once the credentials are valid", async (t) => {
      const key = { "Ocp-Apim-Subscription-Key": westusKey };
      const e = { kind: "key", source: "header", secret: westusKey } as const;

      t.test("a missing X-ConnectionId", async (t) => {
        await expectRefused(t, mock, { headers: key }, 400, { ...e, reason: "request.connection_id_missing" });
      });

      t.test("an X-ConnectionId that is not 32 hex digits, in the header or the query", async (t) => {
        const dashed = randomUUID();
        await expectRefused(t, mock, { headers: { ...key, "X-ConnectionId": dashed } }, 400, {
          ...e,
          reason: "request.connection_id_invalid",
        });
        const q = { query: "language=en-US&X-ConnectionId=xyz", headers: key };
        await expectRefused(t, mock, q, 400, { ...e, reason: "request.connection_id_invalid" });
      });

      t.test("a missing language", async (t) => {
        await expectRefused(t, mock, { query: "format=simple", headers: { ...key, "X-ConnectionId": id() } }, 400, {
          ...e,
          reason: "request.language_missing",
        });
      });

      t.test("an unknown language", async (t) => {
        await expectRefused(t, mock, { query: "language=xx-XX", headers: { ...key, "X-ConnectionId": id() } }, 400, {
          ...e,
          reason: "request.language_unknown",
        });
      });

      t.test("a plain GET (no upgrade) with valid credentials gets 426", async (t) => {
        const res = await fetch(`${ready.url}${interactive}?language=en-US`, { headers: { ...key, "X-ConnectionId": id() } });
        await res.arrayBuffer();
        t.equal(res.status, 426);
        t.equal(res.headers.get(reasonHeader), "request.not_websocket");
      });
    });

    t.test("--auth-failure-style modern: 401 without credentials, 403 with invalid ones", async (t) => {
      await expectRefused(t, modern, { headers: { "X-ConnectionId": id() } }, 401, { reason: "auth.missing", kind: "none" });
      await expectRefused(t, modern, { headers: { "Ocp-Apim-Subscription-Key": unknownKey, "X-ConnectionId": id() } }, 403, {
        reason: "auth.key_unknown",
        kind: "key",
        source: "header",
        secret: unknownKey,
      });
      await expectRefused(t, modern, { headers: { Authorization: "Basic x", "X-ConnectionId": id() } }, 403, {
        reason: "auth.scheme_invalid",
        kind: "token",
        source: "header",
      });
      await expectRefused(t, modern, { headers: { Authorization: `Bearer ${token}`, "X-ConnectionId": id() } }, 403, {
        reason: "auth.signature_invalid",
        kind: "token",
        source: "header",
        secret: token,
      });
      await expectRefused(t, modern, { headers: { "Ocp-Apim-Subscription-Key": westusKey } }, 400, {
        reason: "request.connection_id_missing",
        kind: "key",
        source: "header",
      });
      await expectOpen(
        t,
        modern,
        { headers: { "Ocp-Apim-Subscription-Key": westusKey, "X-ConnectionId": id() } },
        {
          reason: "handshake.accepted_key",
          kind: "key",
          source: "header",
          resource: westusName,
        },
      );
    });

    t.test("a burst of bad handshakes and raw garbage does not stop the server serving", async (t) => {
      const bad: Attempt[] = [
        {},
        { headers: { Authorization: "Basic x" } },
        { headers: { Authorization: "Bearer x.y" } },
        { headers: { "Ocp-Apim-Subscription-Key": unknownKey } },
        { headers: { "Ocp-Apim-Subscription-Key": westusKey } },
        { query: "", headers: { "Ocp-Apim-Subscription-Key": westusKey, "X-ConnectionId": id() } },
      ];
      const burst = Array.from({ length: 36 }, (_, i) => attempt(mock, bad[i % bad.length] ?? {}));
      const raw = [
        "\x00\x01\x02garbage\r\n\r\n",
        "NOT-HTTP\r\n\r\n",
        `GET ${interactive}?language=en-US HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`,
        `GET ${interactive}?language=en-US HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOcp-Apim-Subscription-Key: ${westusKey}\r\nX-ConnectionId: ${id()}\r\n\r\n`,
        `GET ${interactive}?language=en-US HTTP/1.1\r\nContent-Length: nonsense\r\n\r\n`,
      ].map((bytes) => rawExchange(mock.ready, bytes));
      const outcomes = await Promise.all(burst);
      t.equal(outcomes.filter((o) => o.opened).length, 0, "no bad handshake opened");
      const statuses = new Set(outcomes.map((o) => (o.opened ? 101 : o.status)));
      t.same([...statuses].sort(), [400, 403], "each bad handshake was refused with 400 or 403");
      for (const reply of await Promise.all(raw)) t.notMatch(reply, /^HTTP\/1\.1 101/, "raw garbage never upgrades");
      t.equal(mock.child.exitCode, null, "the server still runs");
      await expectOpen(
        t,
        mock,
        { headers: { Authorization: `Bearer ${token}`, "X-ConnectionId": id() } },
        {
          reason: "handshake.accepted_token",
          kind: "token",
          source: "header",
          secret: token,
          resource: westusName,
        },
      );
    });

    t.test("no whole key or token appears anywhere in the logs", async (t) => {
      const stderr = [mock, modern, shortLived].map((m) => m.stderr()).join("\n");
      t.ok(stderr.length > 0, "there are logs to search");
      for (const secret of secrets) t.notOk(stderr.includes(secret), `${secret.slice(0, 6)}…(${secret.length}) is not in the logs`);
    });
  });
}

/** Writes raw bytes on a TCP connection and resolves with whatever comes back before it closes (or 3 s pass). */
function rawExchange(ready: ReadyLine, bytes: string): Promise<string> {
  const { hostname, port } = new URL(ready.url);
  return new Promise((resolve) => {
    let reply = "";
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(bytes, "latin1"));
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      reply += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(reply));
    socket.setTimeout(3_000, () => socket.destroy());
  });
}
