import type { Context } from "hono";
import { jsonPath } from "../fixture-file.ts";
import * as z from "../zod.ts";
import type { ControlRoute } from "./route.ts";

/** A row's validated input, as its handler gets it. */
type Input = Parameters<ControlRoute["handle"]>[2];

/** A refused control request: the field, the value given and what was expected, for each problem. */
export interface InvalidRequestBody {
  error: {
    code: "ERR_REQUEST_INVALID";
    message: string;
    problems: { field: string; value: unknown; expected: string }[];
  };
}

/** The query parameters a schema reads as whole numbers, found once per schema from its JSON Schema. */
const integerNames = new WeakMap<z.core.$ZodObject, readonly string[]>();

const integersOf = (schema: z.core.$ZodObject): readonly string[] => {
  let names = integerNames.get(schema);
  if (names === undefined) {
    const { properties = {} } = z.toJSONSchema(schema) as { properties?: Record<string, { type?: unknown }> };
    names = Object.entries(properties)
      .filter(([, property]) => property.type === "integer")
      .map(([name]) => name);
    integerNames.set(schema, names);
  }
  return names;
};

/** Query parameters as the schema's types: whole numbers become numbers, everything else stays a string. */
export function queryObject(c: Context, schema: z.core.$ZodObject): Record<string, unknown> {
  const numeric = integersOf(schema);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(c.req.query())) {
    out[name] = numeric.includes(name) && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** The request's JSON body; a body that is not JSON reads as a marker the schemas refuse. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return notJson;
  }
}

/** Stands for a body that is not JSON: no schema accepts it, and the 400 says so. */
const notJson = Symbol("not JSON");

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined), input);

/** Parses `input` with `schema`, or gives the 400 body that says what is wrong with it. */
export function validate<T extends z.core.$ZodType>(
  schema: T,
  input: unknown,
  where: "query" | "body" | "path",
): { ok: true; value: z.output<T> } | { ok: false; body: InvalidRequestBody } {
  if (input === notJson) {
    const problems = [{ field: "(body)", value: null, expected: "Expected a JSON object" }];
    return {
      ok: false,
      body: { error: { code: "ERR_REQUEST_INVALID", message: "Invalid body: not JSON. Expected a JSON object", problems } },
    };
  }
  const result = z.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: key, value: valueAt(input, [...issue.path, key]), expected: "no such field" }));
    }
    const field = jsonPath(issue.path).replace(/^\$\.?/, "");
    return [{ field, value: valueAt(input, issue.path), expected: issue.message }];
  });
  const message = problems.map((p) => `Invalid ${where} field ${p.field}: ${JSON.stringify(p.value)}: ${p.expected}`).join("; ");
  return { ok: false, body: { error: { code: "ERR_REQUEST_INVALID", message, problems } } };
}

/**
 * A row's input, each part validated by its schema in order (path, query, body; the body is read
 * only when the row has a schema for it), or the 400 body of the first part that is wrong.
 */
export async function parseInput(
  c: Context,
  row: ControlRoute,
): Promise<{ ok: true; value: Input } | { ok: false; body: InvalidRequestBody }> {
  const value: Input = { params: undefined, query: undefined, body: undefined };
  if (row.params) {
    const parsed = validate(row.params, c.req.param(), "path");
    if (!parsed.ok) return parsed;
    value.params = parsed.value;
  }
  if (row.query) {
    const parsed = validate(row.query, queryObject(c, row.query), "query");
    if (!parsed.ok) return parsed;
    value.query = parsed.value;
  }
  if (row.body) {
    const parsed = validate(row.body, await jsonBody(c), "body");
    if (!parsed.ok) return parsed;
    value.body = parsed.value;
  }
  return { ok: true, value };
}
