import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import t, { type Test } from "tap";
import { logsSettled, root, runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { continuousFile, fetchToken, recognizeFile, type SdkRecognitionEvent } from "../../../test/support/speech-sdk.ts";
import type { TranscriptsFile } from "../../transcripts/schema.ts";

type LogLine = Record<string, unknown>;

/** Per-test options; a fresh object each time, because tap keeps state on the object it is given. */
const testOptions = () => ({ timeout: 20_000 });

const clip = (name: string) => join(root, "fixtures", "audio", name);
const remindMe = clip("remind-me.wav");
const twoUtterances = clip("two-utterances.wav");
const silence = clip("silence.wav");
const hello = clip("hello.wav");

const remindMeText = "Remind me to buy 5 pencils.";
const twoTexts = ["Turn on the lights.", "Set a timer for 10 minutes."];

/** `fromHost` takes the mock's WebSocket base URL, `ws://127.0.0.1:<port>`, as a user would pass it. */
const hostOf = (mock: SpawnedMock) => new URL(mock.ready.ws);

/**
 * A transcripts file that scripts no clip and hears one sentence with a profane word in any audio,
 * so hello.wav (scripted in the built-in file) becomes "Well damn it." on the mock started with it.
 */
const profaneTranscripts: TranscriptsFile = { transcripts: {}, fallback: { kind: "text", text: "Well damn it." } };
const scratch = mkdtempSync(join(tmpdir(), "speechmock-sdk-recognition-"));
const profaneTranscriptsPath = join(scratch, "transcripts.json");
writeFileSync(profaneTranscriptsPath, JSON.stringify(profaneTranscripts));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

const linesOf = (mock: SpawnedMock, event: string, connectionId: string): LogLine[] =>
  mock.logs.filter((l) => l.event === event && l.connectionId === connectionId);

/** The mock's `turn` log line for a connection (there is one per answered turn). */
const turnOf = (mock: SpawnedMock, connectionId: string) => mock.waitForLog((l) => l.event === "turn" && l.connectionId === connectionId);

const recognizedOf = (events: SdkRecognitionEvent[]) => events.filter((e) => e.type === "recognized");

/**
 * Splits the events at each `recognized` and checks that each utterance is one or more
 * `recognizing` events, each extending the text of the one before, then its `recognized`; and that
 * offsets never go back and each utterance starts after the previous one ended.
 */
function assertUtterancesInOrder(t: Test, events: SdkRecognitionEvent[], texts: readonly string[]): void {
  const groups: SdkRecognitionEvent[][] = [[]];
  for (const e of events) {
    groups.at(-1)?.push(e);
    if (e.type === "recognized") groups.push([]);
  }
  t.same(groups.pop(), [], "no recognizing event after the last recognized");
  t.equal(groups.length, texts.length, `${texts.length} utterance(s), each ending in recognized`);
  let previousEnd = 0;
  groups.forEach((group, i) => {
    const final = group.at(-1) as SdkRecognitionEvent;
    const hypotheses = group.slice(0, -1);
    t.equal(final.text, texts[i], `utterance ${i + 1} is recognized as ${JSON.stringify(texts[i])}`);
    t.equal(final.reason, sdk.ResultReason.RecognizedSpeech, `utterance ${i + 1} is RecognizedSpeech`);
    t.ok(hypotheses.length >= 1, `utterance ${i + 1} has recognizing events before its recognized`);
    t.ok(
      hypotheses.every((h) => h.type === "recognizing" && h.reason === sdk.ResultReason.RecognizingSpeech),
      `utterance ${i + 1}: everything before its recognized is RecognizingSpeech`,
    );
    t.ok(
      hypotheses.every((h, j) => j === 0 || h.text.startsWith(hypotheses[j - 1]?.text ?? "")),
      `utterance ${i + 1}: each hypothesis extends the one before`,
      { hypotheses: hypotheses.map((h) => h.text) },
    );
    t.ok(
      group.every((e) => e.offset >= previousEnd && e.offset <= final.offset),
      `utterance ${i + 1}: its events start after the previous utterance ended and no later than its result`,
      { previousEnd, offsets: group.map((e) => e.offset) },
    );
    t.ok(final.duration > 0, `utterance ${i + 1} has a duration`);
    previousEnd = final.offset + final.duration;
  });
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    // One mock with the built-in fixtures, and one that hears "Well damn it." in any audio.
    const [mock, profane] = await Promise.all([spawnMock(runtime), spawnMock(runtime, ["--transcripts", profaneTranscriptsPath])]);
    t.teardown(async () => {
      await Promise.all([mock.stop(), profane.stop()]);
    });
    const enabled = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled");
    const overQuota = mock.ready.resources.find((r) => r.state === "quotaExceeded");
    if (!enabled || !overQuota) throw new Error("The built-in fixtures need an enabled westus resource and a quota-exceeded one");
    const [key] = enabled.keys;
    const keyConfig = (server = mock) => sdk.SpeechConfig.fromHost(hostOf(server), key);

    t.test("recognizeOnceAsync with a subscription key recognizes remind-me.wav", testOptions(), async (t) => {
      const run = await recognizeFile(keyConfig(), remindMe);
      t.equal(run.cancellation, undefined, "the recognition is not canceled", { cancellation: run.cancellation });
      t.equal(run.result.reason, sdk.ResultReason.RecognizedSpeech, "the result is RecognizedSpeech");
      t.equal(run.result.text, remindMeText, "with the scripted display text");
      t.ok(run.result.duration > 0, "and a duration");
      t.same(run.canceledEvents, [], "no canceled event");
      const turn = await turnOf(mock, run.connectionId);
      t.match(
        turn,
        { mode: "interactive", status: "Success", phrases: 1, scripted: true },
        "the mock logged one interactive turn answered with Success from the script",
      );
    });

    t.test("recognizeOnceAsync with a token from issueToken recognizes remind-me.wav", testOptions(), async (t) => {
      const token = await fetchToken(mock.ready.sts, key);
      const config = sdk.SpeechConfig.fromHost(hostOf(mock));
      config.authorizationToken = token;
      const run = await recognizeFile(config, remindMe);
      t.equal(run.result.reason, sdk.ResultReason.RecognizedSpeech, "the result is RecognizedSpeech");
      t.equal(run.result.text, remindMeText, "with the scripted display text");
      const handshake = await mock.waitForLog((l) => l.event === "handshake" && l.connectionId === run.connectionId);
      t.match(handshake, { reason: "handshake.accepted_token" }, "the mock accepted the connection on the token");
      t.match(await turnOf(mock, run.connectionId), { status: "Success" }, "and answered its turn with Success");
    });

    t.test("continuous recognition of two-utterances.wav raises recognizing, then two recognized in order", testOptions(), async (t) => {
      const run = await continuousFile(keyConfig(), twoUtterances);
      t.same(
        recognizedOf(run.events).map((e) => e.text),
        twoTexts,
        "exactly two recognized events, with the two scripted texts in order",
      );
      assertUtterancesInOrder(t, run.events, twoTexts);
      t.equal(run.sessionStarted.length, 1, "one sessionStarted");
      t.same(run.sessionStopped, run.sessionStarted, "and one sessionStopped for the same session");
      // The SDK reports the end of a file's audio, once the service has ended the turn, as a cancellation.
      t.same(
        run.canceledEvents,
        [{ reason: sdk.CancellationReason.EndOfStream, errorCode: sdk.CancellationErrorCode.NoError, errorDetails: undefined }],
        "the end of the file is one canceled event with EndOfStream and no error",
      );
      t.equal(run.url.pathname, "/speech/recognition/conversation/cognitiveservices/v1", "the SDK used the conversation path");
      t.match(
        await turnOf(mock, run.connectionId),
        { mode: "conversation", status: "Success", phrases: 2 },
        "the mock logged one conversation turn with two phrases",
      );
    });

    t.test("with OutputFormat.Detailed, result.json carries NBest with the four text forms", testOptions(), async (t) => {
      const config = keyConfig();
      config.outputFormat = sdk.OutputFormat.Detailed;
      const run = await recognizeFile(config, remindMe);
      t.equal(run.url.searchParams.get("format"), "detailed", "the SDK asked for format=detailed");
      t.equal(run.result.reason, sdk.ResultReason.RecognizedSpeech, "the result is RecognizedSpeech");
      t.equal(run.result.text, remindMeText, "its text is the display text");
      const json = JSON.parse(run.result.json) as { RecognitionStatus?: string; NBest?: Record<string, unknown>[] };
      t.equal(json.RecognitionStatus, "Success", "result.json has RecognitionStatus Success");
      t.ok(Array.isArray(json.NBest) && json.NBest.length >= 1, "result.json has a non-empty NBest");
      t.match(
        json.NBest?.[0],
        {
          Display: run.result.text,
          Lexical: "remind me to buy five pencils",
          ITN: "remind me to buy 5 pencils",
          MaskedITN: "remind me to buy 5 pencils",
          Confidence: Number,
        },
        "NBest[0] has the result's text as Display, the lexical form with the number spelled out, ITN and MaskedITN",
      );
    });

    t.test("silence.wav gives NoMatch, not recognized", testOptions(), async (t) => {
      const run = await recognizeFile(keyConfig(), silence);
      t.equal(run.result.reason, sdk.ResultReason.NoMatch, "the result is NoMatch");
      t.equal(run.result.text ?? "", "", "with no text");
      t.equal(sdk.NoMatchDetails.fromResult(run.result).reason, sdk.NoMatchReason.NotRecognized, "NoMatchDetails says NotRecognized");
      t.match(await turnOf(mock, run.connectionId), { status: "NoMatch", phrases: 0 }, "the mock logged a NoMatch turn");
    });

    t.test("with enableDictation, continuous recognition of two-utterances.wav gives the two texts", testOptions(), async (t) => {
      const config = keyConfig();
      config.enableDictation();
      const run = await continuousFile(config, twoUtterances);
      t.equal(run.url.pathname, "/speech/recognition/dictation/cognitiveservices/v1", "the SDK used the dictation path");
      // The service's EndOfDictation phrase is not an utterance: the SDK raises no event for it.
      t.same(
        recognizedOf(run.events).map((e) => [e.reason, e.text]),
        twoTexts.map((text) => [sdk.ResultReason.RecognizedSpeech, text]),
        "exactly two recognized events, with the two scripted texts in order",
      );
      t.match(
        await turnOf(mock, run.connectionId),
        { mode: "dictation", status: "Success", phrases: 2 },
        "the mock logged a dictation turn",
      );
    });

    t.test("speechRecognitionLanguage is sent as the language parameter", testOptions(), async (t) => {
      const config = keyConfig();
      config.speechRecognitionLanguage = "de-DE";
      const run = await recognizeFile(config, remindMe);
      t.equal(run.url.searchParams.get("language"), "de-DE", "the SDK's URL carries language=de-DE");
      t.equal(run.result.reason, sdk.ResultReason.RecognizedSpeech, "a supported locale is recognized");

      // A locale the service does not know is refused at the handshake: proof the mock read it.
      const unknown = keyConfig();
      unknown.speechRecognitionLanguage = "xx-XX";
      const refused = await recognizeFile(unknown, remindMe);
      t.equal(refused.url.searchParams.get("language"), "xx-XX", "the SDK's URL carries language=xx-XX");
      t.equal(refused.result.reason, sdk.ResultReason.Canceled, "an unknown locale cancels the recognition");
      t.match(
        refused.cancellation,
        { reason: sdk.CancellationReason.Error, errorCode: sdk.CancellationErrorCode.ConnectionFailure, errorDetails: /\b400\b/ },
        "with a connection failure naming the 400",
      );
      await logsSettled(mock);
      const handshakes = linesOf(mock, "handshake", refused.connectionId);
      t.ok(handshakes.length >= 1, "the mock saw the SDK's handshake");
      t.ok(
        handshakes.every((l) => l.status === 400 && l.reason === "request.language_unknown"),
        "every attempt was refused with 400 request.language_unknown",
      );
    });

    for (const [option, param, expected] of [
      [sdk.ProfanityOption.Removed, "removed", "Well it."],
      [sdk.ProfanityOption.Masked, "masked", "Well **** it."],
      [sdk.ProfanityOption.Raw, "raw", "Well damn it."],
    ] as const) {
      t.test(
        `setProfanity(${sdk.ProfanityOption[option]}) recognizes "Well damn it." as ${JSON.stringify(expected)}`,
        testOptions(),
        async (t) => {
          const config = keyConfig(profane);
          config.setProfanity(option);
          const run = await recognizeFile(config, hello);
          t.equal(run.url.searchParams.get("profanity"), param, `the SDK sent profanity=${param}`);
          t.equal(run.result.reason, sdk.ResultReason.RecognizedSpeech, "the result is RecognizedSpeech");
          t.equal(run.result.text, expected, `the text is ${JSON.stringify(expected)}`);
          t.match(await turnOf(profane, run.connectionId), { status: "Success", scripted: false }, "the mock answered from the fallback");
        },
      );
    }

    t.test("a close injected mid-turn by a fault rule reaches the SDK as its documented cancellation", testOptions(), async (t) => {
      const rule = await fetch(`${mock.ready.admin}/faults`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          target: "message",
          path: "audio",
          after: 4,
          times: 1,
          action: { kind: "close", code: 1007, reason: "Injected mid-turn." },
        }),
      });
      t.equal(rule.status, 201);
      await rule.text();
      const run = await recognizeFile(keyConfig(), remindMe, 5_000);
      const expected = {
        reason: sdk.CancellationReason.Error,
        errorCode: sdk.CancellationErrorCode.BadRequestParameters,
        errorDetails: "Injected mid-turn. websocket error code: 1007",
      };
      t.equal(run.result.reason, sdk.ResultReason.Canceled);
      t.same(run.cancellation, expected, "canceled with the injected reason and code");
      const closed = await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === run.connectionId);
      t.match(closed, { code: 1007, initiator: "server", error: { code: "FAULT_INJECTED" } });
      await fetch(`${mock.ready.admin}/faults`, { method: "DELETE", headers: { "Content-Type": "application/json" } });
    });

    t.test("a quota-exceeded key is canceled by close 1007 with the SDK's BadRequestParameters error", testOptions(), async (t) => {
      // The SDK streams speech.context and audio right after speech.config, so this also proves
      // that the Deno adapter's lingering close gets the close frame through (see runtime/deno.ts).
      const config = sdk.SpeechConfig.fromHost(hostOf(mock), overQuota.keys[0]);
      // A short bound: the cancellation comes at once; a lost close frame would leave the SDK waiting forever.
      const outcome = await recognizeFile(config, remindMe, 5_000).then(
        (run) => ({ run }),
        (error: Error) => ({ error }),
      );

      // The mock's side does not depend on what reached the SDK: find the connection by its resource.
      const handshake = await mock.waitForLog((l) => l.event === "handshake" && l.resource === overQuota.name);
      const connectionId = handshake.connectionId as string;
      t.match(handshake, { status: 101, reason: "handshake.accepted_key" }, "the mock accepted the quota-exceeded key at the handshake");
      const closed = await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === connectionId);
      t.match(
        closed,
        { code: 1007, reason: "Quota exceeded.", initiator: "server", error: { code: "ERR_QUOTA_EXCEEDED" } },
        "then closed the socket with 1007 for the quota",
      );
      await logsSettled(mock);
      t.same(linesOf(mock, "turn", connectionId), [], "and answered no turn");

      if ("error" in outcome) {
        t.fail(outcome.error.message);
        return;
      }
      const { run } = outcome;
      t.equal(run.connectionId, connectionId, "the SDK's connection is the one the mock closed");
      t.equal(run.result.reason, sdk.ResultReason.Canceled, "the result is Canceled");
      // ServiceRecognizerBase cancels on close codes 1002, 1003, 1007 and 4000 instead of reconnecting;
      // 1007 maps to BadRequestParameters and the details are "<close reason> websocket error code: <code>".
      const expected = {
        reason: sdk.CancellationReason.Error,
        errorCode: sdk.CancellationErrorCode.BadRequestParameters,
        errorDetails: "Quota exceeded. websocket error code: 1007",
      };
      t.same(run.cancellation, expected, "the result's cancellation is Error, BadRequestParameters, with the close reason and code");
      t.same(run.canceledEvents, [expected], "one canceled event, the same");
      t.equal(linesOf(mock, "handshake", connectionId).length, 1, "the SDK did not reconnect");
    });
  });
}
