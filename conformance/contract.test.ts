import t from "tap";
import { parseEventLine } from "./contract.ts";

t.test("each event of the contract parses; extra fields are ignored", async (t) => {
  const lines = [
    '{"event":"token"}',
    '{"event":"connected","extra":1}',
    '{"event":"recognized","status":"Success","text":"Hello world."}',
    '{"event":"recognized","status":"NoMatch"}',
    '{"event":"error","kind":"auth","status":401,"message":"refused"}',
    '{"event":"error","kind":"protocol","code":1007}',
    '{"event":"unsupported","capability":"refresh"}',
  ];
  for (const line of lines) t.ok(parseEventLine(line).ok, line);
  t.same(parseEventLine('{"event":"connected","extra":1}'), { ok: true, event: { event: "connected" } });
});

t.test("a line outside the contract is refused with what was wrong", async (t) => {
  const bad: [string, RegExp][] = [
    ["hello", /^Not JSON: "hello". Expected one JSON object per line \(logs go to stderr\)$/],
    ['{"event":"greeting"}', /^Invalid event .*: field event: /],
    ['{"event":"recognized","status":7}', /field status: .*string/],
    ['{"event":"error","kind":"oops"}', /field kind: /],
    ['{"event":"error","kind":"auth","status":401.5}', /field status: .*int/],
    ['{"event":"unsupported","capability":"teleportation"}', /field capability: /],
    ["[1,2]", /^Invalid event "\[1,2\]": /],
  ];
  for (const [line, message] of bad) {
    const parsed = parseEventLine(line);
    t.notOk(parsed.ok, line);
    if (!parsed.ok) t.match(parsed.problem, message, line);
  }
});
