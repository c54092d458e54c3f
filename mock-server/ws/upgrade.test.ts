import t from "tap";
import { upgradeProblem } from "./upgrade.ts";

const upgrade = (headers: Record<string, string> = {}, method = "GET") =>
  new Request("http://127.0.0.1/tts/cognitiveservices/websocket/v1", {
    method,
    headers: {
      Upgrade: "websocket",
      Connection: "keep-alive, Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
      ...headers,
    },
  });

t.test("a well-formed upgrade has no problem", async (t) => {
  t.equal(upgradeProblem(upgrade(), "1.1"), undefined);
  t.equal(upgradeProblem(upgrade(), undefined), undefined, "an unknown HTTP version (no adapter) is let through");
});

t.test("RFC 6455's checks, each with its reason", async (t) => {
  t.match(upgradeProblem(upgrade({ Upgrade: "h2c" }), "1.1"), { status: 426, reason: "request.not_websocket" });
  t.match(upgradeProblem(upgrade({}, "POST"), "1.1"), { status: 405, reason: "request.method_invalid" });
  t.match(upgradeProblem(upgrade(), "1.0"), { status: 400, reason: "request.http_version_invalid" });
  t.match(upgradeProblem(upgrade({ Connection: "keep-alive" }), "1.1"), { status: 400, reason: "request.connection_not_upgrade" });
  t.match(upgradeProblem(upgrade({ "Sec-WebSocket-Key": "short" }), "1.1"), { status: 400, reason: "request.websocket_invalid" });
  t.match(upgradeProblem(upgrade({ "Sec-WebSocket-Version": "8" }), "1.1"), { status: 400, reason: "request.websocket_invalid" });
  t.match(upgradeProblem(upgrade({ "Sec-WebSocket-Protocol": "a, a" }), "1.1"), {
    status: 400,
    reason: "request.subprotocol_invalid",
    detail: /"a" twice/,
  });
});
