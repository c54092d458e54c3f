import t from "tap";
import type { MockEvent } from "../events.ts";
import { createLogger, prettyLine } from "./log-format.ts";

const time = new Date("2030-01-02T03:04:05.678Z");

const sts: MockEvent = {
  type: "sts.request",
  method: "POST",
  path: "/sts/v1.0/issueToken",
  region: "westus",
  status: 200,
  reason: "sts.issued",
  key: "7e57c0…(32)",
  keySource: "header",
  resource: "speechmock-westus",
};
const stsWithoutKey: MockEvent = {
  type: "sts.request",
  method: "GET",
  path: "/sts/v1.0/issuetoken",
  region: "eastus",
  status: 405,
  reason: "sts.method_not_allowed",
};
const accepted: MockEvent = {
  type: "handshake",
  path: "/speech/recognition/interactive/cognitiveservices/v1",
  region: "westus",
  status: 101,
  decision: "accept",
  reason: "handshake.accepted_token",
  credential: { kind: "token", source: "query", value: "Bearer eyJhbG…(612)" },
  connectionId: "0123456789abcdef0123456789abcdef",
  resource: "speechmock-westus",
};
const refused: MockEvent = {
  type: "handshake",
  path: "/stt/speech/universal/v2",
  region: "eastus",
  status: 403,
  decision: "reject",
  reason: "auth.missing",
  credential: { kind: "none" },
};
const closed: MockEvent = {
  type: "socket.close",
  connectionId: "0123456789abcdef0123456789abcdef",
  code: 1001,
  reason: "Server shutting down",
  initiator: "server",
};
const closedSilently: MockEvent = { type: "socket.close", code: 1005, reason: "", initiator: "client" };
const failed: MockEvent = { type: "error", message: "Error: boom" };

/** Collects what a logger writes. */
function capture(format: "json" | "pretty" | "none") {
  const lines: string[] = [];
  const log = createLogger(
    format,
    (line) => lines.push(line),
    () => time,
  );
  return { lines, log };
}

t.test("json: each event is one JSON line with time, level and event first, then its fields", async (t) => {
  const { lines, log } = capture("json");
  for (const e of [sts, stsWithoutKey, accepted, refused, closed, failed]) log(e);
  t.equal(lines.length, 6);
  t.notOk(
    lines.some((l) => l.includes("\n")),
    "no line breaks inside a line",
  );
  const at = "2030-01-02T03:04:05.678Z";
  t.equal(
    lines[0],
    `{"time":"${at}","level":"info","event":"sts.request","method":"POST","path":"/sts/v1.0/issueToken","region":"westus","status":200,"reason":"sts.issued","key":"7e57c0…(32)","keySource":"header","resource":"speechmock-westus"}`,
  );
  t.same(JSON.parse(lines[1] as string), {
    time: at,
    level: "info",
    event: "sts.request",
    method: "GET",
    path: "/sts/v1.0/issuetoken",
    region: "eastus",
    status: 405,
    reason: "sts.method_not_allowed",
  });
  t.same(JSON.parse(lines[2] as string), {
    time: at,
    level: "info",
    event: "handshake",
    path: "/speech/recognition/interactive/cognitiveservices/v1",
    region: "westus",
    status: 101,
    decision: "accept",
    reason: "handshake.accepted_token",
    credential: { kind: "token", source: "query", value: "Bearer eyJhbG…(612)" },
    connectionId: "0123456789abcdef0123456789abcdef",
    resource: "speechmock-westus",
  });
  t.same(JSON.parse(lines[3] as string), {
    time: at,
    level: "info",
    event: "handshake",
    path: "/stt/speech/universal/v2",
    region: "eastus",
    status: 403,
    decision: "reject",
    reason: "auth.missing",
    credential: { kind: "none" },
  });
  t.same(JSON.parse(lines[4] as string), {
    time: at,
    level: "info",
    event: "socket.close",
    connectionId: "0123456789abcdef0123456789abcdef",
    code: 1001,
    reason: "Server shutting down",
    initiator: "server",
  });
  t.equal(lines[5], `{"time":"${at}","level":"error","event":"error","message":"Error: boom"}`);
});

t.test("json: the event's own type field is not repeated", async (t) => {
  const { lines, log } = capture("json");
  log(closed);
  t.notOk("type" in JSON.parse(lines[0] as string));
});

t.test("pretty: a token-service request reads as status, reason, method, path, region and key prefix", async (t) => {
  t.equal(
    prettyLine(sts, time),
    "03:04:05.678 sts       200 sts.issued                 POST /sts/v1.0/issueToken region=westus key=7e57c0…(32)",
  );
  t.equal(
    prettyLine(stsWithoutKey, time),
    "03:04:05.678 sts       405 sts.method_not_allowed     GET /sts/v1.0/issuetoken region=eastus",
    "no key, no key= part",
  );
});

t.test("pretty: a handshake reads as status, reason, path, region and credential", async (t) => {
  t.equal(
    prettyLine(accepted, time),
    "03:04:05.678 handshake 101 handshake.accepted_token   /speech/recognition/interactive/cognitiveservices/v1 region=westus credential=token(query) Bearer eyJhbG…(612)",
  );
  t.equal(
    prettyLine(refused, time),
    "03:04:05.678 handshake 403 auth.missing               /stt/speech/universal/v2 region=eastus credential=none",
  );
});

t.test("pretty: a socket close reads as code, reason, initiator and connection", async (t) => {
  t.equal(
    prettyLine(closed, time),
    "03:04:05.678 close     1001 Server shutting down by server connection=0123456789abcdef0123456789abcdef",
  );
  t.equal(prettyLine(closedSilently, time), "03:04:05.678 close     1005 - by client connection=-", "empty reason and id show as -");
});

t.test("pretty: a server close for a broken rule adds the error code and message", async (t) => {
  const event: MockEvent = {
    type: "socket.close",
    connectionId: "0123456789abcdef0123456789abcdef",
    code: 1007,
    reason: "Unsupported audio format.",
    initiator: "server",
    error: { code: "ERR_RIFF_INVALID", message: "Cannot parse RIFF header: SampleRate is 8000, expected 16000" },
  };
  t.equal(
    prettyLine(event, time),
    "03:04:05.678 close     1007 Unsupported audio format. by server connection=0123456789abcdef0123456789abcdef " +
      "ERR_RIFF_INVALID: Cannot parse RIFF header: SampleRate is 8000, expected 16000",
  );
});

t.test("pretty: a turn reads as status, mode, audio length, phrases and whether it was scripted", async (t) => {
  const event: MockEvent = {
    type: "turn",
    connectionId: "C0",
    requestId: "R1",
    mode: "conversation",
    audioMs: 4610,
    status: "Success",
    phrases: 2,
    scripted: true,
  };
  t.equal(prettyLine(event, time), "03:04:05.678 turn      Success conversation audio=4610ms phrases=2 scripted request=R1 connection=C0");
  t.equal(
    prettyLine({ ...event, status: "NoMatch", phrases: 0, scripted: false }, time).includes(
      "NoMatch conversation audio=4610ms phrases=0 fallback",
    ),
    true,
  );
});

t.test("a shutdown names its signal, as JSON and pretty", async (t) => {
  const lines: string[] = [];
  createLogger(
    "json",
    (l) => lines.push(l),
    () => time,
  )({ type: "shutdown", signal: "SIGTERM" });
  t.same(JSON.parse(lines[0] ?? ""), { time: time.toISOString(), level: "info", event: "shutdown", signal: "SIGTERM" });
  t.equal(prettyLine({ type: "shutdown", signal: "SIGINT" }, time), "03:04:05.678 shutdown  SIGINT");
});

t.test("pretty: an error reads as its message", async (t) => {
  t.equal(prettyLine(failed, time), "03:04:05.678 error     Error: boom");
});

t.test("pretty: the logger writes the pretty line of each event, none of them JSON", async (t) => {
  const { lines, log } = capture("pretty");
  for (const e of [sts, accepted, closed, failed]) log(e);
  t.same(lines, [prettyLine(sts, time), prettyLine(accepted, time), prettyLine(closed, time), prettyLine(failed, time)]);
  for (const line of lines) t.throws(() => JSON.parse(line), `not JSON: ${line}`);
});

t.test("none writes nothing for any event", async (t) => {
  const { lines, log } = capture("none");
  for (const e of [sts, stsWithoutKey, accepted, refused, closed, closedSilently, failed]) log(e);
  t.same(lines, []);
});

t.test("the time defaults to now", async (t) => {
  const lines: string[] = [];
  const before = Date.now();
  createLogger("json", (l) => lines.push(l))(failed);
  const logged = Date.parse((JSON.parse(lines[0] as string) as { time: string }).time);
  t.ok(logged >= before - 1 && logged <= Date.now() + 1, "the logged time is the time of the event");
});
