/**
 * Live reconfiguration through the control plane, on the real command under Node and Deno:
 * resources added, disabled, removed and given new keys take effect at once, as in Azure; reset
 * puts everything back.
 */
import t from "tap";
import { handshakeWith } from "../../test/support/protocol-client.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";

const json = { "Content-Type": "application/json" };
const newResource = {
  name: "added-at-runtime",
  region: "westus",
  tier: "S0",
  keys: ["a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"],
};

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const { admin, sts } = mock.ready;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${admin}${path}`, { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> & { keys?: string[] } };
    };
    const issue = async (key: string) => {
      const res = await fetch(sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } });
      return { status: res.status, body: await res.text() };
    };
    const handshake = (headers: Record<string, string>) => handshakeWith(mock.ready.ws, headers);
    t.afterEach(async () => {
      await call("POST", "/reset");
    });

    t.test("GET lists the resources as they are, with their keys", async (t) => {
      const { status, body } = await call("GET", "/resources");
      t.equal(status, 200);
      t.same(
        (body.resources as { name: string; keys: string[] }[]).map((r) => [r.name, r.keys]),
        mock.ready.resources.map((r) => [r.name, r.keys]),
      );
    });

    t.test("an added resource's keys work at once; a clash is 409 and a bad one 400", async (t) => {
      const added = await call("POST", "/resources", newResource);
      t.equal(added.status, 201);
      t.match(added.body, { name: "added-at-runtime", state: "enabled", subscriptionId: /^[0-9a-f]{32}$/ });
      t.equal((await issue(newResource.keys[1] as string)).status, 200);
      const again = await call("POST", "/resources", newResource);
      t.equal(again.status, 409);
      t.match(again.body, { error: { code: "ERR_CONFLICT", message: 'A resource named "added-at-runtime" already exists' } });
      const bad = await call("POST", "/resources", { ...newResource, name: "other", region: "West US" });
      t.equal(bad.status, 400);
      t.match(bad.body, { error: { problems: [{ field: "region", value: "West US", expected: /Expected an Azure region name/ }] } });
    });

    t.test("disabling and putting out of quota take effect at the next request, and back again", async (t) => {
      const key = mock.ready.resources[0]?.keys[0] as string;
      const name = mock.ready.resources[0]?.name as string;
      t.match((await call("PATCH", `/resources/${name}`, { state: "disabled" })).body, { state: "disabled" });
      const disabled = await issue(key);
      t.equal(disabled.status, 403);
      t.match(disabled.body, /disabled/);
      t.same(await handshake({ "Ocp-Apim-Subscription-Key": key }), { status: 403, reason: "auth.resource_disabled" });
      await call("PATCH", `/resources/${name}`, { state: "quotaExceeded" });
      t.match((await issue(key)).body, /Out of call volume quota/);
      await call("PATCH", `/resources/${name}`, { state: "enabled" });
      t.equal((await issue(key)).status, 200);
      t.equal((await call("PATCH", "/resources/nobody", { state: "enabled" })).status, 404);
      const bad = await call("PATCH", `/resources/${name}`, { state: "paused" });
      t.match(bad.body, {
        error: { problems: [{ field: "state", value: "paused", expected: /Expected "enabled", "disabled" or "quotaExceeded"/ }] },
      });
    });

    t.test("a regenerated key replaces the old one; tokens issued before stay valid", async (t) => {
      const [oldPrimary, secondary] = (mock.ready.resources[0]?.keys ?? ["", ""]) as [string, string];
      const name = mock.ready.resources[0]?.name as string;
      const token = (await issue(oldPrimary)).body;
      const changed = await call("POST", `/resources/${name}/regenerate-key`, { key: "primary" });
      t.equal(changed.status, 200);
      const newPrimary = changed.body.keys?.[0] as string;
      t.match(newPrimary, /^[0-9a-f]{32}$/);
      t.not(newPrimary, oldPrimary);
      t.equal(changed.body.keys?.[1], secondary, "the secondary is untouched");
      t.equal((await issue(oldPrimary)).status, 401, "the old key stops working");
      t.equal((await issue(newPrimary)).status, 200, "the new one works");
      t.same(await handshake({ Authorization: `Bearer ${token}` }), { status: 101 }, "a token from the old key still opens a socket");
      const bad = await call("POST", `/resources/${name}/regenerate-key`, { key: "tertiary" });
      t.equal(bad.status, 400);
    });

    t.test("a removed resource's keys stop working and its tokens are refused as revoked", async (t) => {
      const [key] = (mock.ready.resources[0]?.keys ?? [""]) as [string];
      const name = mock.ready.resources[0]?.name as string;
      const token = (await issue(key)).body;
      t.equal((await call("DELETE", `/resources/${name}`)).status, 204);
      t.equal((await issue(key)).status, 401);
      t.same(await handshake({ Authorization: `Bearer ${token}` }), { status: 403, reason: "auth.token_revoked" });
      t.equal((await call("DELETE", `/resources/${name}`)).status, 404);
    });

    t.test("reset puts resources, fault rules, clock and journal back to the start-up state", async (t) => {
      const name = mock.ready.resources[0]?.name as string;
      await call("DELETE", `/resources/${name}`);
      await call("POST", "/resources", newResource);
      await call("POST", "/faults", { target: "sts", action: { kind: "hang" } });
      await call("POST", "/clock/advance", { by: "1h" });
      t.equal((await call("POST", "/reset")).status, 204);
      const names = ((await call("GET", "/resources")).body.resources as { name: string }[]).map((r) => r.name);
      t.same(
        names,
        mock.ready.resources.map((r) => r.name),
      );
      t.same((await call("GET", "/faults")).body, { faults: [] });
      t.match((await call("GET", "/clock")).body, { mode: "system", offsetMs: 0 });
      t.match((await call("GET", "/journal")).body, { size: 0, dropped: 0 });
      t.equal((await issue(mock.ready.resources[0]?.keys[0] as string)).status, 200);
    });
  });
}
