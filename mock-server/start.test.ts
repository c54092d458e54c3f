/**
 * The programmatic API as a user imports it: `speechmock` resolves to the built bundle on Node
 * (package.json `exports`), and to the Deno entry point on Deno (deno.json `imports`).
 */
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { MockError, startMock } from "speechmock";
import t from "tap";
import WebSocket from "ws";
import { denoBin, root } from "../test/support/spawn.ts";
import { encodeBinaryMessage } from "./protocol/binary-message.ts";
import { writeRiffHeader } from "./protocol/riff.ts";
import { decodeTextMessage, encodeTextMessage, type TextMessage } from "./protocol/text-message.ts";

const builtin = JSON.parse(readFileSync(`${root}fixtures/subscriptions.json`, "utf8")) as {
  resources: { name: string; region: string; tier: string; state: string; keys: [string, string] }[];
};
const twoRegions = JSON.parse(readFileSync(`${root}fixtures/examples/two-regions.json`, "utf8"));
const interactive = "/speech/recognition/interactive/cognitiveservices/v1";
const westusKey = builtin.resources[0]?.keys[0] as string;

type Handshake = { status: number; reason?: string; socket?: WebSocket };

/** A real WebSocket handshake with a bearer token: the socket if accepted, else status and reason. */
function handshake(wsBase: string, token: string): Promise<Handshake> {
  const socket = new WebSocket(`${wsBase}${interactive}?language=en-US`, {
    headers: { Authorization: `Bearer ${token}`, "X-ConnectionId": randomUUID().replaceAll("-", "") },
  });
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ status: 101, socket }));
    socket.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, reason: res.headers["x-speechmock-reason"] as string | undefined });
      socket.terminate();
    });
    socket.once("error", reject);
  });
}

const closeCode = (socket: WebSocket) => new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));

t.test("the package name resolves to the built Node bundle", async (t) => {
  t.equal(import.meta.resolve("speechmock"), new URL("dist/node.mjs", `file://${root}`).href);
});

t.test("a started mock", async (t) => {
  const mock = await startMock({ port: 0 });
  t.teardown(() => mock.close());

  t.test("reports its URLs on 127.0.0.1 and a real port", async (t) => {
    t.equal(mock.runtime, "node");
    t.ok(mock.port > 0);
    t.equal(mock.hostname, "127.0.0.1");
    t.equal(mock.url, `http://127.0.0.1:${mock.port}`);
    t.equal(mock.sts, `http://127.0.0.1:${mock.port}/sts/v1.0/issueToken`);
    t.equal(mock.ws, `ws://127.0.0.1:${mock.port}`);
    t.equal(mock.region, "westus");
  });

  t.test("lists the built-in resources with their keys", async (t) => {
    t.same(
      mock.resources,
      builtin.resources.map(({ name, region, tier, state, keys }) => ({ name, region, tier, state, keys })),
    );
  });

  t.test("its JWKS verifies a token from its token service", async (t) => {
    const res = await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westusKey } });
    t.equal(res.status, 200);
    const token = await res.text();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(mock.jwks), {
      issuer: "urn:ms.cognitiveservices",
      audience: "urn:ms.speechservices.westus",
    });
    t.equal(protectedHeader.alg, "ES256");
    t.equal(payload.region, "westus");
  });

  t.test("a minted token gets through a real handshake", async (t) => {
    const token = await mock.mintToken();
    t.match(decodeJwt(token), { region: "westus", aud: "urn:ms.speechservices.westus" });
    const result = await handshake(mock.ws, token);
    t.equal(result.status, 101);
    result.socket?.close();
  });

  t.test("a minted token for a named resource carries its subscription", async (t) => {
    const eastus = await mock.mintToken({ resource: "speechmock-eastus-free" });
    t.match(decodeJwt(eastus), { region: "eastus", "product-id": "SpeechServices.F0" });
  });

  t.test("an expired minted token is refused with 403 auth.token_expired", async (t) => {
    const token = await mock.mintToken({ expiresIn: -1 });
    t.ok((decodeJwt(token).exp ?? Infinity) < Date.now() / 1000, "exp is in the past");
    t.same(await handshake(mock.ws, token), { status: 403, reason: "auth.token_expired" });
  });

  t.test("a wrong-region minted token is refused with 403 auth.wrong_region", async (t) => {
    const token = await mock.mintToken({ region: "eastus" });
    t.equal(decodeJwt(token).aud, "urn:ms.speechservices.eastus");
    t.same(await handshake(mock.ws, token), { status: 403, reason: "auth.wrong_region" });
  });

  t.test("minting for an unknown resource is a MockError", async (t) => {
    await t.rejects(mock.mintToken({ resource: "nope" }), {
      name: "MockError",
      code: "ERR_OPTION_INVALID",
      message: 'Unknown resource "nope"',
    });
  });
});

t.test("await using closes the mock when the block ends", async (t) => {
  let url: string;
  {
    await using mock = await startMock({ port: 0 });
    url = mock.sts;
    t.equal((await fetch(url, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westusKey } })).status, 200);
  }
  await t.rejects(fetch(url, { method: "POST" }), TypeError, "nothing listens any more");
});

t.test("close() closes an open socket with 1001 and stops listening", async (t) => {
  const mock = await startMock({ port: 0 });
  const { socket } = await handshake(mock.ws, await mock.mintToken());
  if (!socket) throw new Error("The handshake was refused");
  const closed = closeCode(socket);
  await mock.close();
  t.equal(await closed, 1001);
  await mock.close(); // a second close is harmless
  await t.rejects(fetch(mock.sts, { method: "POST" }), TypeError);
});

t.test("region and subscriptions options take effect", async (t) => {
  await using mock = await startMock({ port: 0, region: "westeurope", subscriptions: twoRegions });
  t.equal(mock.region, "westeurope");
  t.same(
    mock.resources.map((r) => r.name),
    twoRegions.resources.map((r: { name: string }) => r.name),
  );
  const key = twoRegions.resources[0].keys[0];
  t.equal((await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } })).status, 200);
  const { socket } = await handshake(mock.ws, await mock.mintToken());
  t.ok(socket, "a minted token for the first enabled resource is accepted");
  socket?.close();
});

t.test("bad options are refused with ERR_OPTION_INVALID before anything listens", async (t) => {
  const refused = async (options: Parameters<typeof startMock>[0], message: RegExp) => {
    const err = await startMock(options).then(
      async (m) => {
        await m.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    t.type(err, MockError, JSON.stringify(options));
    t.equal((err as MockError).code, "ERR_OPTION_INVALID");
    t.match((err as MockError).message, message);
  };
  await refused({ port: -1 }, /^Invalid option port: .*>=0/);
  await refused({ port: 70_000 }, /^Invalid option port: .*<=65535/);
  await refused({ region: "West US" }, /^Invalid option region: Expected an Azure region name such as "westus"/);
  await refused({ tokenLifetimeSeconds: 0 }, /^Invalid option tokenLifetimeSeconds: /);
  await refused(
    { subscriptions: { resources: [{ name: "r1", region: "westus", tier: "P1" as "S0", keys: ["a".repeat(32), "b".repeat(32)] }] } },
    /^options\.subscriptions: \$\.resources\[0\]\.tier: .*expected one of "F0"\|"S0"/,
  );
  await refused({ subscriptions: { resources: [] } }, /^options\.subscriptions: \$\.resources: Expected at least one resource/);
  await refused({ quotaExceeded: "ignore" as "close" }, /^Invalid option quotaExceeded: .*"close"\|"refuse"/);
  await refused({ idleTimeoutSeconds: 0 }, /^Invalid option idleTimeoutSeconds: Expected a number of seconds above 0/);
  await refused({ connectionLifetimeSeconds: 86_401 }, /^Invalid option connectionLifetimeSeconds: Expected at most 86400 seconds/);
  await refused({ journalSize: 0 }, /^Invalid option journalSize: /);
  await refused({ hostname: "0.0.0.0" }, /^Refusing to listen on 0\.0\.0\.0 without an admin token: /);
  await refused({ adminToken: "too short" }, /^Invalid option adminToken: Expected 16 to 256 visible ASCII characters \(no spaces\)$/);
  await refused(
    { transcripts: { transcripts: { abc: { phrases: [] } } } },
    /^options\.transcripts: \$\.transcripts\.abc: .*Expected a SHA-256 as 64 lower-case hex digits/,
  );
});

t.test("a turn streamed by hand is answered from the transcripts option and journaled", async (t) => {
  const pcm = readFileSync(`${root}fixtures/audio/hello.wav`).subarray(44);
  const sha = createHash("sha256").update(pcm).digest("hex");
  const phrase = {
    display: "Scripted by the test.",
    lexical: "scripted by the test",
    itn: "scripted by the test",
    maskedItn: "scripted by the test",
  };
  await using mock = await startMock({ port: 0, transcripts: { transcripts: { [sha]: { phrases: [phrase] } } }, journalSize: 20 });
  const connectionId = randomUUID().replaceAll("-", "");
  const socket = new WebSocket(`${mock.ws}${interactive}?language=en-US`, {
    headers: { "Ocp-Apim-Subscription-Key": westusKey, "X-ConnectionId": connectionId },
  });
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const received: TextMessage[] = [];
  const turnEnd = new Promise<void>((resolve) =>
    socket.on("message", (data, isBinary) => {
      const message = decodeTextMessage(isBinary ? new Uint8Array(data as Buffer) : String(data));
      received.push(message);
      if (message.headers.path === "turn.end") resolve();
    }),
  );
  const requestId = randomUUID().replaceAll("-", "").toUpperCase();
  const headers = (path: string, extra: Record<string, string> = {}) => ({
    Path: path,
    "X-RequestId": requestId,
    "X-Timestamp": new Date().toISOString(),
    ...extra,
  });
  socket.send(encodeTextMessage({ headers: headers("speech.config", { "Content-Type": "application/json" }), body: "{}" }));
  socket.send(encodeBinaryMessage({ headers: headers("audio", { "Content-Type": "audio/x-wav" }), payload: writeRiffHeader() }));
  for (let at = 0; at < pcm.length; at += 3200)
    socket.send(encodeBinaryMessage({ headers: headers("audio"), payload: pcm.subarray(at, at + 3200) }));
  socket.send(encodeBinaryMessage({ headers: headers("audio") }));
  await turnEnd;
  const phraseMessage = received.find((m) => m.headers.path === "speech.phrase");
  t.match(JSON.parse(phraseMessage?.body ?? "{}"), { RecognitionStatus: "Success", DisplayText: "Scripted by the test." });
  t.ok(
    received.every((m) => m.headers.requestId === requestId),
    "every answer carries the turn's request id",
  );
  socket.close();
  await closeCode(socket);
  const mine = mock.journal.entries((e) => "connectionId" in e && e.connectionId === connectionId);
  t.match(
    mine.find((e) => e.type === "turn" && e.phase === "end"),
    { requestId, status: "Success" },
  );
  t.ok(
    mine.some((e) => e.type === "message" && e.direction === "out" && e.path === "turn.end"),
    "the outgoing turn.end is journaled",
  );
  t.equal(mock.journal.size, 20, "the journal keeps journalSize entries");
  t.ok(mock.journal.dropped > 0, "and counts what it dropped");
});

t.test("from code: the clock, fault rules, resources and reset are the control plane's own", async (t) => {
  await using mock = await startMock({ port: 0 });
  const token = await mock.mintToken();
  t.equal((await handshake(mock.ws, token)).status, 101);
  mock.clock.advance(10 * 60_000);
  t.same(await handshake(mock.ws, token), { status: 403, reason: "auth.token_expired" }, "advancing the clock expires the token");
  const clock = (await (await fetch(`${mock.admin}/clock`)).json()) as { mode: string };
  t.equal(clock.mode, "offset", "the HTTP control plane sees the same clock");

  const rule = mock.faults.add({ target: "sts", times: 1, action: { kind: "respond", status: 429, headers: { "Retry-After": "3" } } });
  const limited = await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westusKey } });
  t.same([limited.status, limited.headers.get("retry-after")], [429, "3"]);
  await limited.text();
  t.equal(mock.faults.list()[0]?.fired, 1);
  t.equal(rule.id, "fault-1");

  const name = mock.resources[0]?.name as string;
  mock.registry.setState(name, "disabled");
  const disabled = await fetch(mock.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westusKey } });
  t.equal(disabled.status, 403);
  await disabled.text();

  mock.reset();
  t.equal(mock.clock.mode, "system");
  t.same(mock.faults.list(), []);
  t.equal(mock.registry.byName(name)?.state, "enabled");
  t.equal(mock.journal.size, 0);
  const fresh = await mock.mintToken();
  const socket = (await handshake(mock.ws, fresh)).socket;
  t.ok(socket, "all back to the start-up state");
  socket?.close();
});

t.test("several mocks start at once on port 0, each with its own state", async (t) => {
  const mocks = await Promise.all(Array.from({ length: 6 }, () => startMock({ port: 0 })));
  t.teardown(() => Promise.all(mocks.map((m) => m.close())).then(() => undefined));
  t.equal(new Set(mocks.map((m) => m.port)).size, 6, "six ports");
  mocks[0]?.faults.add({ target: "sts", action: { kind: "respond", status: 503 } });
  mocks[1]?.clock.advance(3_600_000);
  const statuses = await Promise.all(
    mocks.map(async (m) => {
      const res = await fetch(m.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westusKey } });
      await res.text();
      return res.status;
    }),
  );
  t.same(statuses, [503, 200, 200, 200, 200, 200], "a fault in one is not in the others");
  t.same(
    mocks.map((m) => m.clock.mode),
    ["system", "offset", "system", "system", "system", "system"],
  );
  t.same(
    mocks.map((m) => m.journal.entries().map((e) => e.type)),
    [["fault"], ["sts.request"], ["sts.request"], ["sts.request"], ["sts.request"], ["sts.request"]],
    "each journal holds its own request: the first mock's was answered by its fault",
  );
});

t.test("on deno, the same module starts a mock that issues tokens, accepts a socket and closes it with 1001", async (t) => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      denoBin,
      ["run", "--allow-net", "--allow-read", "--allow-env", "test/support/deno-api-probe.deno.ts"],
      { cwd: root, timeout: 30_000 },
      (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
    );
  });
  const lines = stdout.trim().split("\n");
  t.equal(lines.length, 1, "one result line");
  const result = JSON.parse(lines[0] as string);
  const port = Number(new URL(result.url).port);
  t.ok(port > 0);
  t.same(result, {
    runtime: "deno",
    url: `http://127.0.0.1:${port}`,
    sts: `http://127.0.0.1:${port}/sts/v1.0/issueToken`,
    ws: `ws://127.0.0.1:${port}`,
    region: "westus",
    resources: builtin.resources.map((r) => r.name),
    jwksKids: ["key1"],
    issueToken: { status: 200, contentType: "text/plain; charset=UTF-8", parts: 3 },
    tokenOpened: true,
    expiredOpened: false,
    closeCode: 1001,
    afterClose: "refused",
  });
});
