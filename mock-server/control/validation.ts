import type { Context } from "hono";
import { jsonPath } from "../fixture-file.ts";
import * as z from "../zod.ts";

/** A refused control request: the field, the value given and what was expected, for each problem. */
export interface InvalidRequestBody {
  error: {
    code: "ERR_REQUEST_INVALID";
    message: string;
    problems: { field: string; value: unknown; expected: string }[];
  };
}

/** Query parameters as the schema's types: whole numbers become numbers, everything else stays a string. */
export function queryObject(c: Context, numeric: readonly string[]): Record<string, unknown> {
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
