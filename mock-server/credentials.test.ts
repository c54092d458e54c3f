import t from "tap";
import { parseAuthorization, queryParam, readCredential } from "./credentials.ts";

const url = (query = "") => new URL(`ws://127.0.0.1/speech/recognition/interactive/cognitiveservices/v1?language=en-US${query}`);

t.test("readCredential", async (t) => {
  t.test("no Authorization and no subscription key anywhere is no credential", async (t) => {
    t.same(readCredential(new Headers({ "X-ConnectionId": "a".repeat(32) }), url()), { kind: "none" });
  });

  t.test("an Authorization header is a token from the header", async (t) => {
    t.same(readCredential(new Headers({ Authorization: "Bearer h" }), url()), { kind: "token", source: "header", raw: "Bearer h" });
  });

  t.test("an Authorization query parameter is a token from the query, URI-decoded", async (t) => {
    t.same(readCredential(new Headers(), url("&Authorization=Bearer%20q")), { kind: "token", source: "query", raw: "Bearer q" });
  });

  t.test("a subscription key header is a key from the header", async (t) => {
    t.same(readCredential(new Headers({ "Ocp-Apim-Subscription-Key": "k" }), url()), { kind: "key", source: "header", raw: "k" });
  });

  t.test("a subscription key query parameter is a key from the query", async (t) => {
    t.same(readCredential(new Headers(), url("&Ocp-Apim-Subscription-Key=k")), { kind: "key", source: "query", raw: "k" });
  });

  t.test("the header wins over the query parameter of the same name", async (t) => {
    t.same(readCredential(new Headers({ Authorization: "Bearer h" }), url("&Authorization=Bearer%20q")), {
      kind: "token",
      source: "header",
      raw: "Bearer h",
    });
    t.same(readCredential(new Headers({ "Ocp-Apim-Subscription-Key": "kh" }), url("&Ocp-Apim-Subscription-Key=kq")), {
      kind: "key",
      source: "header",
      raw: "kh",
    });
  });

  t.test("a token wins over a key when both are in headers", async (t) => {
    const headers = new Headers({ Authorization: "Bearer h", "Ocp-Apim-Subscription-Key": "k" });
    t.same(readCredential(headers, url()), { kind: "token", source: "header", raw: "Bearer h" });
  });

  t.test("a token wins over a key when both are in the query", async (t) => {
    t.same(readCredential(new Headers(), url("&Ocp-Apim-Subscription-Key=k&Authorization=Bearer%20q")), {
      kind: "token",
      source: "query",
      raw: "Bearer q",
    });
  });

  t.test("a token in the query wins over a key in a header", async (t) => {
    t.same(readCredential(new Headers({ "Ocp-Apim-Subscription-Key": "k" }), url("&Authorization=Bearer%20q")), {
      kind: "token",
      source: "query",
      raw: "Bearer q",
    });
  });

  t.test("query parameter names match in any case", async (t) => {
    t.same(readCredential(new Headers(), url("&authorization=Bearer%20q")), { kind: "token", source: "query", raw: "Bearer q" });
    t.same(readCredential(new Headers(), url("&AUTHORIZATION=x")), { kind: "token", source: "query", raw: "x" });
    t.same(readCredential(new Headers(), url("&ocp-apim-subscription-key=k")), { kind: "key", source: "query", raw: "k" });
    t.same(readCredential(new Headers(), url("&OCP-APIM-SUBSCRIPTION-KEY=k")), { kind: "key", source: "query", raw: "k" });
  });

  t.test("header names match in any case", async (t) => {
    t.same(readCredential(new Headers({ authorization: "x" }), url()), { kind: "token", source: "header", raw: "x" });
    t.same(readCredential(new Headers({ "ocp-apim-subscription-key": "k" }), url()), { kind: "key", source: "header", raw: "k" });
  });

  t.test("an empty value is still a credential (the gate refuses it as empty)", async (t) => {
    t.same(readCredential(new Headers({ Authorization: "" }), url()), { kind: "token", source: "header", raw: "" });
    t.same(readCredential(new Headers(), url("&Ocp-Apim-Subscription-Key=")), { kind: "key", source: "query", raw: "" });
  });
});

t.test("queryParam prefers the exact spelling, then any case, and is undefined when absent", async (t) => {
  const u = new URL("ws://h/p?x-connectionid=lower&X-ConnectionId=exact");
  t.equal(queryParam(u, "X-ConnectionId"), "exact");
  t.equal(queryParam(new URL("ws://h/p?x-connectionid=lower"), "X-ConnectionId"), "lower");
  t.equal(queryParam(new URL("ws://h/p?language=en-US"), "X-ConnectionId"), undefined);
});

t.test("parseAuthorization", async (t) => {
  const accepted: [string, string][] = [
    ["Bearer x", "x"],
    ["bearer x", "x"],
    ["BEARER x", "x"],
    ["BeArEr x", "x"],
    ["x", "x"],
    ["eyJ.eyJ.sig", "eyJ.eyJ.sig"],
    ["  Bearer   x  ", "x"],
    ["Bearer\tx", "x"],
  ];
  for (const [value, token] of accepted) {
    t.test(`${JSON.stringify(value)} is accepted as the token ${JSON.stringify(token)}`, async (t) => {
      t.same(parseAuthorization(value), { ok: true, token });
    });
  }

  const refused: [string, "auth.empty" | "auth.scheme_invalid"][] = [
    ["Basic x", "auth.scheme_invalid"],
    ["Token x", "auth.scheme_invalid"],
    ["Bearerx y", "auth.scheme_invalid"],
    ["", "auth.empty"],
    [" ", "auth.empty"],
    ["\t \t", "auth.empty"],
    ["Bearer ", "auth.empty"],
    ["bearer", "auth.empty"],
    ["Bearer  \t ", "auth.empty"],
  ];
  for (const [value, reason] of refused) {
    t.test(`${JSON.stringify(value)} is refused as ${reason}`, async (t) => {
      t.same(parseAuthorization(value), { ok: false, reason });
    });
  }
});
