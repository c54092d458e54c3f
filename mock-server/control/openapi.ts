/**
 * The control plane's OpenAPI document, generated from the same route table and zod schemas that
 * register and validate the routes, so the document cannot drift from what the server does.
 */
import * as z from "../zod.ts";
import { guardResponses } from "./guard.ts";
import type { ControlRoute } from "./route.ts";

type JsonSchema = { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;

const jsonSchema = (schema: z.core.$ZodType): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema) as JsonSchema;
  return rest;
};

export function openApiDocument(prefix: string, routes: readonly ControlRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      summary: route.summary,
      responses: Object.fromEntries(
        Object.entries({ ...route.responses, ...guardResponses(route.method, route.path) }).map(([status, description]) => [
          status,
          { description },
        ]),
      ),
    };
    const parameters: Record<string, unknown>[] = [...route.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (route.query) {
      const schema = jsonSchema(route.query);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: property });
      }
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (route.body) operation.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } };
    paths[`${prefix}${route.path}`] ??= {};
    (paths[`${prefix}${route.path}`] as Record<string, unknown>)[route.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "speechmock control plane",
      version,
      description:
        "Inspect and steer a running speechmock: health, the journal of what it saw and did, its clock, fault rules and resources.",
    },
    paths,
  };
}
