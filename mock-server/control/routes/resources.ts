import type { Context } from "hono";
import { resource, toResource } from "../../subscriptions/schema.ts";
import * as z from "../../zod.ts";
import { controlPrefix } from "../prefix.ts";
import { invalidBodyText, route } from "../route.ts";

/** `PATCH <admin>/resources/{name}`: a resource's new state. */
export const resourcePatch = z.strictObject({
  state: z.enum(["enabled", "disabled", "quotaExceeded"], 'Expected "enabled", "disabled" or "quotaExceeded"'),
});

/** `POST <admin>/resources/{name}/regenerate-key`: which key gets a new value, as in Azure's portal. */
export const keyRegeneration = z.strictObject({
  key: z.enum(["primary", "secondary"], 'Expected "primary" or "secondary"'),
});

/** A new key as Azure makes them: 32 hex digits. */
const newKey = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

const noResource = (c: Context, name: string) =>
  c.json(
    { error: { code: "ERR_NOT_FOUND", message: `No resource named ${JSON.stringify(name)}; GET ${controlPrefix}/resources lists them` } },
    404,
  );

export const resourceRoutes = [
  route({
    method: "get",
    path: "/resources",
    summary: "The resources as they are now, with their keys",
    responses: { 200: "{ resources }" },
    handle: (c, ctx) => c.json({ resources: ctx.resources.list() }),
  }),
  route({
    method: "post",
    path: "/resources",
    summary: "Adds a resource, in the fixtures file's shape",
    body: resource,
    responses: { 201: "The resource", 400: invalidBodyText, 409: "Its name, a key or its subscription id is already in use" },
    handle: (c, ctx, { body }) => {
      const added = toResource(body);
      const conflict = ctx.resources.conflictOf(added);
      if (conflict) return c.json({ error: { code: "ERR_CONFLICT", message: conflict } }, 409);
      ctx.resources.add(added);
      return c.json(added, 201);
    },
  }),
  route({
    method: "patch",
    path: "/resources/{name}",
    summary: "Enables or disables a resource, or puts it out of quota",
    body: resourcePatch,
    responses: { 200: "The resource", 400: invalidBodyText, 404: "No such resource" },
    handle: (c, ctx, { body }) => {
      const name = c.req.param("name") as string;
      const changed = ctx.resources.setState(name, body.state);
      return changed ? c.json(changed) : noResource(c, name);
    },
  }),
  route({
    method: "delete",
    path: "/resources/{name}",
    summary: "Removes a resource: its keys stop working and its tokens are refused (auth.token_revoked)",
    responses: { 204: "Removed", 404: "No such resource" },
    handle: (c, ctx) => {
      const name = c.req.param("name") as string;
      return ctx.resources.remove(name) ? c.body(null, 204) : noResource(c, name);
    },
  }),
  route({
    method: "post",
    path: "/resources/{name}/regenerate-key",
    summary:
      "Gives the primary or secondary key a new value: the old one stops working, tokens already issued stay valid until they expire",
    body: keyRegeneration,
    responses: { 200: "The resource with its new key", 400: invalidBodyText, 404: "No such resource" },
    handle: (c, ctx, { body }) => {
      const name = c.req.param("name") as string;
      const changed = ctx.resources.regenerateKey(name, body.key === "primary" ? 0 : 1, newKey());
      return changed ? c.json(changed) : noResource(c, name);
    },
  }),
];
