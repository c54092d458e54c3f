import { setTimeout as sleep } from "node:timers/promises";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import t, { type Test } from "tap";
import { logsSettled, runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { expiryOf, fetchToken, openSdkConnection, recognizeOnce } from "../../../test/support/speech-sdk.ts";

type LogLine = Record<string, unknown>;

/** Per-test options; a fresh object each time, because tap keeps state on the object it is given. */
const testOptions = () => ({ timeout: 20_000 });

/** The SDK's text for a refused handshake (ws's "Unexpected server response: <status>"). */
const refused403 = /Unexpected server response: 403\b/;

const handshakesOf = (mock: SpawnedMock, connectionId: string): LogLine[] =>
  mock.logs.filter((l) => l.event === "handshake" && l.connectionId === connectionId);

/** `fromHost` takes the mock's WebSocket base URL, `ws://127.0.0.1:<port>`, as a user would pass it. */
const hostOf = (mock: SpawnedMock) => new URL(mock.ready.ws);

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    // One mock with the default token lifetime, and one whose tokens live one second.
    const [mock, shortLived] = await Promise.all([spawnMock(runtime), spawnMock(runtime, ["--token-lifetime", "1"])]);
    t.teardown(async () => {
      await Promise.all([mock.stop(), shortLived.stop()]);
    });
    const westus = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    if (!westus) throw new Error("The built-in fixtures have no enabled westus resource");
    const {
      name: resourceName,
      keys: [key],
    } = westus;

    /** Checks that the SDK got through the handshake, on its side and on the mock's. */
    async function assertAccepted(t: Test, config: sdk.SpeechConfig, reason: string, kind: "key" | "token", secret: string) {
      const conn = await openSdkConnection(config);
      t.teardown(() => conn.close());
      t.equal(conn.error, undefined, "openConnection reports no error");
      t.ok(conn.opened, "openConnection calls its success callback");
      t.same(conn.connected, [conn.connectionId], "one connected event, for the SDK's connection id");
      t.equal(conn.url.host, hostOf(mock).host, "the SDK connected to the mock's host");

      const line = await mock.waitForLog((l) => l.event === "handshake" && l.connectionId === conn.connectionId);
      t.match(
        line,
        {
          path: conn.url.pathname,
          status: 101,
          decision: "accept",
          reason,
          resource: resourceName,
          // Node 20 has no global WebSocket, so the SDK uses the ws package, which sends its
          // credential as a header as well as in the query string; the header wins.
          credential: { kind, source: "header" },
        },
        "the mock logged an accepted handshake on the SDK's path and connection id",
      );
      t.notOk(JSON.stringify(line).includes(secret), "the log shows no whole credential");

      // The accepted socket stays open (the mock sends nothing yet) until the SDK closes it.
      t.same(conn.disconnected, [], "no disconnected event while the connection is open");
      await conn.close();
      t.same(conn.disconnected, [conn.connectionId], "closeConnection raises disconnected");
      const closed = await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === conn.connectionId);
      t.match(closed, { code: 1000, initiator: "client" }, "the mock saw the SDK close the socket normally");
    }

    /** Checks that the SDK was refused with 403, gave up, and that the mock said why. */
    async function assertRefused(t: Test, server: SpawnedMock, config: sdk.SpeechConfig, reason: string) {
      const conn = await openSdkConnection(config);
      t.teardown(() => conn.close());
      t.notOk(conn.opened, "openConnection does not succeed");
      t.match(conn.error, refused403, "the SDK's error names the 403");
      t.same(conn.connected, [], "no connected event");

      await logsSettled(server);
      const lines = handshakesOf(server, conn.connectionId);
      t.ok(lines.length >= 1, "the mock saw the SDK's handshake");
      t.ok(
        lines.every((l) => l.decision === "reject" && l.status === 403 && l.reason === reason),
        `every attempt was refused with 403 and ${reason}`,
      );
      t.comment(`the SDK tried ${lines.length} time(s) before giving up`);
      return lines;
    }

    t.test("with a subscription key, fromHost gets through the handshake", testOptions(), async (t) => {
      await assertAccepted(t, sdk.SpeechConfig.fromHost(hostOf(mock), key), "handshake.accepted_key", "key", key);
    });

    t.test("with a token from issueToken set as authorizationToken, it gets through the handshake", testOptions(), async (t) => {
      const token = await fetchToken(mock.ready.sts, key);
      const config = sdk.SpeechConfig.fromHost(hostOf(mock));
      config.authorizationToken = token;
      await assertAccepted(t, config, "handshake.accepted_token", "token", token);
    });

    t.test("without credentials, the SDK is refused with 403 and gives up", testOptions(), async (t) => {
      const lines = await assertRefused(t, mock, sdk.SpeechConfig.fromHost(hostOf(mock)), "auth.missing");
      t.match(lines[0], { credential: { kind: "none" } }, "the SDK sent no credential");
    });

    t.test("a recognition without credentials is canceled with a connection failure naming the 403", testOptions(), async (t) => {
      const run = await recognizeOnce(sdk.SpeechConfig.fromHost(hostOf(mock)));
      t.equal(run.result.reason, sdk.ResultReason.Canceled, "the result is Canceled");
      t.match(
        run.cancellation,
        {
          reason: sdk.CancellationReason.Error,
          errorCode: sdk.CancellationErrorCode.ConnectionFailure,
          errorDetails: refused403,
        },
        "the result's cancellation is a connection failure naming the 403",
      );
      t.ok(run.canceledEvents.length >= 1, "the recognizer raised canceled");
      t.match(
        run.canceledEvents[0],
        { errorCode: sdk.CancellationErrorCode.ConnectionFailure, errorDetails: refused403 },
        "so is the canceled event",
      );
      await logsSettled(mock);
      const lines = handshakesOf(mock, run.connectionId);
      t.ok(lines.length >= 1, "the mock saw the SDK's handshake");
      t.ok(
        lines.every((l) => l.decision === "reject" && l.reason === "auth.missing"),
        "every attempt was refused as auth.missing",
      );
    });

    t.test("with an expired token from issueToken, the SDK is refused with 403 and gives up", testOptions(), async (t) => {
      const token = await fetchToken(shortLived.ready.sts, key);
      const exp = expiryOf(token);
      const remainingMs = exp * 1000 - Date.now();
      // With --token-lifetime 1, exp is the next whole second or the one after; fail rather than wait longer.
      if (!t.ok(remainingMs <= 2_000, "the token from the short-lived mock expires within two seconds", { remainingMs })) return;
      // The token is expired once the mock's whole-second clock reaches exp; wait past it.
      await sleep(Math.max(0, remainingMs) + 300);
      const config = sdk.SpeechConfig.fromHost(hostOf(shortLived));
      config.authorizationToken = token;
      const lines = await assertRefused(t, shortLived, config, "auth.token_expired");
      t.match(lines[0], { credential: { kind: "token", source: "header" } }, "the SDK sent the token");
    });
  });
}
