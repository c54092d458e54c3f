import t from "tap";
import type { MockError } from "../errors.ts";
import { jsonPath } from "../fixture-file.ts";
import { parseSubscriptions } from "./load.ts";
import { derivedSubscriptionId } from "./schema.ts";

const valid = {
  resources: [{ name: "r1", region: "westus", tier: "S0", keys: ["a".repeat(32), "b".repeat(32)] }],
};

t.test("a minimal resource gets every default", async (t) => {
  const [r] = parseSubscriptions(JSON.stringify(valid), "f.json");
  t.match(r, { name: "r1", state: "enabled", resourceGroup: "speechmock", quotaRenewsIn: "0.01:00:00" });
  t.equal(r?.subscriptionId, derivedSubscriptionId("r1"));
  t.match(r?.subscriptionId, /^[0-9a-f]{32}$/);
});

t.test("JSON syntax errors name the file", async (t) => {
  const err = t.throws(() => parseSubscriptions("{", "bad.json")) as MockError;
  t.equal(err.code, "ERR_FIXTURE_INVALID");
  t.match(err.message, /^bad\.json: not valid JSON: /);
});

t.test("every schema problem is reported with its JSON path", async (t) => {
  const text = JSON.stringify({
    resources: [{ name: "r1", region: "West US", tier: "P1", keys: ["short", 3], extra: true }],
  });
  const err = t.throws(() => parseSubscriptions(text, "f.json")) as MockError;
  const lines = err.message.split("\n");
  t.same(
    lines.map((l) => l.split(": ")[1]),
    ["$.resources[0].region", "$.resources[0].tier", "$.resources[0].keys[0]", "$.resources[0].keys[1]", "$.resources[0]"],
  );
  t.match(lines[0], /Expected an Azure region name/);
  t.match(lines[1], /expected one of "F0"\|"S0"/);
  t.match(lines[3], /expected string, received number/);
  t.match(lines[4], /unknown field "extra"/);
});

t.test("duplicate names and keys are refused", async (t) => {
  const r = valid.resources[0];
  const text = JSON.stringify({ resources: [r, { ...r, keys: ["c".repeat(32), "a".repeat(32)] }] });
  const err = t.throws(() => parseSubscriptions(text, "f.json")) as MockError;
  t.match(err.message, /\$\.resources\[1\]\.name: Duplicate resource name "r1"/);
  t.match(err.message, /\$\.resources\[1\]\.keys\[1\]: Duplicate key \(also at resources\[0\]\.keys\[0\]\)/);
});

t.test("an empty resource list is refused", async (t) => {
  t.throws(() => parseSubscriptions('{"resources":[]}', "f.json"), { message: /\$\.resources: Expected at least one resource/ });
});

t.test("JSON paths quote names that are not identifiers", async (t) => {
  t.equal(jsonPath(["resources", 2, "keys", 0]), "$.resources[2].keys[0]");
  t.equal(jsonPath(["odd key"]), '$["odd key"]');
});
