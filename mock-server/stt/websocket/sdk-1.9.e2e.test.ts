/**
 * Microsoft's JS Speech SDK 1.9.0 (the npm alias `speech-sdk-1.9`), unmodified, against the mock
 * under Node and under Deno. It is the last SDK whose first audio message carries no
 * `Content-Type` (the header came in 1.9.1, January 2020); the service took its audio for years,
 * so the mock must too, and say so in its journal (`audio.content_type_missing`).
 */
import * as sdk from "speech-sdk-1.9";
import t, { type Test } from "tap";
import { readClip } from "../../../test/support/protocol-client.ts";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { fetchToken, recognizePcm } from "../../../test/support/speech-sdk.ts";
import type { JournalEntry } from "../../journal.ts";

/** Per-test options; a fresh object each time, because tap keeps state on the object it is given. */
const testOptions = () => ({ timeout: 30_000 });

const remindMe = readClip("remind-me.wav");
const remindMeText = "Remind me to buy 5 pencils.";

/** The journal's entries after sequence number `since`, read through the control plane. */
async function journalSince(mock: SpawnedMock, since: number, query = ""): Promise<JournalEntry[]> {
  const res = await fetch(`${mock.ready.admin}/journal?since=${since}${query}`);
  if (res.status !== 200) throw new Error(`GET journal answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { entries: JournalEntry[] }).entries;
}

/** The sequence number of the newest journal entry (0 for none), to read what a test adds after it. */
async function lastSeq(mock: SpawnedMock): Promise<number> {
  return (await journalSince(mock, 0, "&limit=1")).at(-1)?.seq ?? 0;
}

/**
 * Recognises remind-me.wav with SDK 1.9.0 and checks the SDK's result and the mock's journal: one
 * accepted handshake (no reconnecting), the notice that proves the old SDK, and no violation.
 */
async function recognizeAndCheck(t: Test, mock: SpawnedMock, config: sdk.SpeechConfig, accepted: string): Promise<void> {
  const since = await lastSeq(mock);
  const result = await recognizePcm(sdk, config, remindMe.pcm);
  t.equal(result.errorDetails, undefined, "the SDK reports no error");
  t.equal(result.reason, sdk.ResultReason.RecognizedSpeech, "the result is RecognizedSpeech");
  t.equal(result.text, remindMeText, `with exactly the scripted text "${remindMeText}"`);

  const handshakes = (await journalSince(mock, since, "&type=handshake")).filter((e) => e.type === "handshake");
  t.equal(handshakes.length, 1, "the SDK connected once: the mock never closed it, so it never reconnected");
  const [handshake] = handshakes;
  t.match(handshake, { status: 101, decision: "accept", reason: accepted }, `the mock accepted it with ${accepted}`);
  const connectionId = (handshake as { connectionId?: string } | undefined)?.connectionId ?? "";
  // Once the mock has logged the close, the journal holds everything the connection did.
  t.match(
    await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === connectionId),
    { code: 1000, initiator: "client" },
    "the SDK closed the connection normally",
  );
  const entries = (await journalSince(mock, since)).filter((e) => "connectionId" in e && e.connectionId === connectionId);
  const notices = entries.flatMap((e) => (e.type === "notice" ? [e.code] : []));
  t.ok(notices.includes("audio.content_type_missing"), "the journal has audio.content_type_missing: it was the old SDK", { notices });
  t.same(
    entries.filter((e) => e.type === "violation"),
    [],
    "and no violation",
  );
  t.match(
    entries.filter((e) => e.type === "turn"),
    [
      { phase: "start", requestId: String },
      { phase: "end", status: "Success" },
    ],
    "one turn, answered with Success",
  );
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop());
    const resource = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    if (!resource) throw new Error("The built-in fixtures have no enabled westus resource");
    const [key] = resource.keys;
    // SpeechConfig.fromHost exists since 1.9.0; it takes the mock's base URL, ws://127.0.0.1:<port>.
    const host = new URL(mock.ready.ws);

    t.test("SDK 1.9.0 with a subscription key recognizes remind-me.wav", testOptions(), async (t) => {
      await recognizeAndCheck(t, mock, sdk.SpeechConfig.fromHost(host, key), "handshake.accepted_key");
    });

    t.test("SDK 1.9.0 with a token from the mock's issueToken recognizes remind-me.wav", testOptions(), async (t) => {
      const config = sdk.SpeechConfig.fromHost(host);
      // SDK 1.9.0 sends the token as it is, without "Bearer ".
      config.authorizationToken = await fetchToken(mock.ready.sts, key);
      await recognizeAndCheck(t, mock, config, "handshake.accepted_token");
    });
  });
}
