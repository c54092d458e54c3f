import t from "tap";
import { sampleReport, strictSampleReport } from "../../test/support/sample-report.ts";
import type { RunReport } from "../report.ts";
import { levels, outcomes, reportSchema } from "./json-schema.ts";

interface Node {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Node;
  oneOf?: Node[];
  enum?: readonly unknown[];
  const?: unknown;
}

const root = reportSchema as unknown as Node & { $defs: Record<string, Node> };

const resolve = (node: Node): Node => {
  if (node.$ref === undefined) return node;
  const target = root.$defs[node.$ref.replace("#/$defs/", "")];
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return target;
};

/**
 * Not a validator: it walks a value beside the schema and reports keys the schema does not know,
 * required keys the value lacks, and values outside an enum or const. A `oneOf` of objects is
 * resolved by the branch whose `const` properties the value matches (the client events).
 */
function mismatches(value: unknown, schemaNode: Node, path: string): string[] {
  let node = resolve(schemaNode);
  if (node.oneOf) {
    const branch = node.oneOf
      .map(resolve)
      .find((b) =>
        Object.entries(b.properties ?? {}).every(([k, p]) => p.const === undefined || (value as Record<string, unknown>)[k] === p.const),
      );
    if (branch === undefined) return [`${path}: no oneOf branch fits ${JSON.stringify(value)}`];
    node = branch;
  }
  if (node.const !== undefined && value !== node.const) return [`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(node.const)}`];
  if (node.enum && !node.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(node.enum)}`];
  if (Array.isArray(value)) return node.items ? value.flatMap((item, i) => mismatches(item, node.items as Node, `${path}[${i}]`)) : [];
  if (value === null || typeof value !== "object") return [];
  const properties = node.properties ?? {};
  const out = (node.required ?? []).filter((k) => !(k in value)).map((k) => `${path}: lacks required ${k}`);
  for (const [key, child] of Object.entries(value)) {
    const property = properties[key];
    if (property === undefined) out.push(`${path}.${key}: not in the schema`);
    else out.push(...mismatches(child, property, `${path}.${key}`));
  }
  return out;
}

t.test("every key of the sample reports is in the schema, and every required key is in them", async (t) => {
  for (const report of [sampleReport, strictSampleReport]) t.strictSame(mismatches(report, root, "report"), []);
});

t.test("the walk above does notice a key the schema lacks, a missing key and a wrong enum", async (t) => {
  const [first, ...rest] = sampleReport.results;
  const broken = {
    ...sampleReport,
    extra: 1,
    summary: { ...sampleReport.summary, flaky: 0 },
    results: [{ ...first, outcome: "MAYBE", client: { ...first?.client, events: [{ event: "nope" }] } }, ...rest],
  } as unknown as RunReport;
  const { stale: _, ...noStale } = sampleReport;
  t.strictSame(mismatches(broken, root, "report"), [
    'report.results[0].outcome: "MAYBE" is not one of ["PASS","FAIL","NON-STRICT","SKIPPED","ERROR","TIMEOUT"]',
    'report.results[0].client.events[0]: no oneOf branch fits {"event":"nope"}',
    "report.summary.flaky: not in the schema",
    "report.extra: not in the schema",
  ]);
  t.strictSame(mismatches(noStale, root, "report"), ["report: lacks required stale"]);
});

t.test("the sample has every outcome the schema lists, so the walk saw each kind of result", async (t) => {
  t.strictSame(new Set(sampleReport.results.map((r) => r.outcome)), new Set(outcomes));
  t.ok(levels.includes("MUST") && levels.includes("SHOULD"));
});

t.test("the schema is draft 2020-12, closed, and its $refs resolve", async (t) => {
  t.equal(reportSchema.$schema, "https://json-schema.org/draft/2020-12/schema");
  t.equal(reportSchema.title, "speechmock.conformance/v1");
  const refs = JSON.stringify(reportSchema).match(/"\$ref":"[^"]+"/g) ?? [];
  t.ok(refs.length > 0);
  for (const ref of refs) t.doesNotThrow(() => resolve({ $ref: JSON.parse(`{${ref}}`).$ref }), ref);
  for (const [name, def] of Object.entries(root.$defs)) {
    if (def.type === "object") t.equal(def.additionalProperties, false, `${name} is closed`);
  }
  t.equal(root.$defs.clientEvent?.oneOf?.length, 7, "one branch per client event");
});
