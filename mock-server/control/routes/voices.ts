import type { Context } from "hono";
import { voiceEntry } from "../../tts/voices.ts";
import { controlPrefix } from "../prefix.ts";
import { invalidBodyText, route } from "../route.ts";
import type { InvalidRequestBody } from "../validation.ts";

const noVoice = (c: Context, shortName: string) =>
  c.json(
    {
      error: {
        code: "ERR_NOT_FOUND",
        message: `No voice with short name ${JSON.stringify(shortName)}; GET ${controlPrefix}/voices lists them`,
      },
    },
    404,
  );

/** The path names one voice and the body another: the same 400 as any invalid body field. */
const nameMismatch = (path: string, body: string): InvalidRequestBody => {
  const expected = `Expected ${JSON.stringify(path)}, the short name in the path`;
  return {
    error: {
      code: "ERR_REQUEST_INVALID",
      message: `Invalid body field ShortName: ${JSON.stringify(body)}: ${expected}`,
      problems: [{ field: "ShortName", value: body, expected }],
    },
  };
};

export const voiceRoutes = [
  route({
    method: "get",
    path: "/voices",
    summary: "The voices as voices/list serves them now",
    responses: { 200: "{ voices }: entries in the voices fixture's shape" },
    handle: (c, ctx) => c.json({ voices: ctx.voices.entries }),
  }),
  route({
    method: "put",
    path: "/voices/{shortName}",
    summary:
      "Adds a voice, or replaces the one with that short name, in the voices fixture's entry shape: synthesis and voices/list use it at once",
    body: voiceEntry,
    responses: {
      200: "Replaced: the entry",
      201: "Added: the entry",
      400: `${invalidBodyText}; or its ShortName is not the path's`,
      409: "Its Name or ShortName is another voice's name",
    },
    handle: (c, ctx, { body }) => {
      const shortName = c.req.param("shortName") as string;
      if (body.ShortName !== shortName) return c.json(nameMismatch(shortName, body.ShortName), 400);
      const conflict = ctx.voices.conflictOf(body);
      if (conflict) return c.json({ error: { code: "ERR_CONFLICT", message: conflict } }, 409);
      return c.json(body, ctx.voices.put(body) === "added" ? 201 : 200);
    },
  }),
  route({
    method: "delete",
    path: "/voices/{shortName}",
    summary: "Removes a voice: voices/list leaves it out and SSML naming it is refused as an unknown voice",
    responses: { 204: "Removed", 404: "No voice with that short name" },
    handle: (c, ctx) => {
      const shortName = c.req.param("shortName") as string;
      return ctx.voices.remove(shortName) ? c.body(null, 204) : noVoice(c, shortName);
    },
  }),
];
