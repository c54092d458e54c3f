/**
 * The real Speech SDK's `SpeechSynthesizer` (1.52, Node) against the mock on Node and on Deno:
 * completed speaks with audio of the right length and format, the boundary, bookmark and viseme
 * events, one connection for several speaks, and the cancellations of refused speaks.
 */
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import t from "tap";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { fetchToken } from "../../../test/support/speech-sdk.ts";

const testOptions = () => ({ timeout: 20_000 });

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The Speech SDK did not ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Events {
  words: { text: string; audioOffset: number; duration: number; textOffset: number; boundaryType: string }[];
  bookmarks: { text: string; audioOffset: number }[];
  visemes: { visemeId: number; audioOffset: number }[];
}

/** A synthesizer with no audio output (the result carries the audio), its events recorded. */
function synthesizerFor(config: sdk.SpeechConfig, listen = true): { synth: sdk.SpeechSynthesizer; events: Events } {
  const synth = new sdk.SpeechSynthesizer(config, null);
  const events: Events = { words: [], bookmarks: [], visemes: [] };
  if (listen) {
    synth.wordBoundary = (_s, e) =>
      events.words.push({
        text: e.text,
        audioOffset: e.audioOffset,
        duration: e.duration,
        textOffset: e.textOffset,
        boundaryType: e.boundaryType,
      });
    synth.bookmarkReached = (_s, e) => events.bookmarks.push({ text: e.text, audioOffset: e.audioOffset });
    synth.visemeReceived = (_s, e) => events.visemes.push({ visemeId: e.visemeId, audioOffset: e.audioOffset });
  }
  return { synth, events };
}

const speak = (synth: sdk.SpeechSynthesizer, kind: "text" | "ssml", input: string) =>
  withTimeout(
    new Promise<sdk.SpeechSynthesisResult>((resolve, reject) =>
      kind === "text" ? synth.speakTextAsync(input, resolve, reject) : synth.speakSsmlAsync(input, resolve, reject),
    ),
    10_000,
    `finish speak${kind === "text" ? "Text" : "Ssml"}Async`,
  );

const ssml = (body: string, voice = "en-US-JennyNeural") =>
  `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xmlns:mstts="http://www.w3.org/2001/mstts" xml:lang="en-US"><voice name="${voice}">${body}</voice></speak>`;

/** The RIFF header the SDK wrote: sample rate, bits, channels, and the data size it announces. */
function riff(audio: ArrayBuffer) {
  const view = new DataView(audio);
  const tag = (at: number) => String.fromCharCode(...new Uint8Array(audio, at, 4));
  return {
    riff: tag(0),
    wave: tag(8),
    channels: view.getUint16(22, true),
    sampleRate: view.getUint32(24, true),
    bitsPerSample: view.getUint16(34, true),
    dataBytes: view.getUint32(40, true),
  };
}

const ascending = (values: number[]) => values.every((v, i) => i === 0 || v >= (values[i - 1] as number));

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock: SpawnedMock = await spawnMock(runtime);
    t.teardown(() => mock.stop());
    const key = (mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled") ?? mock.ready.resources[0])
      ?.keys[0] as string;
    /** `fromHost` with the mock's http URL: the SDK opens ws:// for the socket and keeps http:// for voices/list. */
    const config = (voice = "en-US-JennyNeural") => {
      const c = sdk.SpeechConfig.fromHost(new URL(mock.ready.url), key);
      c.speechSynthesisVoiceName = voice;
      return c;
    };
    const journal = async (query: string) =>
      ((await (await fetch(`${mock.ready.admin}/journal?${query}`)).json()) as { entries: Record<string, unknown>[] }).entries;

    t.test(
      "speakTextAsync completes with 16 kHz RIFF audio as long as SessionEnd says, and word boundaries in order",
      testOptions(),
      async (t) => {
        const { synth, events } = synthesizerFor(config());
        t.teardown(() => synth.close());
        const text = "Hello world, this is a test.";
        const result = await speak(synth, "text", text);
        t.equal(result.reason, sdk.ResultReason.SynthesizingAudioCompleted, "SynthesizingAudioCompleted");
        t.equal(result.errorDetails, undefined, "no error");
        const header = riff(result.audioData);
        t.match(
          header,
          { riff: "RIFF", wave: "WAVE", channels: 1, sampleRate: 16_000, bitsPerSample: 16 },
          "the SDK's default: riff-16khz-16bit-mono-pcm",
        );
        t.equal(header.dataBytes, result.audioData.byteLength - 44, "a 44-byte header, then the data");
        t.ok(result.audioDuration > 10_000_000, "over a second of audio for six words");
        t.equal(result.audioDuration, (header.dataBytes / 32) * 10_000, "audioDuration (SessionEnd) is the data's length in ticks");
        t.same(
          events.words.map((w) => w.text),
          ["Hello", "world", ",", "this", "is", "a", "test", "."],
          "a boundary per word and punctuation mark",
        );
        t.same(
          events.words.map((w) => w.textOffset),
          [0, 6, 11, 13, 18, 21, 23, 27],
          "text offsets point into the text (the SDK finds each word after the one before)",
        );
        t.same(
          events.words.map((w) => w.boundaryType),
          ["Word", "Word", "Punctuation", "Word", "Word", "Word", "Word", "Punctuation"].map((b) => `${b}Boundary`),
          "boundary types: WordBoundary, PunctuationBoundary",
        );
        t.ok(ascending(events.words.map((w) => w.audioOffset)), "audio offsets in order");
        t.ok(
          events.words.every((w) => w.audioOffset < result.audioDuration),
          "every boundary inside the audio",
        );
      },
    );

    t.test("speakSsmlAsync raises bookmarkReached and visemeReceived in order, in the format asked", testOptions(), async (t) => {
      const c = config();
      c.speechSynthesisOutputFormat = sdk.SpeechSynthesisOutputFormat.Riff24Khz16BitMonoPcm;
      const { synth, events } = synthesizerFor(c);
      t.teardown(() => synth.close());
      const input = ssml('Start here. <bookmark mark="after-start"/>Then <break time="300ms"/> finish.<bookmark mark="end"/>');
      const result = await speak(synth, "ssml", input);
      t.equal(result.reason, sdk.ResultReason.SynthesizingAudioCompleted, "SynthesizingAudioCompleted");
      const rest = await fetch(`${mock.ready.url}/cognitiveservices/v1`, {
        method: "POST",
        headers: {
          "Ocp-Apim-Subscription-Key": key,
          "Content-Type": "application/ssml+xml",
          "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm",
        },
        body: input,
      });
      t.same(
        new Uint8Array(result.audioData),
        new Uint8Array(await rest.arrayBuffer()),
        "the same file as the REST API makes of the same SSML, byte for byte",
      );
      const header = riff(result.audioData);
      t.match(header, { riff: "RIFF", sampleRate: 24_000, bitsPerSample: 16, channels: 1 }, "riff-24khz-16bit-mono-pcm");
      t.equal(result.audioDuration, Math.round((header.dataBytes / 48) * 10_000), "audioDuration matches 24 kHz 16-bit data");
      t.same(
        events.bookmarks.map((b) => b.text),
        ["after-start", "end"],
        "both bookmarks, in order",
      );
      t.ok(ascending(events.bookmarks.map((b) => b.audioOffset)), "bookmark offsets in order");
      t.ok(events.visemes.length >= 4, "a viseme per word at least");
      t.ok(ascending(events.visemes.map((v) => v.audioOffset)), "viseme offsets in order");
      t.ok(
        events.visemes.every((v) => v.visemeId >= 0 && v.visemeId <= 21),
        "viseme ids 0 to 21",
      );
      t.same(
        events.words.map((w) => w.text).filter((w) => /\w/.test(w)),
        ["Start", "here", "Then", "finish"],
        "the words",
      );
      const then = events.words.find((w) => w.text === "Then");
      const mark = events.bookmarks.find((b) => b.text === "after-start");
      t.ok(then && mark && mark.audioOffset <= then.audioOffset, "a bookmark comes at or before the word after it");
    });

    t.test("MP3, the browsers' default: the SDK joins the frames into the file the REST API makes", testOptions(), async (t) => {
      const c = config();
      c.speechSynthesisOutputFormat = sdk.SpeechSynthesisOutputFormat.Audio24Khz48KBitRateMonoMp3;
      const { synth } = synthesizerFor(c, false);
      t.teardown(() => synth.close());
      const input = ssml("An MP3, please.");
      const result = await speak(synth, "ssml", input);
      t.equal(result.reason, sdk.ResultReason.SynthesizingAudioCompleted, "SynthesizingAudioCompleted");
      const rest = await fetch(`${mock.ready.url}/cognitiveservices/v1`, {
        method: "POST",
        headers: {
          "Ocp-Apim-Subscription-Key": key,
          "Content-Type": "application/ssml+xml",
          "X-Microsoft-OutputFormat": "audio-24khz-48kbitrate-mono-mp3",
        },
        body: input,
      });
      const file = new Uint8Array(await rest.arrayBuffer());
      t.same(new Uint8Array(result.audioData), file, "byte for byte");
      t.same([file[0], (file[1] as number) & 0xe0], [0xff, 0xe0], "an MPEG audio frame first, no RIFF header");
      t.ok(result.audioDuration > 0, "audioDuration from SessionEnd");
    });

    t.test("sentence boundaries come when the SDK property asks for them", testOptions(), async (t) => {
      const c = config();
      c.setProperty(sdk.PropertyId.SpeechServiceResponse_RequestSentenceBoundary, "true");
      const { synth, events } = synthesizerFor(c);
      t.teardown(() => synth.close());
      const text = "First sentence here. And a second one.";
      await speak(synth, "text", text);
      const sentences = events.words.filter((w) => w.boundaryType === "SentenceBoundary");
      t.same(
        sentences.map((w) => [w.text, w.textOffset]),
        [
          ["First sentence here.", 0],
          ["And a second one.", 21],
        ],
        "one per sentence, with its text offset",
      );
      t.ok(ascending(sentences.map((w) => w.audioOffset)), "in order");
    });

    t.test("two speaks on one synthesizer use one connection", testOptions(), async (t) => {
      const { synth } = synthesizerFor(config(), false);
      t.teardown(() => synth.close());
      const first = await speak(synth, "text", "First speak.");
      const second = await speak(synth, "text", "And the second one.");
      t.equal(first.reason, sdk.ResultReason.SynthesizingAudioCompleted);
      t.equal(second.reason, sdk.ResultReason.SynthesizingAudioCompleted);
      t.ok(second.audioData.byteLength > first.audioData.byteLength, "the longer text makes longer audio");
      const synthesized = await journal("type=synthesis");
      const entries = [first, second].map((r) => synthesized.find((e) => String(e.requestId).toLowerCase() === r.resultId.toLowerCase()));
      t.ok(entries[0] && entries[1], "the journal has both speaks");
      t.equal(entries[0]?.connectionId, entries[1]?.connectionId, "on the same connection");
      const handshakes = (await journal("type=handshake")).filter((e) => e.connectionId === entries[0]?.connectionId);
      t.equal(handshakes.length, 1, "one handshake for both");
    });

    t.test("a token from issueToken and the older path through fromEndpoint work too", testOptions(), async (t) => {
      const c = sdk.SpeechConfig.fromHost(new URL(mock.ready.url));
      c.authorizationToken = await fetchToken(mock.ready.sts, key);
      const { synth } = synthesizerFor(c, false);
      t.teardown(() => synth.close());
      t.equal((await speak(synth, "text", "With a token.")).reason, sdk.ResultReason.SynthesizingAudioCompleted, "with a token");
      // fromEndpoint probes https://host:443 first for "" and the default path (spec 2.1): the older path avoids it.
      const older = sdk.SpeechConfig.fromEndpoint(new URL(`${mock.ready.ws}/cognitiveservices/websocket/v1`), key);
      const other = synthesizerFor(older, false).synth;
      t.teardown(() => other.close());
      t.equal((await speak(other, "text", "On the older path.")).reason, sdk.ResultReason.SynthesizingAudioCompleted, "on the older path");
    });

    t.test("without a credential the speak is canceled naming the 403", testOptions(), async (t) => {
      const { synth } = synthesizerFor(sdk.SpeechConfig.fromHost(new URL(mock.ready.url)), false);
      t.teardown(() => synth.close());
      const result = await speak(synth, "text", "Refused.");
      t.equal(result.reason, sdk.ResultReason.Canceled, "Canceled");
      const details = sdk.CancellationDetails.fromResult(result);
      t.equal(details.ErrorCode, sdk.CancellationErrorCode.ConnectionFailure, "ConnectionFailure");
      t.match(details.errorDetails, /Unexpected server response: 403/, "the 403 in errorDetails");
    });

    t.test("an unknown voice cancels with BadRequestParameters and the service's reason", testOptions(), async (t) => {
      const { synth } = synthesizerFor(config("en-US-NobodyNeural"), false);
      t.teardown(() => synth.close());
      const result = await speak(synth, "text", "Who speaks?");
      t.equal(result.reason, sdk.ResultReason.Canceled, "Canceled");
      const details = sdk.CancellationDetails.fromResult(result);
      t.equal(details.ErrorCode, sdk.CancellationErrorCode.BadRequestParameters, "BadRequestParameters (close 1007)");
      t.equal(details.errorDetails, "Unsupported voice en-US-NobodyNeural. websocket error code: 1007", "the documented errorDetails");
    });

    t.test("SSML with a bare ampersand cancels with the service's reason", testOptions(), async (t) => {
      const { synth } = synthesizerFor(config(), false);
      t.teardown(() => synth.close());
      const result = await speak(synth, "ssml", ssml("Fish & chips"));
      t.equal(result.reason, sdk.ResultReason.Canceled, "Canceled");
      const details = sdk.CancellationDetails.fromResult(result);
      t.equal(details.ErrorCode, sdk.CancellationErrorCode.BadRequestParameters);
      t.match(
        details.errorDetails,
        /^Invalid char '&' at position \d+ found in SSML\. Please escape it before use\. websocket error code: 1007$/,
      );
    });

    t.test("getVoicesAsync lists the fixture's voices", testOptions(), async (t) => {
      const listed = await fetch(`${mock.ready.url}/cognitiveservices/voices/list`, { headers: { "Ocp-Apim-Subscription-Key": key } });
      t.equal(listed.status, 200, "voices/list answers");
      const expected = ((await listed.json()) as { ShortName: string }[]).map((v) => v.ShortName);
      const { synth } = synthesizerFor(config(), false);
      t.teardown(() => synth.close());
      const result = await withTimeout(synth.getVoicesAsync(), 10_000, "finish getVoicesAsync");
      t.equal(result.reason, sdk.ResultReason.VoicesListRetrieved, "VoicesListRetrieved");
      t.same(
        result.voices.map((v) => v.shortName),
        expected,
        "the fixture's voices, in order",
      );
      t.ok(
        result.voices.some((v) => v.shortName === "en-US-JennyNeural"),
        "Jenny among them",
      );
    });
  });
}
