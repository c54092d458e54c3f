import t from "tap";
import type { Case } from "./case.ts";
import { allCases } from "./cases/index.ts";
import { globToRegExp, selectCases } from "./select.ts";

const ids = (cases: readonly Case[]) => cases.map((c) => c.id);

t.test("globs: * is any run of characters, ? one, dots are literal", async (t) => {
  t.ok(globToRegExp("token.*").test("token.reuse"));
  t.ok(globToRegExp("*.refresh").test("token.refresh"));
  t.ok(globToRegExp("protocol.close-100?").test("protocol.close-1007"));
  t.notOk(globToRegExp("token.*").test("tokenXreuse"), "a dot is not a wildcard");
  t.notOk(globToRegExp("token").test("token.reuse"), "a glob matches the whole id");
});

t.test("include and exclude pick cases in their listed order", async (t) => {
  const { cases, unmatched } = selectCases(allCases, { include: ["protocol.*", "token.post"], exclude: ["*.telemetry"] });
  t.same(unmatched, []);
  t.same(
    ids(cases),
    ids(allCases).filter((id) => (id.startsWith("protocol.") || id === "token.post") && id !== "protocol.telemetry"),
  );
  t.equal(ids(cases)[0], "token.post", "the order is the suite's, not the globs'");
  t.same(ids(selectCases(allCases, {}).cases), ids(allCases), "no globs: every case");
});

t.test("a glob that matches nothing is reported", async (t) => {
  t.same(selectCases(allCases, { include: ["tokn.*"], exclude: ["nothing"] }).unmatched, ["tokn.*", "nothing"]);
});

t.test("case ids are unique, dotted and grouped by what they test", async (t) => {
  t.equal(new Set(ids(allCases)).size, allCases.length);
  for (const c of allCases) t.match(c.id, /^(token|handshake|protocol|continuous|detailed|live|rest|tts)\.([a-z]+\.)?[a-z0-9-]+$/, c.id);
  t.ok(allCases.length >= 58);
});
