/** The pretty log lines of REST requests and of requests no route takes. */
import t from "tap";
import type { MockEvent } from "../events.ts";
import { prettyLine } from "./log-format.ts";

const time = new Date("2030-01-02T03:04:05.678Z");

t.test("a REST request shows its status, reason, credential and what was heard", async (t) => {
  const event: MockEvent = {
    type: "rest.request",
    method: "POST",
    path: "/speech/recognition/conversation/cognitiveservices/v1",
    region: "westus",
    status: 200,
    reason: "rest.recognized",
    credential: { kind: "key", source: "header", value: "7e57c0…(32)" },
    resource: "speechmock-westus",
    audioMs: 2069,
    recognitionStatus: "Success",
  };
  t.equal(
    prettyLine(event, time),
    "03:04:05.678 rest      200 rest.recognized            POST /speech/recognition/conversation/cognitiveservices/v1 region=westus credential=key(header) 7e57c0…(32) Success audio=2069ms",
  );
  const refused: MockEvent = { ...event, status: 403, reason: "auth.missing", credential: { kind: "none" } };
  delete (refused as { recognitionStatus?: string }).recognitionStatus;
  t.match(prettyLine(refused, time), /^03:04:05\.678 rest {6}403 auth\.missing {15}POST \S+ region=westus credential=none$/);
});

t.test("a request no route takes shows its status, method, host, path and body length", async (t) => {
  const event: MockEvent = {
    type: "request.unrouted",
    method: "PUT",
    host: "127.0.0.1:8410",
    path: "/nowhere",
    status: 404,
    reason: "request.not_found",
    bodyBytes: 1048576,
    headers: { host: "127.0.0.1:8410" },
  };
  t.equal(prettyLine(event, time), "03:04:05.678 unrouted  404 PUT 127.0.0.1:8410 /nowhere body=1048576B");
});
