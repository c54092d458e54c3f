/**
 * What the journal keeps of token requests and handshakes for the conformance suite to judge by:
 * headers and query (secrets reduced), and a tag that ties a handshake's token to the request
 * that issued it. And its listeners, which see each entry before the mock answers.
 */
import t from "tap";
import { handshakeWith } from "../test/support/protocol-client.ts";
import { startMock } from "./runtime/node.ts";

t.test("a handshake's token tag is the tag of the token request that issued it; no secret is kept whole", async (t) => {
  await using mock = await startMock({ port: 0 });
  const key = mock.resources[0]?.keys[0] as string;
  const response = await fetch(`${mock.sts}?trace=1&subscription-key=${key}`, {
    method: "POST",
    headers: { "Ocp-Apim-Subscription-Key": key },
  });
  const token = await response.text();
  t.equal(response.status, 200);
  t.equal((await handshakeWith(mock.ws, { Authorization: `Bearer ${token}`, "Ocp-Apim-Subscription-Key": key })).status, 101);
  const [issued] = mock.journal.entries((e) => e.type === "sts.request");
  const [handshake] = mock.journal.entries((e) => e.type === "handshake");
  if (issued?.type !== "sts.request" || handshake?.type !== "handshake") return t.fail("missing entries");
  t.equal(issued.tokenTag, token.slice(-12));
  t.equal(handshake.tokenTag, issued.tokenTag);
  t.equal(issued.query?.trace, "1");
  t.equal(issued.query?.["subscription-key"], `${key.slice(0, 6)}…(32)`);
  t.equal(handshake.headers?.["ocp-apim-subscription-key"], `${key.slice(0, 6)}…(32)`, "a key sent beside the token is visible, reduced");
  t.match(handshake.headers?.authorization, /^Bearer eyJ\w{3}…\(\d+\)$/);
  const everything = JSON.stringify(mock.journal.entries());
  t.notOk(everything.includes(key), "the key is never kept whole");
  t.notOk(everything.includes(token), "the token is never kept whole");
});

t.test("a refused token request has no tag; a listener sees each entry synchronously, until it stops", async (t) => {
  await using mock = await startMock({ port: 0 });
  const seen: string[] = [];
  const stop = mock.journal.subscribe((e) => {
    seen.push(e.type);
    if (e.type === "sts.request") mock.clock.advance(11 * 60_000);
  });
  const key = mock.resources[0]?.keys[0] as string;
  const token = await (await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } })).text();
  t.same(seen, ["sts.request"]);
  const refused = await handshakeWith(mock.ws, { Authorization: `Bearer ${token}` });
  t.same(refused, { status: 403, reason: "auth.token_expired" }, "the clock moved before the token was used: it was issued first");
  stop();
  await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": "nope" } });
  t.same(seen, ["sts.request", "handshake"], "nothing after it stopped");
  const last = mock.journal.entries((e) => e.type === "sts.request").at(-1);
  t.same(last?.type === "sts.request" && [last.status, last.tokenTag], [401, undefined]);
});
