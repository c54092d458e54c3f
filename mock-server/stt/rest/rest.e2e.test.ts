/**
 * The REST API for short audio, black-box: the real `speechmock serve` under Node and under Deno,
 * real sockets, and three kinds of client (fetch, curl, a Python standard-library script sending
 * a chunked body as community libraries do), with a key and with a token from the mock's own
 * token service. Then every refusal and bad request, `Expect: 100-continue` on a raw socket, fault
 * rules, and a request no route takes.
 */
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { promisify } from "node:util";
import t from "tap";
import { root, runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";

const run = promisify(execFile);
const clipPath = `${root}fixtures/audio/remind-me.wav`;
const clip = readFileSync(clipPath);
const pythonClient = `${root}fixtures/clients/rest/recognize.py`;
const conversation = "/speech/recognition/conversation/cognitiveservices/v1";
const wavType = "audio/wav; codecs=audio/pcm; samplerate=16000";
const expected = "Remind me to buy 5 pencils.";
const unknownKey = "0123456789abcdef0123456789abcdef";
const invalidKeyBody =
  '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}';

const has = (command: string): boolean => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Set when the socket failed (EPIPE, ECONNRESET...) instead of or after the answer. */
  error?: string;
}

/**
 * POSTs `body` with node:http in `chunk`-sized writes (chunked: no Content-Length), reading the
 * answer as soon as it comes, and reporting a socket error instead of throwing it.
 */
function upload(url: string, headers: Record<string, string>, body: Uint8Array, chunk = 16_384): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", headers });
    let settled = false;
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text += d;
      });
      res.on("end", () => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (!settled) resolve({ status: 0, headers: {}, body: "", error: err.code ?? err.message });
    });
    let at = 0;
    const write = () => {
      while (at < body.length) {
        const piece = body.subarray(at, at + chunk);
        at += piece.length;
        if (!req.write(piece)) {
          req.once("drain", write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

/** A raw HTTP/1.1 exchange on a fresh socket: `script` writes, the answer is whatever arrives until close. */
function raw(url: string, script: (socket: ReturnType<typeof connect>, received: () => string) => Promise<void>): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let out = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      out += d;
    });
    socket.on("error", (err) => reject(err));
    socket.on("close", () => resolve(out));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.once("connect", () => {
      script(socket, () => out).catch(reject);
    });
  });
}

/** Resolves true once `check` holds, false if it still does not after `ms`. */
const until = async (check: () => boolean, ms = 3_000): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
};

/** HTTP/1.1 chunked framing of `bytes` in pieces of `size`. */
const chunked = (bytes: Uint8Array, size: number): Buffer => {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), Buffer.from(piece), Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
};

/** A WAV header for 16 kHz mono 16-bit PCM of `pcmBytes` bytes, at `rate` Hz. */
const wavOf = (pcmBytes: number, rate = 16_000): Uint8Array => {
  const out = new Uint8Array(44 + pcmBytes);
  out.set(clip.subarray(0, 44));
  const view = new DataView(out.buffer);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint32(40, pcmBytes, true);
  view.setUint32(4, 36 + pcmBytes, true);
  return out;
};

const journal = async (mock: SpawnedMock, type: string): Promise<Record<string, unknown>[]> =>
  ((await (await fetch(`${mock.ready.admin}/journal?type=${type}`)).json()) as { entries: Record<string, unknown>[] }).entries;

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const { ready } = mock;
    const rest = `${ready.url}${conversation}`;
    const keyOf = (name: string) => ready.resources.find((r) => r.name === name)?.keys[0] as string;
    const westus = keyOf("speechmock-westus");
    const token = async () => (await fetch(ready.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westus } })).text();
    const post = (query: string, headers: Record<string, string>, body: Uint8Array = clip, init: RequestInit = {}) =>
      fetch(`${rest}${query}`, { method: "POST", headers: { "Content-Type": wavType, ...headers }, body, ...init });

    t.test("fetch, curl and Python each hear remind-me.wav, with a key and with a token", async (t) => {
      t.test("fetch", async (t) => {
        const auths: Record<string, string>[] = [{ "Ocp-Apim-Subscription-Key": westus }, { Authorization: `Bearer ${await token()}` }];
        for (const auth of auths) {
          const res = await post("?language=en-US", auth);
          t.equal(res.status, 200);
          t.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
          t.match(await res.json(), { RecognitionStatus: "Success", DisplayText: expected, Offset: Number, Duration: Number });
        }
      });

      t.test("curl", { skip: has("curl") ? false : "curl is not installed" }, async (t) => {
        for (const auth of [`Ocp-Apim-Subscription-Key: ${westus}`, `Authorization: Bearer ${await token()}`]) {
          const { stdout } = await run("curl", [
            "-sS",
            "--fail-with-body",
            "-X",
            "POST",
            `${rest}?language=en-US&format=detailed`,
            "-H",
            auth,
            "-H",
            `Content-Type: ${wavType}`,
            "--data-binary",
            `@${clipPath}`,
          ]);
          const body = JSON.parse(stdout);
          t.match(body, { RecognitionStatus: "Success", DisplayText: expected });
          t.match(body.NBest, [{ Display: expected, Confidence: Number }]);
        }
      });

      t.test("Python urllib, chunked, no Expect", { skip: has("python3") ? false : "python3 is not installed" }, async (t) => {
        for (const extra of [[], ["--token"]]) {
          const { stdout } = await run("python3", [pythonClient, "--endpoint", ready.url, "--key", westus, ...extra, clipPath]);
          t.match(JSON.parse(stdout), { RecognitionStatus: "Success", NBest: [{ Display: expected }] });
        }
        const [withKey, withToken] = (await journal(mock, "rest.request")).slice(-2);
        for (const entry of [withKey, withToken]) {
          t.match(entry, {
            status: 200,
            contentType: 'audio/wav; codec="audio/pcm"; samplerate=16000',
            headers: { "transfer-encoding": "chunked" },
            bodyBytes: clip.length,
          });
          t.notOk((entry?.headers as Record<string, string> | undefined)?.expect, "no Expect header");
        }
        t.match(withToken, { credential: { kind: "token", source: "header" }, tokenTag: String });
      });
    });

    t.test("Expect: 100-continue gets 100 Continue before the body is sent (fixed length and chunked)", async (t) => {
      for (const framing of ["fixed", "chunked"] as const) {
        let continued = false;
        const answer = await raw(ready.url, async (socket, received) => {
          const length = framing === "fixed" ? `Content-Length: ${clip.length}` : "Transfer-Encoding: chunked";
          socket.write(
            `POST ${conversation}?language=en-US HTTP/1.1\r\nHost: 127.0.0.1\r\nOcp-Apim-Subscription-Key: ${westus}\r\n` +
              `Content-Type: ${wavType}\r\n${length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
          );
          continued = await until(() => received().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
          socket.write(framing === "fixed" ? clip : chunked(clip, 7_000));
        });
        t.ok(continued, `${framing}: 100 Continue came before any body byte was sent`);
        const final = answer.slice(answer.indexOf("\r\n\r\n") + 4);
        t.match(final, /^HTTP\/1\.1 200 OK\r\n/i, framing);
        t.match(final, new RegExp(expected.replace(/\./g, "\\.")), framing);
      }
    });

    t.test("a chunked body in odd-sized chunks, without Expect, on a raw socket", async (t) => {
      const answer = await raw(ready.url, async (socket) => {
        socket.write(
          `POST ${conversation}?language=en-US HTTP/1.1\r\nHost: 127.0.0.1\r\nOcp-Apim-Subscription-Key: ${westus}\r\n` +
            'Content-type: audio/wav; codec="audio/pcm"; samplerate=16000\r\nTransfer-encoding: chunked\r\nConnection: close\r\n\r\n',
        );
        socket.write(chunked(clip, 1_001));
      });
      t.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
      t.match(answer, /"DisplayText":"Remind me to buy 5 pencils\."/);
    });

    t.test("refusals: Azure's statuses and bodies, the reason header, never an open body", async (t) => {
      // fetch cannot set Host: node:http asks the token service at eastus for an eastus token.
      const eastusToken = (
        await upload(
          ready.sts,
          { "Ocp-Apim-Subscription-Key": keyOf("speechmock-eastus-free"), Host: "eastus.localhost" },
          new Uint8Array(0),
        )
      ).body;
      const cases: [string, Record<string, string>, string, number, string, RegExp | string][] = [
        ["no credential", {}, "", 403, "auth.missing", /missing subscription key or authorization token/],
        ["a key in the query string", {}, `&Ocp-Apim-Subscription-Key=${westus}`, 403, "auth.missing", /missing/],
        ["an unknown key", { "Ocp-Apim-Subscription-Key": unknownKey }, "", 401, "auth.key_unknown", invalidKeyBody],
        [
          "a key of another region",
          { "Ocp-Apim-Subscription-Key": keyOf("speechmock-eastus-free") },
          "",
          401,
          "auth.wrong_region",
          invalidKeyBody,
        ],
        ["a token of another region", { Authorization: `Bearer ${eastusToken}` }, "", 401, "auth.wrong_region", invalidKeyBody],
        ["a malformed token", { Authorization: "Bearer not.a.token" }, "", 401, "auth.token_malformed", invalidKeyBody],
        ["another scheme", { Authorization: "Basic dXNlcjpwYXNz" }, "", 401, "auth.scheme_invalid", invalidKeyBody],
        [
          "a disabled resource",
          { "Ocp-Apim-Subscription-Key": keyOf("speechmock-disabled") },
          "",
          403,
          "auth.resource_disabled",
          /disabled/,
        ],
        [
          "a resource out of quota",
          { "Ocp-Apim-Subscription-Key": keyOf("speechmock-quota") },
          "",
          403,
          "auth.quota_exceeded",
          /Out of call volume quota/,
        ],
      ];
      for (const [name, headers, query, status, reason, body] of cases) {
        const res = await post(`?language=en-US${query}`, headers);
        t.equal(res.status, status, name);
        t.equal(res.headers.get("x-speechmock-reason"), reason, name);
        if (typeof body === "string") t.equal(await res.text(), body, name);
        else t.match(await res.text(), body, name);
      }
      const entries = (await journal(mock, "rest.request")).slice(-cases.length);
      t.same(
        entries.map((e) => [e.status, e.reason]),
        cases.map(([, , , status, reason]) => [status, reason]),
        "each refusal is journaled with its status and reason",
      );
    });

    t.test("bad requests: 400 with a JSON body naming the problem", async (t) => {
      const key = { "Ocp-Apim-Subscription-Key": westus };
      const cases: [string, string, Record<string, string>, Uint8Array, string, RegExp][] = [
        ["no language", "", {}, clip, "request.language_missing", /Missing language query parameter/],
        ["an unknown language", "?language=xx-XX", {}, clip, "request.language_unknown", /Unsupported language "xx-XX"/],
        ["a bad format", "?language=en-US&format=fancy", {}, clip, "request.parameter_invalid", /Invalid format "fancy"/],
        [
          "an unsupported content type",
          "?language=en-US",
          { "Content-Type": "audio/mpeg" },
          clip,
          "request.content_type_unsupported",
          /audio\/mpeg/,
        ],
        [
          "a body that is not WAV",
          "?language=en-US",
          {},
          new TextEncoder().encode("this is certainly not audio"),
          "request.audio_invalid",
          /RIFF/,
        ],
        ["44.1 kHz audio", "?language=en-US", {}, wavOf(8_820, 44_100), "request.audio_format_unsupported", /44100 Hz/],
      ];
      for (const [name, query, headers, body, reason, message] of cases) {
        const res = await post(query, { ...key, ...headers }, body);
        t.equal(res.status, 400, name);
        t.equal(res.headers.get("x-speechmock-reason"), reason, name);
        t.match(await res.json(), { error: { code: "400", message, reason } }, name);
      }
    });

    t.test("more than 60 s of audio: 400 naming the limit, answered before the upload ends", async (t) => {
      const answer = await upload(
        `${rest}?language=en-US`,
        { "Ocp-Apim-Subscription-Key": westus, "Content-Type": wavType },
        wavOf(4_000_000),
      );
      t.equal(answer.status, 400, `answered (socket: ${answer.error ?? "no error"})`);
      t.match(JSON.parse(answer.body), { error: { reason: "request.audio_too_long", message: /longer than 60 s/ } });
      const [entry] = (await journal(mock, "rest.request")).slice(-1);
      t.match(entry, { status: 400, reason: "request.audio_too_long" });
      t.ok((entry?.bodyBytes as number) < 4_000_044, `stopped reading at ${entry?.bodyBytes} bytes`);
      const after = await post("?language=en-US", { "Ocp-Apim-Subscription-Key": westus });
      t.equal(after.status, 200, "the mock serves the next request");
    });

    t.test("other methods: 405 with Allow; a GET is still the WebSocket handshake", async (t) => {
      const put = await fetch(rest, { method: "PUT", body: "x" });
      t.equal(put.status, 405);
      t.equal(put.headers.get("allow"), "GET, POST");
      t.match(await put.json(), { error: { code: "405", message: /'PUT' is not supported.*GET or POST/ } });
      const get = await fetch(`${rest}?language=en-US&X-ConnectionId=${"ab".repeat(16)}`, {
        headers: { "Ocp-Apim-Subscription-Key": westus },
      });
      t.equal(get.status, 426);
      t.equal(get.headers.get("x-speechmock-reason"), "request.not_websocket");
    });

    t.test("CORS: a browser's preflight is allowed, answers carry Access-Control-Allow-Origin", async (t) => {
      const res = await fetch(rest, {
        method: "OPTIONS",
        headers: {
          Origin: "https://app.example",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization,ocp-apim-subscription-key,content-type,accept",
        },
      });
      t.equal(res.status, 204);
      t.equal(res.headers.get("access-control-allow-origin"), "*");
      t.match(res.headers.get("access-control-allow-headers"), /Authorization.*Ocp-Apim-Subscription-Key.*Content-Type.*Accept/);
      const answer = await post("?language=en-US", { "Ocp-Apim-Subscription-Key": westus, Origin: "https://app.example" });
      t.equal(answer.headers.get("access-control-allow-origin"), "*");
    });

    t.test("fault rules with target rest, over real sockets", async (t) => {
      const json = { "Content-Type": "application/json" };
      const addRule = (rule: unknown) => fetch(`${ready.admin}/faults`, { method: "POST", headers: json, body: JSON.stringify(rule) });
      const key = { "Ocp-Apim-Subscription-Key": westus };
      t.afterEach(async () => {
        await fetch(`${ready.admin}/faults`, { method: "DELETE", headers: json });
      });

      t.test("respond: the rule's status and headers instead of a recognition", async (t) => {
        t.equal(
          (await addRule({ target: "rest", times: 1, action: { kind: "respond", status: 429, headers: { "Retry-After": "2" } } })).status,
          201,
        );
        const res = await post("?language=en-US", key);
        t.equal(res.status, 429);
        t.equal(res.headers.get("retry-after"), "2");
        t.equal((await post("?language=en-US", key)).status, 200, "spent after one firing");
      });

      t.test("delay: the usual answer, later", async (t) => {
        await addRule({ target: "rest", times: 1, action: { kind: "delay", ms: 300 } });
        const started = performance.now();
        const res = await post("?language=en-US", key);
        t.equal(res.status, 200);
        t.ok(performance.now() - started >= 280, "waited for the delay");
      });

      t.test("hang: no answer until the client gives up", async (t) => {
        await addRule({ target: "rest", times: 1, action: { kind: "hang" } });
        const outcome = await post("?language=en-US", key, clip, { signal: AbortSignal.timeout(400) }).then(
          (r) => `answered ${r.status}`,
          (err: Error) => err.name,
        );
        t.equal(outcome, "TimeoutError");
      });

      t.test("reset: the client's read fails", async (t) => {
        await addRule({ target: "rest", times: 1, action: { kind: "reset" } });
        const outcome = await post("?language=en-US", key).then(
          (res) =>
            res.text().then(
              (b) => `read ${b.length} bytes`,
              (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
            ),
          (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
        );
        t.notMatch(outcome, /^read/, `the read failed: ${outcome}`);
        t.equal((await post("?language=en-US", key)).status, 200, "the next request is served");
      });

      t.test("every firing is journaled with its target", async (t) => {
        const faults = await journal(mock, "fault");
        t.same(
          faults.slice(-4).map((f) => [f.target, f.action, f.resource]),
          [
            ["rest", "respond", "speechmock-westus"],
            ["rest", "delay", "speechmock-westus"],
            ["rest", "hang", "speechmock-westus"],
            ["rest", "reset", "speechmock-westus"],
          ],
        );
      });
    });

    t.test("nothing unseen: a 1 MiB chunked POST to an unknown path gets its 404, journaled and logged", async (t) => {
      const mark = mock.logs.length;
      const answer = await upload(
        `${ready.url}/speech/recognition/nowhere/v1?language=en-US`,
        { "Content-Type": "application/octet-stream", "Ocp-Apim-Subscription-Key": westus },
        new Uint8Array(1 << 20),
        65_536,
      );
      t.equal(answer.error, undefined, "no EPIPE or ECONNRESET");
      t.equal(answer.status, 404);
      t.equal(answer.body, '{ "statusCode": 404, "message": "Resource not found" }');
      const [entry] = (await journal(mock, "request.unrouted")).slice(-1);
      t.match(entry, {
        method: "POST",
        host: new URL(ready.url).host,
        path: "/speech/recognition/nowhere/v1",
        status: 404,
        reason: "request.not_found",
        bodyBytes: 1 << 20,
        headers: { "transfer-encoding": "chunked", "ocp-apim-subscription-key": `${westus.slice(0, 6)}…(32)` },
      });
      const line = await mock.waitForLog((l) => l.event === "request.unrouted" && mock.logs.indexOf(l) >= mark);
      t.match(line, { method: "POST", path: "/speech/recognition/nowhere/v1", status: 404, headers: { "transfer-encoding": "chunked" } });
    });

    t.test("the journal and the log never hold a whole key or token", async (t) => {
      const issued = await token();
      await post("?language=en-US", { Authorization: `Bearer ${issued}` });
      const text = JSON.stringify(await (await fetch(`${ready.admin}/journal`)).json());
      t.notMatch(text, westus);
      t.notMatch(text, issued);
      t.notMatch(mock.stderr(), westus);
      t.notMatch(mock.stderr(), issued);
      const line = await mock.waitForLog((l) => l.event === "rest.request" && (l.credential as { kind: string }).kind === "token");
      t.match(line, { reason: "rest.recognized", recognitionStatus: "Success", audioMs: 2_069, region: "westus" });
    });
  });
}
