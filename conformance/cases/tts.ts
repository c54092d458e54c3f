/**
 * Text to speech over REST (tts-and-timing 1): SSML POSTed with the output format in a header,
 * the voices list, and the service's refusals, with the same tokens as recognition.
 */
import { builtinVoices } from "../../mock-server/tts/voices.ts";
import { type Case, check, type Evidence } from "../case.ts";
import { describeErrors, list, synthesized, ttsAttempts, ttsRequests, voicesRead } from "../evidence.ts";
import { authChecks, badRequestChecks, credentialsInHeaders, oneTokenChecks, retryAfterChecks, unauthorizedChecks } from "./http-rules.ts";

const synthesize = { task: "synthesize", api: "rest" } as const;
const plain = { "Content-Type": "text/plain; charset=utf-8" };
/** The voice the plan asks for unless a case says otherwise (`defaultPlan`). */
const defaultVoice = "en-US-JennyNeural";

/** Synthesis requests (the voices list left out) the mock answered itself. */
const speaks = (e: Evidence) => ttsRequests(e).filter((r) => r.method === "POST");

/**
 * The speaks answered 200 with the voice and format asked for, and the client's reported bytes
 * equal to the bodies the mock sent, turn by turn: the checks of every successful synthesis case.
 */
function synthesisChecks(e: Evidence, want: { turns: number; voice: string; format: string }) {
  const requests = speaks(e);
  const refused = requests.filter((r) => r.status !== 200);
  const asked = requests.filter((r) => r.voice !== want.voice || r.format !== want.format);
  const sentBytes = requests.filter((r) => r.status === 200).map((r) => r.audioBytes);
  const got = synthesized(e).map((s) => s.bytes);
  return [
    check(
      requests.length === want.turns,
      `the client made ${want.turns} synthesis request(s), one per turn`,
      () => `${requests.length}; ${describeErrors(e)}`,
    ),
    check(
      refused.length === 0,
      "the mock answered every one with audio (200)",
      () => list(refused.map((r) => `${r.status} ${r.reason}: ${r.detail ?? ""}`)),
      refused,
    ),
    check(
      asked.length === 0,
      `each asks for ${want.voice} in ${want.format}`,
      () => list(asked.map((r) => `${r.voice ?? "no voice"} in ${r.format ?? "no format"}`)),
      asked,
    ),
    check(
      got.length === sentBytes.length && got.length === want.turns && got.every((b, i) => b === sentBytes[i]),
      "the client reports each synthesis with the bytes the mock sent",
      () => `reported: ${list(got)}; sent: ${list(sentBytes)}; ${describeErrors(e)}`,
      requests,
    ),
  ];
}

export const ttsCases: Case[] = [
  {
    id: "tts.synthesize",
    level: "MUST",
    title: "SSML POSTed to the synthesis API comes back as audio, every byte of it",
    spec: "tts-and-timing 1.1, 1.2, 1.5: POST /cognitiveservices/v1, X-Microsoft-OutputFormat, the body is the audio",
    requires: ["tts"],
    plan: { ...synthesize, turns: 2 },
    judge: (e) => synthesisChecks(e, { turns: 2, voice: defaultVoice, format: "riff-24khz-16bit-mono-pcm" }),
  },
  {
    id: "tts.auth",
    level: "MUST",
    title: "Synthesis requests carry an issued token (or the key) in a header, never in the URL",
    spec: "tts-and-timing 1.2: Authorization: Bearer or Ocp-Apim-Subscription-Key",
    requires: ["tts"],
    plan: { ...synthesize, sessions: 2 },
    judge: (e) => authChecks(e, ttsRequests(e), 2, "synthesis"),
  },
  {
    id: "tts.token-reuse",
    level: "SHOULD",
    title: "One token serves syntheses half a minute apart",
    spec: "spec 1: lifetime (reuse a token for 9 minutes); tts-and-timing 1.2",
    requires: ["tts", "token"],
    // As rest.token-reuse: a clock ten times slower, so the requests are half a minute apart.
    plan: { ...synthesize, sessions: 3, startsAtMinutes: [0, 0.5, 1] },
    slowdown: 10,
    judge: (e) => oneTokenChecks(e, speaks(e), 3, "synthesis"),
  },
  {
    id: "tts.ssml-escaped",
    level: "MUST",
    title: "Text with &, <, > and quotes is escaped into well-formed SSML",
    spec: "tts-and-timing 1.4: `&`, `<`, `>` must be escaped (the service refuses the SSML otherwise)",
    requires: ["tts"],
    plan: { ...synthesize, text: `Tom & Jerry's "<best>" show` },
    judge: (e) => {
      const text = `Tom & Jerry's "<best>" show`;
      const requests = speaks(e);
      const spoken = requests.map((r) => (r.status === 200 ? `${r.textLength} characters` : `${r.status} ${r.reason}: ${r.detail ?? ""}`));
      return [
        check(requests.length === 1, "the client made one synthesis request", () => `${requests.length}; ${describeErrors(e)}`),
        check(
          requests.every((r) => r.status === 200 && r.textLength === text.length),
          `the mock parsed the SSML and spoke all ${text.length} characters of the text`,
          () => list(spoken),
          requests,
        ),
        check(synthesized(e).length === 1, "the client reports the synthesis", () => describeErrors(e)),
      ];
    },
  },
  {
    id: "tts.output-format",
    level: "MUST",
    title: "The output format asked for is sent in X-Microsoft-OutputFormat, and its audio read whole",
    spec: "tts-and-timing 1.2 and 1.3: raw-8khz-8bit-mono-mulaw, headerless G.711",
    requires: ["tts"],
    plan: { ...synthesize, outputFormat: "raw-8khz-8bit-mono-mulaw" },
    judge: (e) => synthesisChecks(e, { turns: 1, voice: defaultVoice, format: "raw-8khz-8bit-mono-mulaw" }),
  },
  {
    id: "tts.voices",
    level: "MUST",
    title: "The voices list is read with a credential, every voice of it",
    spec: "tts-and-timing 1.8: GET /cognitiveservices/voices/list, auth header only",
    requires: ["voices"],
    plan: { task: "voices" },
    judge: (e) => {
      const names = builtinVoices().entries.map((v) => v.ShortName);
      const requests = ttsRequests(e).filter((r) => r.method === "GET");
      const read = voicesRead(e);
      const missing = names.filter((n) => !read[0]?.names?.includes(n));
      return [
        check(
          requests.length === 1 && requests[0]?.status === 200,
          "the client read the list once, answered 200",
          () => `${list(requests.map((r) => `${r.status} ${r.reason}`))}; ${describeErrors(e)}`,
          requests,
        ),
        credentialsInHeaders(e, requests, "presenting"),
        check(
          read.length === 1 && read[0]?.count === names.length,
          `the client reports ${names.length} voices, as the list holds`,
          () => `reported: ${list(read.map((r) => r.count))}`,
        ),
        check(missing.length === 0, "and their short names", () => `missing: ${list(missing)}`),
      ];
    },
  },
  {
    id: "tts.unknown-voice",
    level: "MUST",
    title: "A 400 for an unknown voice is surfaced, not retried",
    spec: "tts-and-timing 1.6: 400 when a value passed is invalid (an unknown voice)",
    requires: ["tts"],
    plan: { ...synthesize, voice: "en-US-NobodyNeural" },
    judge: (e) => {
      const attempts = ttsAttempts(e);
      return [
        check(
          speaks(e).some((r) => r.status === 400 && r.reason === "request.voice_unknown"),
          "the mock refused the voice with 400",
          () => list(speaks(e).map((r) => `${r.status} ${r.reason}`)),
          speaks(e),
        ),
        ...badRequestChecks(e, attempts),
        check(synthesized(e).length === 0, "it reports no synthesis", () => list(synthesized(e))),
      ];
    },
  },
  {
    id: "tts.unauthorized",
    level: "MUST",
    title: "A 401 from the synthesis API is an auth error, tried at most twice",
    spec: "tts-and-timing 1.6: 401 when the key or token is invalid or for another region",
    requires: ["tts"],
    plan: synthesize,
    setup: { faults: [{ target: "tts", action: { kind: "respond", status: 401, body: "Unauthorized.", headers: plain } }] },
    judge: (e) => [
      ...unauthorizedChecks(e, ttsAttempts(e)),
      check(synthesized(e).length === 0, "it reports no synthesis", () => list(synthesized(e))),
    ],
  },
  {
    id: "tts.throttled",
    level: "MUST",
    title: "A 429 from the synthesis API is retried only after its Retry-After",
    spec: "tts-and-timing 1.6 and 1.7: 429 when a quota or rate is exceeded; spec 1: rate limit",
    requires: ["tts", "retry"],
    // As rest.throttled: 10 s of Retry-After on a clock ten times slower than the run's.
    slowdown: 10,
    plan: synthesize,
    setup: {
      faults: [
        {
          target: "tts",
          times: 1,
          action: { kind: "respond", status: 429, body: "Too many requests.", headers: { ...plain, "Retry-After": "10" } },
        },
      ],
    },
    judge: (e) => {
      const next = speaks(e)[0];
      return [
        ...retryAfterChecks(e, "tts", next, ttsAttempts(e), "the SSML"),
        check(synthesized(e).length === 1 && next?.status === 200, "then it reports the synthesis", () => describeErrors(e)),
      ];
    },
  },
];
