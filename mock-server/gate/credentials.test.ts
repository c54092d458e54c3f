import t from "tap";
import { ambiguousCredential, restCredentials, stsCredentials, websocketCredentials } from "./credentials.ts";

const url = (query = "") => new URL(`http://127.0.0.1/speech/recognition/interactive/cognitiveservices/v1?language=en-US${query}`);
/** Headers as a runtime builds them from the wire: a repeated name is appended, so read back joined by ", ". */
const wire = (...pairs: [string, string][]) => {
  const headers = new Headers();
  for (const [name, value] of pairs) headers.append(name, value);
  return headers;
};

t.test("ambiguousCredential", async (t) => {
  t.test("one credential in each place is not ambiguous", async (t) => {
    const headers = wire(["Authorization", "Bearer a.b.c"], ["Ocp-Apim-Subscription-Key", "k"]);
    t.equal(ambiguousCredential(headers, url("&Authorization=Bearer%20q&Ocp-Apim-Subscription-Key=k")), undefined);
    t.equal(ambiguousCredential(new Headers(), url()), undefined);
  });

  t.test("a repeated Authorization or subscription key header is named", async (t) => {
    t.equal(ambiguousCredential(wire(["Authorization", "Bearer a.b.c"], ["authorization", "Bearer d.e.f"]), url()), "Authorization");
    t.equal(ambiguousCredential(wire(["Authorization", ""], ["Authorization", "Bearer d.e.f"]), url()), "Authorization");
    const keys = wire(["Ocp-Apim-Subscription-Key", "k1"], ["Ocp-Apim-Subscription-Key", "k2"]);
    t.equal(ambiguousCredential(keys, url()), "Ocp-Apim-Subscription-Key");
  });

  t.test("a comma in one value reads as two: no valid token or key has one", async (t) => {
    t.equal(ambiguousCredential(wire(["Authorization", "Bearer a.b.c,d"]), url()), "Authorization");
  });

  t.test("a query parameter given twice, in any name case, is named", async (t) => {
    t.equal(ambiguousCredential(new Headers(), url("&Authorization=a&AUTHORIZATION=b")), "Authorization");
    t.equal(
      ambiguousCredential(new Headers(), url("&ocp-apim-subscription-key=a&Ocp-Apim-Subscription-Key=a")),
      "Ocp-Apim-Subscription-Key",
    );
  });

  t.test("only the names and places the policy reads count", async (t) => {
    const twiceInQuery = url("&Authorization=a&Authorization=b&Ocp-Apim-Subscription-Key=a&Ocp-Apim-Subscription-Key=b");
    t.equal(ambiguousCredential(new Headers(), twiceInQuery, restCredentials), undefined, "REST reads no query");
    t.equal(
      ambiguousCredential(wire(["Authorization", "a"], ["Authorization", "b"]), url(), stsCredentials(true)),
      undefined,
      "STS reads no token",
    );
    t.equal(ambiguousCredential(new Headers(), url("&subscription-key=a&subscription-key=b"), stsCredentials(true)), "subscription-key");
    t.equal(ambiguousCredential(new Headers(), url("&subscription-key=a&subscription-key=b"), stsCredentials(false)), undefined);
    t.equal(ambiguousCredential(wire(["Authorization", "a"], ["Authorization", "b"]), url(), websocketCredentials), "Authorization");
  });
});
