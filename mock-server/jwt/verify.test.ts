import { generateKeyPair, SignJWT } from "jose";
import t from "tap";
import { epochSeconds, ManualClock } from "../clock.ts";
import { builtinResources } from "../subscriptions/builtin.ts";
import { speechClaims } from "./claims.ts";
import { createSigningKeys } from "./keys.ts";
import { TokenSigner } from "./sign.ts";
import { verifyToken } from "./verify.ts";

/** 2025-04-21T12:09:40.250Z: a quarter second into a whole second. */
const start = 1_745_237_380_250;
const lifetime = 600;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const [resource] = builtinResources();
if (!resource) throw new Error("The built-in fixtures have no resource");

t.test("verifyToken", async (t) => {
  const clock = new ManualClock(start);
  const keys = await createSigningKeys();
  const signer = new TokenSigner(keys);
  const claims = () => speechClaims(resource, "westus", epochSeconds(clock) + lifetime);
  const valid = await signer.sign(resource, "westus", epochSeconds(clock) + lifetime);
  const [header64 = "", payload64 = "", signature64 = ""] = valid.split(".");

  t.test("a token the mock signed verifies, with its claims", async (t) => {
    const result = await verifyToken(valid, keys, clock);
    t.same(result, { ok: true, payload: claims() });
  });

  t.test("a token is still valid a second before its exp", async (t) => {
    const late = new ManualClock(start);
    late.set((epochSeconds(clock) + lifetime - 1) * 1000);
    t.equal((await verifyToken(valid, keys, late)).ok, true);
  });

  t.test("a token is expired once the clock reaches its exp", async (t) => {
    const later = new ManualClock(start);
    later.tick(lifetime * 1000);
    const result = await verifyToken(valid, keys, later);
    t.match(result, { ok: false, reason: "auth.token_expired" });
    t.match(result.ok ? "" : result.detail, new Date((epochSeconds(clock) + lifetime) * 1000).toISOString());
  });

  t.test("a token is expired long after its exp", async (t) => {
    const later = new ManualClock(start);
    later.tick(3_600_000);
    t.match(await verifyToken(valid, keys, later), { ok: false, reason: "auth.token_expired" });
  });

  t.test("anything but three dot-separated parts is malformed", async (t) => {
    for (const token of ["", "abc", `${header64}.${payload64}`, `${valid}.${signature64}`, `${header64}..${signature64}`]) {
      t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.token_malformed" }, JSON.stringify(token.slice(0, 20)));
    }
  });

  t.test("parts that are not base64url are malformed", async (t) => {
    const cases = {
      "standard base64 in the header": `${header64}+/.${payload64}.${signature64}`,
      "padding on the payload": `${header64}.${payload64}==.${signature64}`,
      "a space in the signature": `${header64}.${payload64}.${signature64.slice(0, 10)} ${signature64.slice(10)}`,
      "a percent-encoded payload": `${header64}.%7B%7D.${signature64}`,
    };
    for (const [name, token] of Object.entries(cases)) {
      const result = await verifyToken(token, keys, clock);
      t.match(result, { ok: false, reason: "auth.token_malformed", detail: /three base64url parts/ }, name);
    }
  });

  t.test("a header that is base64url but not JSON is malformed", async (t) => {
    const token = `${Buffer.from("not json").toString("base64url")}.${payload64}.${signature64}`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.token_malformed", detail: /header/ });
  });

  t.test('an unsigned token (alg "none") is refused for its algorithm', async (t) => {
    const token = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims())}.`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.alg_not_allowed", detail: /"none"/ });
  });

  t.test('"alg: none" with the mock\'s kid and a copied signature is refused for its algorithm too', async (t) => {
    const token = `${b64url({ alg: "none", kid: keys.kid, typ: "JWT" })}.${payload64}.${signature64}`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.alg_not_allowed" });
  });

  t.test("a header without alg is refused for its algorithm", async (t) => {
    const token = `${b64url({ kid: keys.kid, typ: "JWT" })}.${payload64}.${signature64}`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.alg_not_allowed", detail: /null/ });
  });

  t.test("an HS256 token is refused for its algorithm, whatever the secret", async (t) => {
    for (const secret of ["secret", "", keys.kid]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: "HS256", kid: keys.kid, typ: "JWT" })
        .sign(new TextEncoder().encode(secret || "\0"));
      t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.alg_not_allowed", detail: /"HS256"/ });
    }
  });

  t.test("a token signed by another key pair with another kid is refused for its kid", async (t) => {
    const other = new TokenSigner(await createSigningKeys("key2"));
    const token = await other.signFresh(claims());
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.kid_unknown", detail: /"key2"/ });
  });

  t.test("a token without a kid is refused for its kid", async (t) => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "JWT" }).sign(privateKey);
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.kid_unknown" });
  });

  t.test("a token with the right kid but signed by another ES256 key is refused for its signature", async (t) => {
    const other = new TokenSigner(await createSigningKeys(keys.kid));
    const token = await other.signFresh(claims());
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.signature_invalid" });
  });

  t.test("a tampered payload is refused for its signature", async (t) => {
    const tampered = { ...claims(), region: "eastus", aud: "urn:ms.speechservices.eastus" };
    const token = `${header64}.${b64url(tampered)}.${signature64}`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.signature_invalid" });
  });

  t.test("a longer lifetime written into the payload is refused for its signature", async (t) => {
    const token = `${header64}.${b64url({ ...claims(), exp: epochSeconds(clock) + 86_400 })}.${signature64}`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.signature_invalid" });
  });

  t.test("a truncated signature is refused for its signature", async (t) => {
    const token = `${header64}.${payload64}.${signature64.slice(0, -4)}`;
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.signature_invalid" });
  });

  t.test("an empty signature on an ES256 token is refused for its signature", async (t) => {
    t.match(await verifyToken(`${header64}.${payload64}.`, keys, clock), { ok: false, reason: "auth.signature_invalid" });
  });

  t.test("a token from another issuer is refused for its issuer", async (t) => {
    const token = await signer.signFresh({ ...claims(), iss: "https://login.microsoftonline.com/" });
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.issuer_invalid", detail: /urn:ms\.cognitiveservices/ });
  });

  t.test("a token without an issuer is refused for its issuer", async (t) => {
    const { iss: _iss, ...noIssuer } = claims();
    const token = await signer.signFresh(noIssuer);
    t.match(await verifyToken(token, keys, clock), { ok: false, reason: "auth.issuer_invalid" });
  });

  t.test("a signed token without exp or aud is malformed", async (t) => {
    const { exp: _exp, ...noExp } = claims();
    const { aud: _aud, ...noAud } = claims();
    t.match(await verifyToken(await signer.signFresh(noExp), keys, clock), { ok: false, reason: "auth.token_malformed" });
    t.match(await verifyToken(await signer.signFresh(noAud), keys, clock), { ok: false, reason: "auth.token_malformed" });
  });
});
