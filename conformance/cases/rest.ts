/**
 * REST API for short audio: one POST of the clip per turn, with the same tokens as the
 * WebSocket (tts-and-timing spec 4).
 */
import { type Case, check } from "../case.ts";
import { describeErrors, errors, list, recognized, restAttempts, restRequests } from "../evidence.ts";
import { authChecks, badRequestChecks, oneTokenChecks, retryAfterChecks, unauthorizedChecks } from "./http-rules.ts";

const rest = { api: "rest" } as const;
const errorBody = (status: number, message: string) => JSON.stringify({ error: { code: String(status), message } });
const json = { "Content-Type": "application/json; charset=utf-8" };

export const restCases: Case[] = [
  {
    id: "rest.recognize",
    level: "MUST",
    title: "A clip POSTed to the REST API for short audio is recognized",
    spec: "tts-and-timing 4.1: POST .../speech/recognition/conversation/cognitiveservices/v1?language=..., WAV PCM 16 kHz",
    requires: ["rest"],
    plan: { ...rest, turns: 2 },
    judge: (e) => {
      const requests = restRequests(e);
      const refused = requests.filter((r) => r.status !== 200);
      const texts = recognized(e).map((r) => `${r.status}: ${r.text ?? ""}`);
      const want = `Success: ${e.expectedText}`;
      return [
        check(requests.length === 2, "the client made one REST request per turn", () => `${requests.length}; ${describeErrors(e)}`),
        check(
          refused.length === 0,
          "the mock took every request (language, Content-Type, audio)",
          () => list(refused.map((r) => `${r.status} ${r.reason}: ${r.detail ?? ""}`)),
          refused,
        ),
        check(
          texts.length === 2 && texts.every((t) => t === want),
          `both turns report ${JSON.stringify(want)}`,
          () => `reported: ${list(texts)}; ${describeErrors(e)}`,
        ),
      ];
    },
  },
  {
    id: "rest.auth",
    level: "MUST",
    title: "REST requests carry an issued token (or the key) in a header, never in the URL",
    spec: "tts-and-timing 4.1: Ocp-Apim-Subscription-Key or Authorization: Bearer",
    requires: ["rest"],
    plan: { ...rest, sessions: 2 },
    judge: (e) => authChecks(e, restRequests(e), 2, "REST"),
  },
  {
    id: "rest.token-reuse",
    level: "SHOULD",
    title: "One token serves REST requests half a minute apart",
    spec: "spec 1: lifetime (reuse a token for 9 minutes); tts-and-timing 4.1",
    requires: ["rest", "token"],
    // As token.reuse: a clock ten times slower, so the requests are half a minute apart whatever the upload took.
    plan: { ...rest, sessions: 3, startsAtMinutes: [0, 0.5, 1] },
    slowdown: 10,
    judge: (e) => oneTokenChecks(e, restRequests(e), 3, "REST"),
  },
  {
    id: "rest.chunked",
    level: "SHOULD",
    title: "The audio is uploaded with Transfer-Encoding: chunked",
    spec: "tts-and-timing 4.1: chunked transfer lets the service start on the audio before the upload ends",
    requires: ["rest"],
    plan: rest,
    judge: (e) => {
      const requests = restRequests(e);
      const encodings = requests.map((r) => r.headers?.["transfer-encoding"] ?? `Content-Length ${r.headers?.["content-length"]}`);
      return [
        check(requests.length === 1, "the client made one REST request", () => `${requests.length}; ${describeErrors(e)}`),
        check(
          encodings.every((t) => t.toLowerCase().includes("chunked")),
          "its body is chunked",
          () => list(encodings),
          requests,
        ),
      ];
    },
  },
  {
    id: "rest.detailed",
    level: "MUST",
    title: "format=detailed is asked for in the query, and NBest is read",
    spec: "tts-and-timing 4.1: format simple | detailed; NBest with Confidence, Lexical, ITN, MaskedITN, Display",
    requires: ["rest", "detailed"],
    plan: { ...rest, format: "detailed" },
    judge: (e) => {
      const requests = restRequests(e);
      const formats = requests.map((r) => r.query?.format ?? "none");
      const want = e.expectedPhrases[0];
      const best = recognized(e)[0]?.nbest?.[0];
      return [
        check(
          requests.length === 1 && formats.every((f) => f.toLowerCase() === "detailed"),
          "the request asks for format=detailed",
          () => `format: ${list(formats)}; ${describeErrors(e)}`,
          requests,
        ),
        check(
          best?.display === want?.display && best?.lexical === want?.lexical && best?.confidence === want?.confidence,
          "the client reports NBest[0] with the service's Display, Lexical and Confidence",
          () => `reported ${JSON.stringify(best ?? null)}, sent ${JSON.stringify(want)}`,
        ),
      ];
    },
  },
  {
    id: "rest.unauthorized",
    level: "MUST",
    title: "A 401 from the REST API is an auth error, tried at most twice",
    spec: "tts-and-timing 4.1: 401 when the key or token is invalid",
    requires: ["rest"],
    plan: rest,
    setup: {
      faults: [{ target: "rest", action: { kind: "respond", status: 401, body: errorBody(401, "Unauthorized."), headers: json } }],
    },
    judge: (e) => [
      ...unauthorizedChecks(e, restAttempts(e)),
      check(!recognized(e).some((r) => r.status === "Success"), "it reports no recognition", () => list(recognized(e))),
    ],
  },
  {
    id: "rest.forbidden",
    level: "MUST",
    title: "A 403 from the REST API is an auth or quota error, tried at most twice",
    spec: "tts-and-timing 4.1 and 4.2: 403 for a missing credential, an exhausted quota, an expired token (2017)",
    requires: ["rest"],
    plan: rest,
    setup: {
      faults: [{ target: "rest", action: { kind: "respond", status: 403, body: errorBody(403, "Forbidden."), headers: json } }],
    },
    judge: (e) => {
      const attempts = restAttempts(e);
      return [
        check(
          errors(e).some((x) => (x.kind === "auth" || x.kind === "quota") && (x.status === undefined || x.status === 403)),
          "the client reports an auth or quota error (403)",
          () => describeErrors(e),
        ),
        check(attempts.length >= 1 && attempts.length <= 2, "after at most 2 requests", () => `${attempts.length} requests`, attempts),
      ];
    },
  },
  {
    id: "rest.bad-request",
    level: "MUST",
    title: "A 400 from the REST API is surfaced, not retried",
    spec: "tts-and-timing 4.1: 400 when the language is missing or unsupported or the audio is invalid",
    requires: ["rest"],
    plan: rest,
    setup: {
      faults: [
        {
          target: "rest",
          action: { kind: "respond", status: 400, body: errorBody(400, "The audio file is invalid."), headers: json },
        },
      ],
    },
    judge: (e) => badRequestChecks(e, restAttempts(e)),
  },
  {
    id: "rest.throttled",
    level: "MUST",
    title: "A 429 from the REST API is retried only after its Retry-After",
    spec: "tts-and-timing 4.1: 429 (quotas shared with the WebSocket); spec 1: rate limit",
    requires: ["rest", "retry"],
    // As token.rate-limited: 10 s of Retry-After on a clock ten times slower than the run's.
    slowdown: 10,
    plan: rest,
    setup: {
      faults: [
        {
          target: "rest",
          times: 1,
          action: {
            kind: "respond",
            status: 429,
            body: errorBody(429, "Too many requests."),
            headers: { ...json, "Retry-After": "10" },
          },
        },
      ],
    },
    judge: (e) => [
      ...retryAfterChecks(e, "rest", restRequests(e)[0], restAttempts(e), "the audio"),
      check(
        recognized(e).some((r) => r.text === e.expectedText),
        "then it recognizes the audio",
        () => describeErrors(e),
      ),
    ],
  },
];
