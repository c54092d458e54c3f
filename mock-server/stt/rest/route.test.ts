/**
 * The REST API for short audio in process (`app.request`, no sockets): every status, body and
 * journal entry. `rest.e2e.test.ts` repeats the essentials over real sockets on both runtimes.
 */
import { readFileSync } from "node:fs";
import type { UpgradeWebSocket } from "hono/ws";
import t from "tap";
import { oggOpusFile } from "../../../test/support/ogg-opus.ts";
import { createMockApp } from "../../app.ts";
import { epochSeconds, ManualClock } from "../../clock.ts";
import { createContext, type MockContext } from "../../context.ts";
import type { MockEvent } from "../../events.ts";
import { missingCredentialBody } from "../../gate/middleware.ts";
import type { JournalEntry } from "../../journal.ts";
import { speechClaims } from "../../jwt/claims.ts";
import { type MockOptions, resolveOptions } from "../../options.ts";
import { writeRiffHeader } from "../../protocol/riff.ts";
import { invalidKeyBody, quotaExceededBody, resourceDisabledBody } from "../../sts/bodies.ts";
import { jsSha256 } from "../pcm-hash.ts";

const westusKey = "7e57c0de5eec4d0c0000000000000001";
const eastusKey = "7e57c0de5eec4d0c0000000000000003";
const disabledKey = "7e57c0de5eec4d0c0000000000000005";
const quotaKey = "7e57c0de5eec4d0c0000000000000007";
const unknownKey = "0123456789abcdef0123456789abcdef";
const start = 1_745_237_380_250;

const clip = readFileSync(new URL("../../../fixtures/audio/remind-me.wav", import.meta.url));
const conversation = "/speech/recognition/conversation/cognitiveservices/v1";
const wavType = "audio/wav; codecs=audio/pcm; samplerate=16000";
const jsonType = "application/json; charset=utf-8";

const upgradeWebSocket = (() => () => {
  throw new Error("The REST API must never upgrade a request");
}) as unknown as UpgradeWebSocket;

interface Harness {
  ctx: MockContext;
  clock: ManualClock;
  events: MockEvent[];
  post(query: string, headers?: Record<string, string>, body?: Uint8Array | string | null, path?: string): Promise<Response>;
  request(path: string, init: RequestInit): Promise<Response>;
  token(name?: string, region?: string, lifetime?: number): Promise<string>;
  entries(type?: string): JournalEntry[];
}

async function harness(options: MockOptions = {}): Promise<Harness> {
  const clock = new ManualClock(start);
  const events: MockEvent[] = [];
  const ctx = await createContext(resolveOptions({ clock, logger: (e) => events.push(e), ...options }));
  const app = createMockApp(ctx, upgradeWebSocket);
  const request = async (path: string, init: RequestInit) => app.request(path, init);
  return {
    ctx,
    clock,
    events,
    request,
    post: (query, headers = {}, body = clip, path = conversation) =>
      request(`${path}${query}`, { method: "POST", headers: { "Content-Type": wavType, ...headers }, body }),
    token: (name = "speechmock-westus", region, lifetime = 600) => {
      const r = ctx.resources.byName(name);
      if (!r) throw new Error(`No built-in resource ${name}`);
      return ctx.signer.signFresh(speechClaims(r, region ?? r.region, epochSeconds(clock) + lifetime));
    },
    entries: (type = "rest.request") => ctx.journal.entries((e) => e.type === type),
  };
}

const key = (k: string) => ({ "Ocp-Apim-Subscription-Key": k });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A body that arrives in pieces, as a chunked upload does. */
const streamed = (bytes: Uint8Array, size = 4_096): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.slice(at, at + size));
      controller.close();
    },
  });

t.test("recognition", async (t) => {
  const h = await harness();

  t.test("a key and a WAV file get the clip's phrase as simple JSON", async (t) => {
    const res = await h.post("?language=en-US", key(westusKey));
    t.equal(res.status, 200);
    t.equal(res.headers.get("content-type"), jsonType);
    t.equal(res.headers.get("access-control-allow-origin"), "*");
    const body = (await res.json()) as Record<string, unknown>;
    t.same(Object.keys(body), ["RecognitionStatus", "DisplayText", "Offset", "Duration"]);
    t.match(body, { RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils.", Offset: Number, Duration: Number });
  });

  t.test("format=detailed adds NBest, one entry, numbers not strings", async (t) => {
    const body = (await (await h.post("?language=en-US&format=detailed", key(westusKey))).json()) as {
      NBest: Record<string, unknown>[];
      Offset: unknown;
    };
    t.equal(body.NBest.length, 1);
    t.match(body.NBest[0], { Confidence: 0.9, Lexical: "remind me to buy five pencils", ITN: String, MaskedITN: String, Display: String });
    t.equal(typeof body.Offset, "number");
  });

  t.test("the three mode paths all answer", async (t) => {
    for (const mode of ["interactive", "conversation", "dictation"]) {
      const res = await h.post("?language=en-US", key(westusKey), clip, `/speech/recognition/${mode}/cognitiveservices/v1`);
      t.match(await res.json(), { RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils." }, mode);
    }
  });

  t.test("a chunked body is read as it arrives", async (t) => {
    const res = await h.request(`${conversation}?language=en-US`, {
      method: "POST",
      headers: { "Content-Type": 'audio/wav; codec="audio/pcm"; samplerate=16000', ...key(westusKey) },
      body: streamed(clip, 1_000),
      duplex: "half",
    } as RequestInit);
    t.match(await res.json(), { DisplayText: "Remind me to buy 5 pencils." });
  });

  t.test("the control plane's next script wins over the clip", async (t) => {
    h.ctx.transcripts.scriptNext({ kind: "noMatch" });
    t.match(await (await h.post("?language=en-US", key(westusKey))).json(), { RecognitionStatus: "NoMatch" });
    t.match(await (await h.post("?language=en-US", key(westusKey))).json(), { RecognitionStatus: "Success" });
  });

  t.test("Ogg Opus is known by the SHA-256 of the whole body", async (t) => {
    const ogg = oggOpusFile({ ms: 1_500 });
    const headers = { ...key(westusKey), "Content-Type": "audio/ogg; codecs=opus" };
    t.match(await (await h.post("?language=en-US", headers, ogg)).json(), { RecognitionStatus: "NoMatch", Duration: 15_000_000 });
    const hash = jsSha256();
    hash.update(ogg);
    h.ctx.transcripts.scriptClip(hash.hex(), [
      { display: "Opus works.", lexical: "opus works", itn: "opus works", maskedItn: "opus works" },
    ]);
    t.match(await (await h.post("?language=en-US", headers, ogg)).json(), { RecognitionStatus: "Success", DisplayText: "Opus works." });
    t.match(h.entries().at(-1), { audioMs: 1_500, recognitionStatus: "Success", scripted: true, contentType: "audio/ogg; codecs=opus" });
  });
});

t.test("the auth gate", async (t) => {
  const h = await harness();

  t.test("a token is accepted as Bearer in any case, and bare with a notice in the journal", async (t) => {
    const token = await h.token();
    for (const value of [`Bearer ${token}`, `bearer ${token}`, token]) {
      const res = await h.post("?language=en-US", { Authorization: value });
      t.equal(res.status, 200);
    }
    const [b1, b2, bare] = h.entries().slice(-3);
    t.notOk(b1 && "notices" in b1, "no notice for Bearer");
    t.notOk(b2 && "notices" in b2, "no notice for bearer");
    t.match(bare, { reason: "rest.recognized", credential: { kind: "token", source: "header" }, notices: ["auth.bare_token"] });
  });

  t.test("refusals get Azure's statuses and bodies, and the reason header", async (t) => {
    const eastusToken = await h.token("speechmock-eastus-free");
    const expired = await h.token("speechmock-westus", undefined, -10);
    const cases: [Record<string, string>, string, number, string, string][] = [
      [{}, "", 403, missingCredentialBody, "auth.missing"],
      [{}, `&Ocp-Apim-Subscription-Key=${westusKey}`, 403, missingCredentialBody, "auth.missing"],
      [key(""), "", 403, missingCredentialBody, "auth.empty"],
      [key(unknownKey), "", 401, invalidKeyBody, "auth.key_unknown"],
      [key(eastusKey), "", 401, invalidKeyBody, "auth.wrong_region"],
      [bearer(eastusToken), "", 401, invalidKeyBody, "auth.wrong_region"],
      [bearer(expired), "", 401, invalidKeyBody, "auth.token_expired"],
      [{ Authorization: "Basic abc" }, "", 401, invalidKeyBody, "auth.scheme_invalid"],
      [key(disabledKey), "", 403, resourceDisabledBody, "auth.resource_disabled"],
      [key(quotaKey), "", 403, quotaExceededBody("0.07:12:30"), "auth.quota_exceeded"],
      // Two key headers reach the app joined by ", " (see ambiguousCredential): even two valid ones.
      [key(`${westusKey}, ${westusKey}`), "", 401, invalidKeyBody, "auth.ambiguous"],
    ];
    for (const [headers, query, status, body, reason] of cases) {
      const res = await h.post(`?language=en-US${query}`, headers);
      t.equal(res.status, status, reason);
      t.equal(await res.text(), body, reason);
      t.equal(res.headers.get("x-speechmock-reason"), reason, reason);
      t.equal(res.headers.get("access-control-allow-origin"), "*", reason);
      t.match(h.entries().at(-1), { status, reason, detail: String }, reason);
    }
    t.match(h.entries().at(-10), { detail: /credentials in the query string are not accepted here/ });
    t.match(h.entries().at(-1), {
      detail: 'Expected one Ocp-Apim-Subscription-Key, got two or more (repeated headers arrive joined by ", ")',
    });
  });

  t.test("a key used at its region's endpoint (Host) is accepted", async (t) => {
    t.equal((await h.post("?language=en-US", { ...key(eastusKey), Host: "eastus.localhost" })).status, 200);
    t.match(h.entries().at(-1), { region: "eastus", resource: "speechmock-eastus-free" });
  });

  t.test("authorization comes first: a bad key with no language is 401, not 400", async (t) => {
    t.equal((await h.post("", key(unknownKey))).status, 401);
  });
});

t.test("bad requests", async (t) => {
  const h = await harness();
  const wavOf = (pcmBytes: number, rate = 16_000) => {
    const header = writeRiffHeader();
    new DataView(header.buffer).setUint32(24, rate, true);
    const out = new Uint8Array(44 + pcmBytes);
    out.set(header);
    return out;
  };

  const cases: [string, string, Record<string, string>, Uint8Array, string, RegExp][] = [
    ["no language", "", {}, clip, "request.language_missing", /Missing language query parameter/],
    ["an unknown language", "?language=xx-XX", {}, clip, "request.language_unknown", /Unsupported language "xx-XX"/],
    ["a bad format", "?language=en-US&format=verbose", {}, clip, "request.parameter_invalid", /Invalid format "verbose"/],
    ["a bad profanity", "?language=en-US&profanity=bleep", {}, clip, "request.parameter_invalid", /Invalid profanity "bleep"/],
    ["no Content-Type", "?language=en-US", { "Content-Type": "" }, clip, "request.content_type_unsupported", /Missing Content-Type/],
    [
      "another content type",
      "?language=en-US",
      { "Content-Type": "audio/mpeg" },
      clip,
      "request.content_type_unsupported",
      /"audio\/mpeg".*expected "audio\/wav/,
    ],
    [
      "a body that is not WAV",
      "?language=en-US",
      {},
      new TextEncoder().encode("not a wav file at all, really not"),
      "request.audio_invalid",
      /expected "RIFF" and "WAVE"/,
    ],
    ["an empty body", "?language=en-US", {}, new Uint8Array(0), "request.audio_invalid", /The body is empty/],
    ["8 kHz audio", "?language=en-US", {}, wavOf(1_000, 8_000), "request.audio_format_unsupported", /8000 Hz.*expected 16000 Hz/],
    ["more than 60 s of audio", "?language=en-US", {}, wavOf(1_920_002), "request.audio_too_long", /longer than 60 s/],
    [
      "Ogg that is not Opus",
      "?language=en-US",
      { "Content-Type": "audio/ogg" },
      oggOpusFile({ ms: 100, magic: "OggVorbs" }),
      "request.audio_invalid",
      /not OpusHead/,
    ],
  ];
  for (const [name, query, headers, body, reason, message] of cases) {
    t.test(`${name}: 400 naming the problem`, async (t) => {
      const res = await h.post(query, { ...key(westusKey), ...headers }, body);
      t.equal(res.status, 400);
      t.equal(res.headers.get("content-type"), jsonType);
      t.equal(res.headers.get("x-speechmock-reason"), reason);
      t.match(await res.json(), { error: { code: "400", message, reason } });
      t.match(h.entries().at(-1), { status: 400, reason, detail: message, resource: "speechmock-westus" });
    });
  }

  t.test("exactly 60 s of audio is accepted", async (t) => {
    const res = await h.post("?language=en-US", key(westusKey), wavOf(1_920_000));
    t.equal(res.status, 200);
    t.match(h.entries().at(-1), { audioMs: 60_000, recognitionStatus: "InitialSilenceTimeout" });
  });

  t.test("audio over the limit is answered without reading further, and the connection closes", async (t) => {
    const res = await h.request(`${conversation}?language=en-US`, {
      method: "POST",
      headers: { "Content-Type": wavType, ...key(westusKey) },
      body: streamed(wavOf(3_000_000), 65_536),
      duplex: "half",
    } as RequestInit);
    t.equal(res.status, 400);
    t.equal(res.headers.get("connection"), "close");
    const entry = h.entries().at(-1) as { bodyBytes: number };
    t.ok(entry.bodyBytes < 3_000_044, `${entry.bodyBytes} body bytes read of 3000044`);
  });
});

t.test("CORS", async (t) => {
  const h = await harness();
  const res = await h.request(conversation, {
    method: "OPTIONS",
    headers: {
      Origin: "https://example.com",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, ocp-apim-subscription-key, content-type, accept",
    },
  });
  t.equal(res.status, 204);
  t.equal(res.headers.get("access-control-allow-origin"), "*");
  t.match(res.headers.get("access-control-allow-methods"), /POST/);
  const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",");
  for (const header of ["authorization", "ocp-apim-subscription-key", "content-type", "accept"]) t.ok(allowed.includes(header), header);
  t.same(h.entries(), [], "a preflight is not a recognition request");
});

t.test("the journal and the log", async (t) => {
  const h = await harness();
  const token = await h.token();
  await h.post("?language=en-US&format=detailed", bearer(token));
  const [entry] = h.entries();
  t.match(entry, {
    type: "rest.request",
    method: "POST",
    path: conversation,
    region: "westus",
    status: 200,
    reason: "rest.recognized",
    credential: { kind: "token", source: "header", value: /^Bearer eyJ\w{0,4}…\(\d+\)$/ },
    resource: "speechmock-westus",
    language: "en-US",
    contentType: wavType,
    bodyBytes: clip.length,
    audioMs: 2_069,
    recognitionStatus: "Success",
    scripted: true,
    headers: { authorization: /^Bearer eyJ\w{0,4}…\(\d+\)$/ },
    query: { language: "en-US", format: "detailed" },
    tokenTag: token.slice(-12),
  });
  t.notMatch(JSON.stringify(h.ctx.journal.entries()), token, "the whole token appears nowhere");
  const logged = h.events.find((e) => e.type === "rest.request");
  t.match(logged, { reason: "rest.recognized", recognitionStatus: "Success" });

  await h.post("?language=en-US", key(westusKey));
  t.notMatch(JSON.stringify(h.ctx.journal.entries()), westusKey, "the whole key appears nowhere");
  t.match(h.entries().at(-1), { credential: { kind: "key", source: "header", value: "7e57c0…(32)" } });
});

t.test("fault rules with target rest", async (t) => {
  const h = await harness();
  h.ctx.faults.add({ target: "rest", times: 1, action: { kind: "respond", status: 429, headers: { "Retry-After": "3" } } });
  const res = await h.post("?language=en-US", key(westusKey));
  t.equal(res.status, 429);
  t.equal(res.headers.get("retry-after"), "3");
  t.match(h.entries("fault").at(-1), { target: "rest", action: "respond", status: 429, resource: "speechmock-westus" });
  t.equal((await h.post("?language=en-US", key(westusKey))).status, 200, "spent after one");

  t.test("a rule naming a resource matches that resource's tokens too", async (t) => {
    h.ctx.faults.add({ target: "rest", resource: "speechmock-westus", times: 1, action: { kind: "respond", status: 503 } });
    t.equal((await h.post("?language=en-US", key("7e57c0de5eec4d0c0000000000000004"), clip)).status, 401, "other keys are not matched");
    t.equal((await h.post("?language=en-US", bearer(await h.token()))).status, 503);
  });

  t.test("refused requests are refused before any rule fires", async (t) => {
    h.ctx.faults.add({ target: "rest", times: 1, action: { kind: "respond", status: 500 } });
    t.equal((await h.post("?language=en-US", key(unknownKey))).status, 401);
    t.equal((await h.post("?language=en-US", key(westusKey))).status, 500);
  });
});

t.test("requests no route takes", async (t) => {
  const h = await harness();

  t.test("an unknown path gets 404, journaled with its method, host, path and headers", async (t) => {
    const res = await h.request("/speech/recognition/nowhere?subscription-key=secretsecret", {
      method: "POST",
      headers: { Host: "westus.stt.speech.microsoft.com", ...key(westusKey) },
      body: clip,
    });
    t.equal(res.status, 404);
    t.match(h.entries("request.unrouted").at(-1), {
      method: "POST",
      host: "westus.stt.speech.microsoft.com",
      path: "/speech/recognition/nowhere",
      status: 404,
      reason: "request.not_found",
      bodyBytes: clip.length,
      headers: { "ocp-apim-subscription-key": "7e57c0…(32)" },
      query: { "subscription-key": "secret…(12)" },
    });
    t.match(h.events.at(-1), { type: "request.unrouted", headers: Object });
  });

  t.test("a speech path with another method gets 405 naming GET and POST; GET stays the handshake", async (t) => {
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const res = await h.request(conversation, { method, body: method === "DELETE" ? null : "x" });
      t.equal(res.status, 405, method);
      t.equal(res.headers.get("allow"), "GET, POST", method);
      t.match(await res.json(), { error: { code: "405", message: new RegExp(`'${method}' is not supported.*GET or POST`) } });
    }
    t.match(h.entries("request.unrouted").at(-1), { status: 405, reason: "request.method_not_allowed", allow: "GET, POST" });
    const handshake = await h.request(`${conversation}?language=en-US`, { headers: key(westusKey) });
    t.equal(handshake.status, 400, "a GET without a connection id is the handshake's 400");
    t.equal(handshake.headers.get("x-speechmock-reason"), "request.connection_id_missing");
  });

  t.test("the universal path takes GET only", async (t) => {
    const res = await h.request("/stt/speech/universal/v2", { method: "POST", body: clip });
    t.equal(res.status, 405);
    t.equal(res.headers.get("allow"), "GET");
  });
});
