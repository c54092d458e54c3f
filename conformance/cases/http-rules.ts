/**
 * The rules every REST API of the service shares, for recognition (rest.*) and synthesis (tts.*)
 * alike: the credential in a header, one token reused, a 401 tried at most twice, a 429 retried
 * after its Retry-After. Each judge here takes the API's requests from the journal and a noun for
 * its checks ("REST", "synthesis").
 */
import { type Check, check, type Evidence } from "../case.ts";
import {
  describeErrors,
  errors,
  type Fault,
  faultsFired,
  issued,
  list,
  type RestRequest,
  stsRequests,
  type TtsRequest,
} from "../evidence.ts";

type HttpRequest = RestRequest | TtsRequest;

const secretParams = ["subscription-key", "ocp-apim-subscription-key", "key", "authorization"];

/** How each request presented its credential, in words a failed check can show. */
export function presented(e: Evidence, requests: readonly HttpRequest[]): string[] {
  const tags = new Set(issued(e).map((t) => t.tokenTag));
  return requests.map((r) =>
    r.credential.kind === "key"
      ? `key in ${r.credential.source}`
      : r.credential.kind === "token"
        ? `${r.tokenTag !== undefined && tags.has(r.tokenTag) ? "issued token" : "token not issued here"} in ${r.credential.source}`
        : "no credential",
  );
}

/** The check that each request presents an issued token or the key, in a header. */
export const credentialsInHeaders = (e: Evidence, requests: readonly HttpRequest[], what = "each presents") => {
  const how = presented(e, requests);
  return check(
    how.every((h) => h === "issued token in header" || h === "key in header"),
    `${what} an issued token or the key, in a header`,
    () => list(how),
    requests,
  );
};

/** `count` requests, each with an issued token or the key in a header, and no secret in a query string. */
export function authChecks(e: Evidence, requests: readonly HttpRequest[], count: number, noun: string): Check[] {
  const inQuery = requests.flatMap((r) => Object.keys(r.query ?? {}).filter((name) => secretParams.includes(name.toLowerCase())));
  return [
    check(requests.length === count, `the client made ${count} ${noun} requests`, () => `${requests.length}; ${describeErrors(e)}`),
    credentialsInHeaders(e, requests),
    check(inQuery.length === 0, "no request puts a secret in its query string", () => `query parameters: ${list(inQuery)}`),
  ];
}

/** `count` requests that use one token, asked for once (or the key and no token). */
export function oneTokenChecks(e: Evidence, requests: readonly HttpRequest[], count: number, noun: string): Check[] {
  const keyOnly = requests.length > 0 && requests.every((r) => r.credential.kind === "key");
  const tokens = issued(e);
  const tags = requests.map((r) => r.tokenTag ?? r.credential.kind);
  return [
    check(requests.length === count, `the client made ${count} ${noun} requests`, () => `${requests.length}; ${describeErrors(e)}`),
    check(
      keyOnly || (stsRequests(e).length === 1 && tags.every((tag) => tag === tokens[0]?.tokenTag)),
      "they use one token, asked for once (or the key, and no token)",
      () => `${stsRequests(e).length} token requests; requests presented: ${list(tags)}`,
      [...stsRequests(e), ...requests],
    ),
  ];
}

/** A 401 reported as an auth error after at most two requests (the second with a new token). */
export const unauthorizedChecks = (e: Evidence, attempts: readonly (HttpRequest | Fault)[]): Check[] => [
  check(
    errors(e).some((x) => x.kind === "auth" && (x.status === undefined || x.status === 401)),
    "the client reports an auth error (401)",
    () => describeErrors(e),
  ),
  check(attempts.length >= 1 && attempts.length <= 2, "after at most 2 requests", () => `${attempts.length} requests`, attempts),
];

/** A 400 reported with its status after exactly one request: the same request gets the same answer. */
export const badRequestChecks = (e: Evidence, attempts: readonly (HttpRequest | Fault)[]): Check[] => [
  check(
    errors(e).some((x) => x.status === 400 || (x.status === undefined && x.kind === "protocol")),
    "the client reports an error with status 400",
    () => describeErrors(e),
  ),
  check(attempts.length === 1, "after one request", () => `${attempts.length} requests`, attempts),
];

/** A 429 with `Retry-After: 10` from a fault on `target`, and the next request of the API at least 9.5 s later. */
export function retryAfterChecks(
  e: Evidence,
  target: "rest" | "tts",
  next: HttpRequest | undefined,
  attempts: readonly (HttpRequest | Fault)[],
  resend: string,
): Check[] {
  const limited = faultsFired(e).find((f) => f.target === target);
  const waited = limited && next ? (next.at - limited.at) / 1000 : undefined;
  return [
    check(limited !== undefined && next !== undefined, `after the 429 the client sends ${resend} again`, () => describeErrors(e)),
    check(
      waited !== undefined && waited >= 9.5,
      "it waits the 10 s of Retry-After first",
      () => `it waited ${waited?.toFixed(1)} s`,
      attempts,
    ),
  ];
}
