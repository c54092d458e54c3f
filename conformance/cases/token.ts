/** Token service cases: how a client gets, keeps and renews its token (spec section 1). */
import { type Case, check } from "../case.ts";
import { describeErrors, errors, faultsFired, handshakes, issued, list, minutesBetween, recognized, stsRequests } from "../evidence.ts";

const quotaBody = JSON.stringify({ statusCode: 403, message: "Out of call volume quota. Quota will be replenished in 0.00:05:00." });
const secretParams = ["subscription-key", "ocp-apim-subscription-key", "key"];

export const tokenCases: Case[] = [
  {
    id: "token.post",
    level: "MUST",
    title: "Tokens are requested with POST to /sts/v1.0/issueToken",
    spec: "spec 1: token service URL",
    requires: ["token"],
    judge: (e) => {
      const requests = stsRequests(e);
      return [
        check(requests.length > 0, "the client asked the token service for a token", () => "no token request"),
        check(
          requests.every((r) => r.method === "POST" && r.path.toLowerCase() === "/sts/v1.0/issuetoken"),
          "every token request is POST /sts/v1.0/issueToken",
          () => list(requests.map((r) => `${r.method} ${r.path}`)),
        ),
      ];
    },
  },
  {
    id: "token.key-in-header",
    level: "MUST",
    title: "The subscription key travels in Ocp-Apim-Subscription-Key, never in the URL",
    spec: "spec 1: key",
    requires: ["token"],
    judge: (e) => {
      const requests = stsRequests(e);
      const inQuery = requests.flatMap((r) => Object.keys(r.query ?? {}).filter((name) => secretParams.includes(name.toLowerCase())));
      return [
        check(
          requests.length > 0 && requests.every((r) => r.keySource === "header"),
          "every token request has the key in the Ocp-Apim-Subscription-Key header",
          () => list(requests.map((r) => r.keySource ?? "no key header")),
        ),
        check(inQuery.length === 0, "no token request puts a key in its query string", () => `query parameters: ${list(inQuery)}`),
      ];
    },
  },
  {
    id: "token.empty-body",
    level: "SHOULD",
    title: "The token request has an empty body",
    spec: "spec 1: body",
    requires: ["token"],
    judge: (e) => {
      const bodies = stsRequests(e).map((r) => ({ length: r.headers?.["content-length"], chunked: r.headers?.["transfer-encoding"] }));
      return [
        check(
          bodies.every((b) => (b.length === undefined || b.length === "0") && b.chunked === undefined),
          "every token request has Content-Length 0 (or none) and no chunked body",
          () => list(bodies),
        ),
      ];
    },
  },
  {
    id: "token.reuse",
    level: "SHOULD",
    title: "One token serves every connection within its lifetime",
    spec: "spec 1: lifetime (reuse a token for 9 minutes)",
    requires: ["token"],
    // Sessions at 0, 1 and 2 minutes, on a clock ten times slower than the run's: a client that
    // streams its audio at real-time pace spends 35 mock-seconds on it, not 6 mock-minutes, and is
    // judged like a fast one.
    plan: { sessions: 3, startsAtMinutes: [0, 1, 2] },
    slowdown: 10,
    judge: (e) => {
      const tokens = issued(e);
      const presented = handshakes(e).map((h) => h.tokenTag ?? h.credential.kind);
      return [
        check(tokens.length === 1, "three connections a minute apart use one token", () => `${tokens.length} tokens were issued`),
        // Tokens of one second are identical (the mock signs once a second), so count the requests too.
        check(
          stsRequests(e).length === 1,
          "the token service is asked once",
          () => `${stsRequests(e).length} token requests`,
          () => stsRequests(e),
        ),
        check(
          presented.length === 3 && presented.every((tag) => tag === tokens[0]?.tokenTag),
          "each of the three handshakes presents the token issued",
          () => `handshakes presented: ${list(presented)}`,
        ),
      ];
    },
  },
  {
    id: "token.refresh",
    level: "MUST",
    title: "A new token is fetched before the old one expires",
    spec: "spec 1: lifetime (10 minutes; fetch a new one after 9)",
    requires: ["token", "refresh"],
    // Sessions at 0, 9.8 and 10.9 minutes: the last comes just after the first token's expiry, so
    // a client that keeps its token 11 minutes presents an expired one.
    plan: { sessions: 3, startsAtMinutes: [0, 9.8, 10.9] },
    // The sessions are timed from the client's start, its first token a moment later: on a loaded
    // machine that moment reached 0.9 minutes at the run's scale (540 ms), and an 11-minute token
    // was not yet expired. Three times slower, it has 1.6 s.
    slowdown: 3,
    judge: (e) => {
      const tokens = issued(e);
      const hs = handshakes(e);
      const expired = hs.filter((h) => h.reason === "auth.token_expired");
      const last = hs.at(-1);
      const lastToken = tokens.find((t) => t.tokenTag === last?.tokenTag);
      return [
        check(
          expired.length === 0,
          "no handshake presents an expired token",
          () => `${expired.length} refused as auth.token_expired`,
          () => [...tokens, ...expired].sort((a, b) => a.seq - b.seq),
        ),
        check(
          last?.decision === "accept" && lastToken !== undefined && minutesBetween(lastToken, last) < 10,
          "the connection made 10.9 minutes in uses a token issued less than 10 minutes before",
          () =>
            lastToken
              ? `its token was issued ${minutesBetween(lastToken, last as (typeof hs)[number]).toFixed(1)} minutes before`
              : `last handshake: ${JSON.stringify(last?.reason)}`,
          () => [...tokens, ...hs].sort((a, b) => a.seq - b.seq),
        ),
        check(
          recognized(e).length === 3,
          "all three sessions recognized their audio",
          () => `${recognized(e).length}; ${describeErrors(e)}`,
        ),
      ];
    },
  },
  {
    id: "token.fresh",
    level: "SHOULD",
    title: "A token is presented with at least half a minute of its lifetime left",
    spec: "spec 1: lifetime (10 minutes; Microsoft recommends a new token every 9 minutes)",
    requires: ["token", "refresh"],
    plan: { sessions: 3, startsAtMinutes: [0, 9.8, 10.9] },
    // As token.refresh: a 10-minute token is 9.8 minutes old here only if the first token came soon
    // after the client's start (within 0.3 minutes: 720 ms at four times the run's scale; at three,
    // a client started on a loaded machine took longer once).
    slowdown: 4,
    judge: (e) => {
      const tokens = issued(e);
      const ages = handshakes(e).map((h) => {
        const token = tokens.find((t) => t.tokenTag === h.tokenTag);
        return token === undefined ? Number.NaN : minutesBetween(token, h);
      });
      return [
        check(ages.length === 3, "the client opened three connections", () => `${ages.length}; ${describeErrors(e)}`),
        check(
          // Half a minute, not the minute of the recommended 9-minute refresh: a client checks its
          // token's age a little before the service sees the handshake (the SDK's connect, a loaded
          // machine); a 10-minute client presents one 9.8 minutes old here.
          ages.every((age) => age <= 9.5),
          "each handshake presents a token at most 9.5 minutes old (half a minute or more left)",
          () => `token ages at the handshakes, in minutes: ${list(ages.map((a) => (Number.isNaN(a) ? "not issued" : a.toFixed(1))))}`,
          () => [...tokens, ...handshakes(e)].sort((a, b) => a.seq - b.seq),
        ),
      ];
    },
  },
  {
    id: "token.unauthorized",
    level: "MUST",
    title: "A 401 from the token service is an auth error, not retried in a loop",
    spec: "spec 1: invalid key",
    requires: ["token"],
    setup: { key: "unknown" },
    judge: (e) => {
      const auth = errors(e).filter((x) => x.kind === "auth");
      const requests = stsRequests(e);
      return [
        check(
          auth.length > 0 && auth.every((x) => x.status === undefined || x.status === 401),
          "the client reports an auth error (401)",
          () => describeErrors(e),
        ),
        check(
          requests.length >= 1 && requests.length <= 2,
          "it asks for a token at most twice",
          () => `${requests.length} token requests`,
          requests,
        ),
        check(handshakes(e).length === 0, "it does not open a connection without a token", () => `${handshakes(e).length} handshakes`),
      ];
    },
  },
  {
    id: "token.quota",
    level: "MUST",
    title: "A 403 quota answer from the token service is surfaced as a quota error",
    spec: "spec 1: quota / disabled",
    requires: ["token"],
    setup: {
      faults: [
        { target: "sts", action: { kind: "respond", status: 403, body: quotaBody, headers: { "Content-Type": "application/json" } } },
      ],
    },
    judge: (e) => [
      check(
        errors(e).some((x) => x.kind === "quota" && (x.status === undefined || x.status === 403)),
        "the client reports a quota error (403)",
        () => describeErrors(e),
      ),
      check(
        stsRequests(e).length + faultsFired(e).length <= 4,
        "it does not hammer the token service",
        () => `${faultsFired(e).length} answered 403`,
      ),
    ],
  },
  {
    id: "token.rate-limited",
    level: "MUST",
    title: "A 429 is retried only after its Retry-After",
    spec: "spec 1: rate limit",
    requires: ["token", "retry"],
    // Seconds of Retry-After must not drown in scheduling jitter: 10 times the run's scale.
    slowdown: 10,
    setup: {
      faults: [
        {
          target: "sts",
          times: 1,
          action: {
            kind: "respond",
            status: 429,
            body: JSON.stringify({ error: { code: "429", message: "Too many requests." } }),
            headers: { "Retry-After": "10" },
          },
        },
      ],
    },
    judge: (e) => {
      const limited = faultsFired(e)[0];
      const next = stsRequests(e)[0];
      const waited = limited && next ? (next.at - limited.at) / 1000 : undefined;
      return [
        check(limited !== undefined && next !== undefined, "after the 429 the client asks again", () => "no second token request"),
        // Half a second of slack: at this case's scale, 5 ms of timer jitter.
        check(
          waited !== undefined && waited >= 9.5,
          "it waits the 10 s of Retry-After first",
          () => `it waited ${waited?.toFixed(1)} s`,
          () => [...faultsFired(e), ...stsRequests(e)].sort((a, b) => a.seq - b.seq),
        ),
        check(
          recognized(e).some((r) => r.text === e.expectedText),
          "then it recognizes the audio",
          () => describeErrors(e),
        ),
      ];
    },
  },
  {
    id: "token.server-error-retried",
    level: "SHOULD",
    title: "A 5xx from the token service is retried with growing delays",
    spec: "spec 1 (unconfirmed: the mock answers 503 twice)",
    requires: ["token", "retry"],
    // Delays of a second or two must not drown in scheduling jitter, which a busy machine stretches to
    // half a second: this case runs on wall time (100 times the run's scale).
    slowdown: 100,
    setup: {
      faults: [
        {
          target: "sts",
          times: 2,
          action: { kind: "respond", status: 503, body: JSON.stringify({ error: { code: "503", message: "Service unavailable." } }) },
        },
      ],
    },
    judge: (e) => {
      const times = [...faultsFired(e), ...stsRequests(e)].map((j) => j.at).sort((a, b) => a - b);
      const gaps = times.slice(1).map((t, i) => (t - (times[i] as number)) / 1000);
      return [
        check(times.length === 3, "two 503s, then a third request that gets the token", () => `${times.length} token requests`),
        check(
          gaps.length === 2 && (gaps[0] as number) >= 0.5 && (gaps[1] as number) > (gaps[0] as number),
          "the delays before retrying grow",
          () => `delays: ${list(gaps.map((g) => `${g.toFixed(1)} s`))}`,
          () => [...faultsFired(e), ...stsRequests(e)].sort((a, b) => a.seq - b.seq),
        ),
        check(
          recognized(e).some((r) => r.text === e.expectedText),
          "then it recognizes the audio",
          () => describeErrors(e),
        ),
      ];
    },
  },
  {
    id: "token.server-error-bounded",
    level: "MUST",
    title: "A token service that keeps failing is given up on, and the error surfaced",
    spec: "spec 1",
    requires: ["token"],
    setup: {
      faults: [
        {
          target: "sts",
          action: { kind: "respond", status: 500, body: JSON.stringify({ error: { code: "500", message: "Internal server error." } }) },
        },
      ],
    },
    judge: (e) => [
      check(
        errors(e).some((x) => x.kind === "server" && (x.status === undefined || x.status === 500)),
        "the client reports a server error (500)",
        () => describeErrors(e),
      ),
      check(faultsFired(e).length <= 5, "after at most 5 attempts", () => `${faultsFired(e).length} attempts`),
    ],
  },
  {
    id: "token.hung",
    level: "MUST",
    title: "A token request that never gets an answer is abandoned after a timeout",
    spec: "spec 1",
    requires: ["token"],
    setup: { faults: [{ target: "sts", action: { kind: "hang" } }] },
    judge: (e) => [
      check(
        errors(e).some((x) => x.kind === "timeout"),
        "the client reports a timeout",
        () => describeErrors(e),
      ),
      check(faultsFired(e).length <= 5, "after at most 5 attempts", () => `${faultsFired(e).length} attempts`),
    ],
  },
];
