import { type Context, Hono } from "hono";
import pkg from "../../package.json" with { type: "json" };
import type { MockContext } from "../context.ts";
import type { JournalEntry } from "../journal.ts";
import { resource, toResource } from "../subscriptions/schema.ts";
import { parseDuration } from "./duration.ts";
import { faultRule } from "./fault-rules.ts";
import { controlGuard } from "./guard.ts";
import { type ControlRoute, openApiDocument } from "./openapi.ts";
import { controlPrefix } from "./prefix.ts";
import {
  clipPath,
  clipScript,
  clockAdvance,
  clockSet,
  type JournalQuery,
  journalPageSize,
  journalQuery,
  keyRegeneration,
  nextScript,
  resourcePatch,
} from "./schemas.ts";
import { jsonBody, queryObject, validate } from "./validation.ts";

const invalidBodyText = "The body is invalid: each problem's field, value and what was expected";

const clockStateText = '{ now (ms since the epoch), iso, mode ("system", "offset" or "frozen"), offsetMs }';

/** The control plane's routes, as data: they register the handlers and generate the OpenAPI document. */
export const controlRoutes: readonly ControlRoute[] = [
  { method: "get", path: "/health", summary: "200 once the mock is listening: for CI to wait on", responses: { 200: '{"status":"ok"}' } },
  { method: "get", path: "/openapi.json", summary: "This document", responses: { 200: "The OpenAPI 3.1 document" } },
  {
    method: "get",
    path: "/journal",
    summary:
      "What the mock saw and did, oldest first: token requests, handshakes, REST requests, unrouted requests, protocol messages, violations, notices, turns, closes",
    query: journalQuery,
    responses: {
      200:
        "{ entries, next?, more, size, capacity, dropped, bytes, maxBytes }: without limit, the oldest 1000 matching entries after since, " +
        "and next (pass it as since) when more follow; with limit, the newest; a page is at most 8 MiB (estimated)",
      400: "A query parameter is invalid: each problem's field, value and what was expected",
    },
  },
  { method: "delete", path: "/journal", summary: "Empties the journal and resets its dropped counter", responses: { 204: "Emptied" } },
  {
    method: "get",
    path: "/clock",
    summary: "The mock's clock: the time that stamps, issues and verifies tokens and times idle and lifetime limits",
    responses: { 200: clockStateText },
  },
  {
    method: "put",
    path: "/clock",
    summary: "Sets the clock to a time; it runs from there, or stands still with frozen: true. Timers now due fire at once",
    body: clockSet,
    responses: { 200: clockStateText, 400: "The body is invalid: each problem's field, value and what was expected" },
  },
  {
    method: "post",
    path: "/clock/advance",
    summary: 'Moves the clock forward ("9m", "30s", "1h30m", "250ms" or milliseconds); tokens expire and idle connections close as due',
    body: clockAdvance,
    responses: { 200: clockStateText, 400: "The body is invalid: each problem's field, value and what was expected" },
  },
  { method: "delete", path: "/clock", summary: "Puts the clock back on system time, running", responses: { 200: clockStateText } },
  {
    method: "get",
    path: "/faults",
    summary: "The fault rules, in the order they are tried, each with how often it fired",
    responses: { 200: "{ faults }" },
  },
  {
    method: "post",
    path: "/faults",
    summary:
      "Adds a fault rule: for the token service or the REST API for short audio (respond with a status, body and headers; delay; hang; reset), " +
      "the handshake (refuse; delay; hang) or a protocol message (close; malformed), " +
      "optionally for one resource or connection, at most `times` times, with a seeded `probability`. Each firing is journaled",
    body: faultRule,
    responses: { 201: "The rule, with its id", 400: "The body is invalid: each problem's field, value and what was expected" },
  },
  { method: "delete", path: "/faults", summary: "Removes every fault rule", responses: { 204: "Removed" } },
  { method: "delete", path: "/faults/{id}", summary: "Removes one fault rule", responses: { 204: "Removed", 404: "No such rule" } },
  { method: "get", path: "/resources", summary: "The resources as they are now, with their keys", responses: { 200: "{ resources }" } },
  {
    method: "post",
    path: "/resources",
    summary: "Adds a resource, in the fixtures file's shape",
    body: resource,
    responses: { 201: "The resource", 400: invalidBodyText, 409: "Its name, a key or its subscription id is already in use" },
  },
  {
    method: "patch",
    path: "/resources/{name}",
    summary: "Enables or disables a resource, or puts it out of quota",
    body: resourcePatch,
    responses: { 200: "The resource", 400: invalidBodyText, 404: "No such resource" },
  },
  {
    method: "delete",
    path: "/resources/{name}",
    summary: "Removes a resource: its keys stop working and its tokens are refused (auth.token_revoked)",
    responses: { 204: "Removed", 404: "No such resource" },
  },
  {
    method: "post",
    path: "/resources/{name}/regenerate-key",
    summary:
      "Gives the primary or secondary key a new value: the old one stops working, tokens already issued stay valid until they expire",
    body: keyRegeneration,
    responses: { 200: "The resource with its new key", 400: invalidBodyText, 404: "No such resource" },
  },
  {
    method: "put",
    path: "/transcripts/{sha256}",
    summary: "Scripts what the mock hears in one clip, by the SHA-256 of its PCM (speechmock hash prints it)",
    body: clipScript,
    responses: { 200: "{ sha256, phrases }", 400: invalidBodyText },
  },
  {
    method: "delete",
    path: "/transcripts/{sha256}",
    summary: "Back to what the transcripts file says of that clip",
    responses: { 204: "Unscripted", 404: "The clip was not scripted" },
  },
  {
    method: "post",
    path: "/transcripts/next",
    summary: "Queues what the next turn, on any connection, is heard as, whatever its audio",
    body: nextScript,
    responses: { 201: "{ queued }: scripts waiting", 400: invalidBodyText },
  },
  {
    method: "post",
    path: "/reset",
    summary: "Back to the start-up state: resources, fault rules, clock, journal and scripted transcripts",
    responses: { 204: "Reset" },
  },
];

/** `/faults/{id}` as a pattern that `/faults/fault-1` matches. */
const pathPattern = (path: string): RegExp => new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);

/** Back to the start-up state: resources, fault rules, clock and journal. The API's `reset()` too. */
export function resetToStart(ctx: MockContext): void {
  ctx.resources.replaceAll(ctx.options.resources);
  ctx.faults.clear();
  ctx.clock.reset();
  ctx.journal.clear();
  ctx.transcripts.reset();
}

/** A new key as Azure makes them: 32 hex digits. */
const newKey = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

const bearerOf = (header: string | undefined): string => /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? "";

/** Compares without stopping at the first difference, so timing does not tell how much was right. */
const sameSecret = (given: string, expected: string): boolean => {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return diff === 0;
};

const matches =
  (query: JournalQuery) =>
  (entry: JournalEntry): boolean =>
    (query.type === undefined || entry.type === query.type) &&
    (query.connectionId === undefined ||
      ("connectionId" in entry && entry.connectionId?.toLowerCase() === query.connectionId.toLowerCase())) &&
    (query.since === undefined || entry.seq > query.since) &&
    (query.outcome === undefined || outcomesOf(entry).includes(query.outcome));

/** What `outcome` matches in an entry: its reason, decision, status, close code or violation code. */
const outcomesOf = (entry: JournalEntry): string[] => {
  const e = entry as Partial<Record<"reason" | "decision" | "status" | "code", unknown>>;
  return [e.reason, e.decision, e.status, e.code].filter((v) => v !== undefined).map(String);
};

/** The control plane, mounted at `controlPrefix`. */
export function createControlApp(ctx: MockContext): Hono {
  const app = new Hono();
  const document = openApiDocument(controlPrefix, controlRoutes, pkg.version);
  const { adminToken } = ctx.options;
  // Host (421), Origin (403) and Content-Type (415) first: a web page must not drive the mock.
  app.use(`${controlPrefix}/*`, controlGuard(ctx.options));
  if (adminToken !== undefined) {
    // Health stays open, so CI can wait for the mock without the secret; it tells nothing.
    app.use(`${controlPrefix}/*`, async (c, next) => {
      if (c.req.path === `${controlPrefix}/health` || sameSecret(bearerOf(c.req.header("authorization")), adminToken)) return next();
      const message = "The control plane needs the admin token: Authorization: Bearer <token>";
      return c.json({ error: { code: "ERR_UNAUTHORIZED", message } }, 401, { "WWW-Authenticate": 'Bearer realm="speechmock"' });
    });
  }
  app.get(`${controlPrefix}/health`, (c) => c.json({ status: "ok" }));
  app.get(`${controlPrefix}/openapi.json`, (c) => c.json(document));
  app.get(`${controlPrefix}/journal`, (c) => {
    const parsed = validate(journalQuery, queryObject(c, ["since", "limit"]), "query");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const { journal } = ctx;
    const { since, limit } = parsed.value;
    // Without a limit, a page of the oldest after `since`, and `next` for the following one; with a
    // limit, the newest. Either way bounded in entries and bytes, so the answer is always readable.
    const page = journal.page({ since, filter: matches(parsed.value), limit: limit ?? journalPageSize, newest: limit !== undefined });
    return c.json({
      entries: page.entries,
      ...(page.next === undefined ? {} : { next: page.next }),
      more: page.more,
      size: journal.size,
      capacity: journal.capacity,
      dropped: journal.dropped,
      bytes: journal.bytes,
      maxBytes: journal.maxBytes,
    });
  });
  app.delete(`${controlPrefix}/journal`, (c) => {
    ctx.journal.clear();
    return c.body(null, 204);
  });
  const clockState = () => {
    const now = ctx.clock.now();
    return { now, iso: new Date(now).toISOString(), mode: ctx.clock.mode, offsetMs: ctx.clock.offsetMs };
  };
  app.get(`${controlPrefix}/clock`, (c) => c.json(clockState()));
  app.put(`${controlPrefix}/clock`, async (c) => {
    const parsed = validate(clockSet, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const { time, frozen } = parsed.value;
    ctx.clock.set(typeof time === "number" ? time : Date.parse(time), frozen ?? false);
    return c.json(clockState());
  });
  app.post(`${controlPrefix}/clock/advance`, async (c) => {
    const parsed = validate(clockAdvance, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const { by } = parsed.value;
    ctx.clock.advance(typeof by === "number" ? by : (parseDuration(by) as number));
    return c.json(clockState());
  });
  app.delete(`${controlPrefix}/clock`, (c) => {
    ctx.clock.reset();
    return c.json(clockState());
  });
  app.get(`${controlPrefix}/faults`, (c) => c.json({ faults: ctx.faults.list() }));
  app.post(`${controlPrefix}/faults`, async (c) => {
    const parsed = validate(faultRule, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    return c.json(ctx.faults.add(parsed.value), 201);
  });
  app.delete(`${controlPrefix}/faults`, (c) => {
    ctx.faults.clear();
    return c.body(null, 204);
  });
  app.delete(`${controlPrefix}/faults/:id`, (c) => {
    const id = c.req.param("id");
    if (ctx.faults.remove(id)) return c.body(null, 204);
    return c.json(
      { error: { code: "ERR_NOT_FOUND", message: `No fault rule ${JSON.stringify(id)}; GET ${controlPrefix}/faults lists them` } },
      404,
    );
  });
  const noResource = (c: Context, name: string) =>
    c.json(
      { error: { code: "ERR_NOT_FOUND", message: `No resource named ${JSON.stringify(name)}; GET ${controlPrefix}/resources lists them` } },
      404,
    );
  app.get(`${controlPrefix}/resources`, (c) => c.json({ resources: ctx.resources.list() }));
  app.post(`${controlPrefix}/resources`, async (c) => {
    const parsed = validate(resource, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const added = toResource(parsed.value);
    const conflict = ctx.resources.conflictOf(added);
    if (conflict) return c.json({ error: { code: "ERR_CONFLICT", message: conflict } }, 409);
    ctx.resources.add(added);
    return c.json(added, 201);
  });
  app.patch(`${controlPrefix}/resources/:name`, async (c) => {
    const parsed = validate(resourcePatch, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const name = c.req.param("name");
    const changed = ctx.resources.setState(name, parsed.value.state);
    return changed ? c.json(changed) : noResource(c, name);
  });
  app.delete(`${controlPrefix}/resources/:name`, (c) => {
    const name = c.req.param("name");
    return ctx.resources.remove(name) ? c.body(null, 204) : noResource(c, name);
  });
  app.post(`${controlPrefix}/resources/:name/regenerate-key`, async (c) => {
    const parsed = validate(keyRegeneration, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const name = c.req.param("name");
    const changed = ctx.resources.regenerateKey(name, parsed.value.key === "primary" ? 0 : 1, newKey());
    return changed ? c.json(changed) : noResource(c, name);
  });
  const badClip = (c: Context, sha: string) => {
    const parsed = validate(clipPath, { sha256: sha }, "path");
    return parsed.ok ? undefined : c.json(parsed.body, 400);
  };
  app.post(`${controlPrefix}/transcripts/next`, async (c) => {
    const parsed = validate(nextScript, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    const queued = ctx.transcripts.scriptNext(
      "phrases" in parsed.value ? { kind: "phrases", phrases: parsed.value.phrases } : { kind: "noMatch" },
    );
    return c.json({ queued }, 201);
  });
  app.put(`${controlPrefix}/transcripts/:sha256`, async (c) => {
    const sha = c.req.param("sha256");
    const bad = badClip(c, sha);
    if (bad) return bad;
    const parsed = validate(clipScript, await jsonBody(c), "body");
    if (!parsed.ok) return c.json(parsed.body, 400);
    ctx.transcripts.scriptClip(sha, parsed.value.phrases);
    return c.json({ sha256: sha.toLowerCase(), phrases: parsed.value.phrases });
  });
  app.delete(`${controlPrefix}/transcripts/:sha256`, (c) => {
    const sha = c.req.param("sha256");
    const bad = badClip(c, sha);
    if (bad) return bad;
    if (ctx.transcripts.unscriptClip(sha)) return c.body(null, 204);
    return c.json({ error: { code: "ERR_NOT_FOUND", message: `Clip ${sha} was not scripted through the control plane` } }, 404);
  });
  app.post(`${controlPrefix}/reset`, (c) => {
    resetToStart(ctx);
    return c.body(null, 204);
  });
  // Anything else under the prefix: the control plane's own 405 and 404, never the service's.
  app.all(`${controlPrefix}/*`, (c) => {
    const path = c.req.path.slice(controlPrefix.length);
    const allowed = controlRoutes.filter((r) => pathPattern(r.path).test(path)).map((r) => r.method.toUpperCase());
    const see = `see ${controlPrefix}/openapi.json`;
    if (allowed.length > 0) {
      const message = `${c.req.method} is not allowed on ${c.req.path}: expected ${allowed.join(" or ")}; ${see}`;
      return c.json({ error: { code: "ERR_METHOD_NOT_ALLOWED", message } }, 405, { Allow: allowed.join(", ") });
    }
    return c.json({ error: { code: "ERR_NOT_FOUND", message: `No control endpoint ${c.req.path}; ${see}` } }, 404);
  });
  return app;
}
