import pkg from "../../../package.json" with { type: "json" };
import { openApiDocument } from "../openapi.ts";
import { controlPrefix } from "../prefix.ts";
import { type ControlRoute, route } from "../route.ts";

/** `GET /openapi.json`: the document of the whole table (`table()`, this row included), built once. */
export function openApiRoutes(table: () => readonly ControlRoute[]): ControlRoute[] {
  let document: Record<string, unknown> | undefined;
  return [
    route({
      method: "get",
      path: "/openapi.json",
      summary: "This document",
      responses: { 200: "The OpenAPI 3.1 document" },
      handle: (c) => {
        document ??= openApiDocument(controlPrefix, table(), pkg.version);
        return c.json(document);
      },
    }),
  ];
}
