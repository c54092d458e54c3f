import { phrase } from "../../transcripts/schema.ts";
import * as z from "../../zod.ts";
import { invalidBodyText, route } from "../route.ts";

const phrases = z.array(phrase).check(z.minLength(1, "Expected at least one phrase"));

/** `PUT <admin>/transcripts/{sha256}`: what the mock hears in that clip from now on. */
export const clipScript = z.strictObject({ phrases });

/** `POST <admin>/transcripts/next`: what the next turn is heard as, whatever its audio. */
export const nextScript = z.union(
  [z.strictObject({ phrases }), z.strictObject({ noMatch: z.literal(true) })],
  'Expected {"phrases": [...]} or {"noMatch": true}',
);

/** A clip's key in a path: the hex SHA-256 of its PCM. */
export const clipPath = z.strictObject({
  sha256: z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, "Expected a SHA-256 as 64 hex digits (speechmock hash prints it)")),
});

export const transcriptRoutes = [
  route({
    method: "put",
    path: "/transcripts/{sha256}",
    summary: "Scripts what the mock hears in one clip, by the SHA-256 of its PCM (speechmock hash prints it)",
    params: clipPath,
    body: clipScript,
    responses: { 200: "{ sha256, phrases }", 400: invalidBodyText },
    handle: (c, ctx, { params: { sha256 }, body: { phrases } }) => {
      ctx.transcripts.scriptClip(sha256, phrases);
      return c.json({ sha256: sha256.toLowerCase(), phrases });
    },
  }),
  route({
    method: "delete",
    path: "/transcripts/{sha256}",
    summary: "Back to what the transcripts file says of that clip",
    params: clipPath,
    responses: { 204: "Unscripted", 404: "The clip was not scripted" },
    handle: (c, ctx, { params: { sha256 } }) => {
      if (ctx.transcripts.unscriptClip(sha256)) return c.body(null, 204);
      return c.json({ error: { code: "ERR_NOT_FOUND", message: `Clip ${sha256} was not scripted through the control plane` } }, 404);
    },
  }),
  route({
    method: "post",
    path: "/transcripts/next",
    summary: "Queues what the next turn, on any connection, is heard as, whatever its audio",
    body: nextScript,
    responses: { 201: "{ queued }: scripts waiting", 400: invalidBodyText },
    handle: (c, ctx, { body }) => {
      const queued = ctx.transcripts.scriptNext("phrases" in body ? { kind: "phrases", phrases: body.phrases } : { kind: "noMatch" });
      return c.json({ queued }, 201);
    },
  }),
];
