/**
 * Fault rules: what to break, when, and how often. A rule matches a target (the token service, the
 * speech handshake, a protocol message or a REST request, optionally one resource, key or connection) and fires its action at most
 * `times` times, each time with `probability`, drawn from a generator seeded by `seed`, so a
 * flaky test is the same flaky test on every run.
 */
import * as z from "../zod.ts";

const status = (min: number, max: number) =>
  z
    .int()
    .check(
      z.minimum(min, `Expected an HTTP status from ${min} to ${max}`),
      z.maximum(max, `Expected an HTTP status from ${min} to ${max}`),
    );
const headerValues = z.record(
  z.string().check(z.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "Expected a header name")),
  z.string().check(z.regex(/^[\t\x20-\x7e]*$/, "Expected a header value of visible ASCII")),
);

const stsAction = z.discriminatedUnion("kind", [
  /** Answer with this status, body and headers instead of a token (401, 403, 429 with Retry-After, 500, 503...). */
  z.strictObject({ kind: z.literal("respond"), status: status(200, 599), body: z.optional(z.string()), headers: z.optional(headerValues) }),
  /** Wait this long, then answer as usual. */
  z.strictObject({
    kind: z.literal("delay"),
    ms: z.int().check(z.minimum(1, "Expected 1 ms or more"), z.maximum(600_000, "Expected at most 600000 ms")),
  }),
  /** Never answer: the request stays open until the client gives up. */
  z.strictObject({ kind: z.literal("hang") }),
  /** Drop the connection without an answer: the client sees a reset or a closed socket. */
  z.strictObject({ kind: z.literal("reset") }),
]);

const handshakeAction = z.discriminatedUnion("kind", [
  /** Refuse the upgrade with this status. */
  z.strictObject({ kind: z.literal("refuse"), status: status(400, 599) }),
  z.strictObject({
    kind: z.literal("delay"),
    ms: z.int().check(z.minimum(1, "Expected 1 ms or more"), z.maximum(600_000, "Expected at most 600000 ms")),
  }),
  z.strictObject({ kind: z.literal("hang") }),
]);

const messageAction = z.discriminatedUnion("kind", [
  /** Close the socket with this code and reason instead of handling the message. */
  z.strictObject({
    kind: z.literal("close"),
    code: z
      .int()
      .check(z.minimum(1000, "Expected a close code from 1000 to 4999"), z.maximum(4999, "Expected a close code from 1000 to 4999")),
    reason: z._default(
      z.string().check(z.maxLength(123, "Expected a reason of at most 123 characters (a close frame's limit)")),
      "Closed by a speechmock fault rule.",
    ),
  }),
  /** Send the client a message it cannot parse (no blank line after its headers), then carry on. */
  z.strictObject({ kind: z.literal("malformed") }),
]);

const common = {
  /** Only requests made with this subscription key (a token's requests: use `resource`). */
  key: z.optional(z.string().check(z.minLength(1, "Expected a subscription key"))),
  /** Only requests with this resource's keys or tokens. */
  resource: z.optional(z.string().check(z.minLength(1, "Expected a resource name"))),
  /** Lets this many matching requests or messages through before it fires (default 0). */
  after: z.optional(z.int().check(z.minimum(0, "Expected 0 or more"))),
  /** Fires at most this many times, then the rule is spent (it stays listed, with `fired`). */
  times: z.optional(z.int().check(z.minimum(1, "Expected 1 or more"))),
  /** Fires on this share of matching requests, 0 < p <= 1 (default 1). */
  probability: z.optional(z.number().check(z.gt(0, "Expected a probability above 0"), z.lte(1, "Expected a probability of at most 1"))),
  /** Seeds the draws of `probability` (default 1). */
  seed: z.optional(z.int()),
};

export const faultRule = z.discriminatedUnion("target", [
  z.strictObject({ target: z.literal("sts"), ...common, action: stsAction }),
  /** The REST API for short audio: the token service's actions, after the auth gate let the request in. */
  z.strictObject({ target: z.literal("rest"), ...common, action: stsAction }),
  /** Text to speech over REST (synthesis, voices, the 2017 API): the same actions, after the auth gate. */
  z.strictObject({ target: z.literal("tts"), ...common, action: stsAction }),
  z.strictObject({
    target: z.literal("handshake"),
    ...common,
    /** Only this connection id (32 hex digits). */
    connectionId: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{32}$/, "Expected a connection id: 32 hex digits"))),
    action: handshakeAction,
  }),
  z.strictObject({
    target: z.literal("message"),
    ...common,
    connectionId: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{32}$/, "Expected a connection id: 32 hex digits"))),
    /** Only messages from the client with this Path (`speech.context` fires at the next turn; `audio` mid-turn). */
    path: z.optional(z.string().check(z.minLength(1, "Expected a message path such as audio or speech.context"))),
    /**
     * Only a turn's first audio message: the message of a turn every client sends, where
     * `speech.context` is optional. With `after: 1`, the second turn's.
     */
    turnStart: z.optional(z.boolean()),
    action: messageAction,
  }),
]);

export type FaultRuleInput = z.output<typeof faultRule>;
export type FaultTarget = FaultRuleInput["target"];
export type StsFaultAction = z.output<typeof stsAction>;
export type HandshakeFaultAction = z.output<typeof handshakeAction>;
export type MessageFaultAction = z.output<typeof messageAction>;
