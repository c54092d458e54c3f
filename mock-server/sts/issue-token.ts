import { Hono } from "hono";
import { cors } from "hono/cors";
import { epochSeconds } from "../clock.ts";
import { gateDeps, type MockContext } from "../context.ts";
import { applyFault } from "../faults/apply.ts";
import { authorizeKey, type KeyRefusal } from "../gate/authorize.ts";
import { ambiguousCredential, readCredential, stsCredentials, subscriptionKeyName } from "../gate/credentials.ts";
import type { StsReason } from "../reasons.ts";
import { redact, redactedHeaders, redactedQuery, tokenTag } from "../redact.ts";
import type { Resource } from "../subscriptions/resource.ts";
import { invalidKeyBody, jsonHeaders, methodNotAllowedBody, quotaExceededBody, resourceDisabledBody } from "./bodies.ts";

/** Lower case: the root app matches `/sts/` paths case-insensitively, as the service does. */
export const issueTokenPath = "/sts/v1.0/issuetoken";

type Outcome =
  | { status: 200; reason: "sts.issued"; resource: Resource }
  | { status: 401 | 403; reason: StsReason; body: string; resource?: Resource };

/** The gate's key refusals under the token service's own names. */
const stsReasonOf: Record<KeyRefusal, StsReason> = {
  "auth.empty": "sts.key_missing",
  "auth.key_unknown": "sts.key_unknown",
  "auth.wrong_region": "sts.wrong_region",
  "auth.resource_disabled": "sts.resource_disabled",
  "auth.quota_exceeded": "sts.quota_exceeded",
};

/** The token service refuses a key of a resource out of quota, whatever `--quota-exceeded` says of sockets. */
const stsPolicy = { overQuota: "refuse" } as const;

/**
 * The token service's decision for a key: the auth gate's (`gate/authorize.ts`), answered with the
 * token service's statuses and bodies. Free of HTTP so it reads as the rules it implements.
 */
export function decideIssue(key: string | undefined, keyInQueryRefused: boolean, region: string, ctx: MockContext): Outcome {
  if (key === undefined) {
    return { status: 401, reason: keyInQueryRefused ? "sts.key_in_query_disabled" : "sts.key_missing", body: invalidKeyBody };
  }
  const decision = authorizeKey(key, region, gateDeps(ctx), stsPolicy);
  if (decision.ok) return { status: 200, reason: "sts.issued", resource: decision.resource };
  const reason = stsReasonOf[decision.reason];
  const { resource } = decision;
  switch (decision.reason) {
    case "auth.resource_disabled":
      return { status: 403, reason, body: resourceDisabledBody, resource };
    case "auth.quota_exceeded":
      return { status: 403, reason, body: quotaExceededBody(resource?.quotaRenewsIn ?? "0.01:00:00"), resource };
    default:
      return resource ? { status: 401, reason, body: invalidKeyBody, resource } : { status: 401, reason, body: invalidKeyBody };
  }
}

/** What the journal keeps of a token request besides the log line: headers, query, the token's tag. */
function journalDetails(request: Request, token?: string) {
  return {
    headers: redactedHeaders(request.headers),
    // Token requests rarely carry a query string; skip parsing the URL for them (a hot path).
    ...(request.url.includes("?") ? { query: redactedQuery(new URL(request.url)) } : {}),
    ...(token === undefined ? {} : { tokenTag: tokenTag(token) }),
  };
}

/** `POST /sts/v1.0/issueToken`: a subscription key in, a signed JWT out as plain text. */
export function createStsApp(ctx: MockContext): Hono {
  const app = new Hono();
  const { stsKeyInQuery, tokenLifetimeSeconds } = ctx.options;
  const credentials = stsCredentials(stsKeyInQuery);

  // Browser pages on other origins call the token service directly (the SDK's samples do).
  const preflight = cors({
    origin: "*",
    allowMethods: ["POST", "OPTIONS"],
    allowHeaders: [subscriptionKeyName, "Content-Type", "Authorization", "X-ClientTraceId"],
    maxAge: 86_400,
  });
  app.use(issueTokenPath, (c, next) => {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    // The one header `cors` adds to other requests when origin is "*". Set before the handler
    // runs, through `c.header`: `cors` writes to `c.res.headers`, which makes Hono rebuild the
    // handler's response as a streamed one, and @hono/node-server then takes its slow path
    // (about a third of the time of a token request on Node).
    c.header("Access-Control-Allow-Origin", "*");
    return next();
  });

  app.all(issueTokenPath, async (c) => {
    const method = c.req.method;
    const region = ctx.regionOf(c.req.header("host"));
    const url = new URL(c.req.url);
    const path = url.pathname;
    const credential = readCredential(c.req.raw.headers, url, credentials);
    const key = credential.kind === "key" ? credential.raw : undefined;
    const keySource = credential.kind === "key" ? credential.source : undefined;
    const keyInQueryRefused = credential.kind === "none" && credential.ignored === "query";
    if (method !== "POST") {
      ctx.report(
        { type: "sts.request", method, path, region, status: 405, reason: "sts.method_not_allowed", key: redact(key), keySource },
        journalDetails(c.req.raw),
      );
      return c.body(methodNotAllowedBody(method), 405, { ...jsonHeaders, Allow: "POST" });
    }

    // A fault rule of the control plane may answer instead, or delay the answer.
    if (!ctx.faults.isEmpty) {
      const resource = key === undefined ? undefined : ctx.resources.byKey(key.trim())?.name;
      const faulted = await applyFault(ctx, c, "sts", { resource, key: key?.trim() });
      if (faulted) return faulted;
    }

    const outcome: Outcome =
      ambiguousCredential(c.req.raw.headers, url, credentials) === undefined
        ? decideIssue(key, keyInQueryRefused, region, ctx)
        : { status: 401, reason: "sts.key_ambiguous", body: invalidKeyBody };
    // Signed before it is reported: a journal listener may move the clock on seeing it.
    const token =
      outcome.status === 200
        ? await ctx.signer.sign(outcome.resource, region, epochSeconds(ctx.options.clock) + tokenLifetimeSeconds)
        : undefined;
    ctx.report(
      {
        type: "sts.request",
        method,
        path,
        region,
        status: outcome.status,
        reason: outcome.reason,
        key: redact(key),
        keySource,
        resource: outcome.resource?.name,
      },
      journalDetails(c.req.raw, token),
    );
    if (outcome.status !== 200) return c.body(outcome.body, outcome.status, jsonHeaders);
    return c.text(token as string, 200);
  });

  return app;
}
