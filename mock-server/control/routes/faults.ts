import { faultRule } from "../../faults/rules.ts";
import { controlPrefix } from "../prefix.ts";
import { invalidBodyText, route } from "../route.ts";

export const faultRoutes = [
  route({
    method: "get",
    path: "/faults",
    summary: "The fault rules, in the order they are tried, each with how often it fired",
    responses: { 200: "{ faults }" },
    handle: (c, ctx) => c.json({ faults: ctx.faults.list() }),
  }),
  route({
    method: "post",
    path: "/faults",
    summary:
      "Adds a fault rule: for the token service or the REST API for short audio (respond with a status, body and headers; delay; hang; reset), " +
      "the handshake (refuse; delay; hang) or a protocol message (close; malformed), " +
      "optionally for one resource or connection, at most `times` times, with a seeded `probability`. Each firing is journaled",
    body: faultRule,
    responses: { 201: "The rule, with its id", 400: invalidBodyText },
    handle: (c, ctx, { body }) => c.json(ctx.faults.add(body), 201),
  }),
  route({
    method: "delete",
    path: "/faults",
    summary: "Removes every fault rule",
    responses: { 204: "Removed" },
    handle: (c, ctx) => {
      ctx.faults.clear();
      return c.body(null, 204);
    },
  }),
  route({
    method: "delete",
    path: "/faults/{id}",
    summary: "Removes one fault rule",
    responses: { 204: "Removed", 404: "No such rule" },
    handle: (c, ctx) => {
      const id = c.req.param("id") as string;
      if (ctx.faults.remove(id)) return c.body(null, 204);
      return c.json(
        { error: { code: "ERR_NOT_FOUND", message: `No fault rule ${JSON.stringify(id)}; GET ${controlPrefix}/faults lists them` } },
        404,
      );
    },
  }),
];
