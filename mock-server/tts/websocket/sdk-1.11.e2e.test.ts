/**
 * Microsoft's JS Speech SDK 1.11.0 (the npm alias `speech-sdk-1.11`, March 2020), unmodified,
 * against the mock under Node and under Deno: the first SDK with a SpeechSynthesizer. It speaks an
 * older dialect than today's: the path without `/tts`, a `synthesis.context` with only
 * `sentenceBoundaryEnabled` and `wordBoundaryEnabled`, as booleans, and for `en-US` the 2017 voice
 * `Microsoft Server Speech Text to Speech Voice (en-US, JessaRUS)`. The service served it; so
 * must the mock.
 */
import * as sdk from "speech-sdk-1.11";
import t from "tap";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";

const testOptions = () => ({ timeout: 30_000 });

type Synthesis = { type: string; voice?: string; format?: string; audioBytes?: number; audioMs?: number; metadata?: number };

function speak(synth: sdk.SpeechSynthesizer, kind: "text" | "ssml", input: string): Promise<sdk.SpeechSynthesisResult> {
  return new Promise((resolve, reject) =>
    kind === "text" ? synth.speakTextAsync(input, resolve, reject) : synth.speakSsmlAsync(input, resolve, reject),
  );
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock: SpawnedMock = await spawnMock(runtime);
    t.teardown(() => mock.stop());
    const key = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled")?.keys[0] as string;
    // 1.11 has no fromHost; its fromSubscription URL is wss://{region}.tts.speech.microsoft.com/cognitiveservices/websocket/v1.
    const config = () => sdk.SpeechConfig.fromEndpoint(new URL(`${mock.ready.ws}/cognitiveservices/websocket/v1`), key);
    const lastSynthesis = async () => {
      const res = await fetch(`${mock.ready.admin}/journal?type=synthesis`);
      return ((await res.json()) as { entries: Synthesis[] }).entries.at(-1);
    };

    t.test("speakTextAsync: its default voice (JessaRUS) and format (16 kHz RIFF), word boundaries in order", testOptions(), async (t) => {
      const synth = new sdk.SpeechSynthesizer(config(), undefined);
      t.teardown(() => synth.close());
      const words: { text: string; offset: number }[] = [];
      synth.wordBoundary = (_s, e) => words.push({ text: e.text, offset: e.audioOffset });
      const result = await speak(synth, "text", "Hello from an SDK of 2020.");
      t.equal(result.reason, sdk.ResultReason.SynthesizingAudioCompleted, `SynthesizingAudioCompleted ${result.errorDetails ?? ""}`);
      const audio = new DataView(result.audioData);
      t.equal(String.fromCharCode(...new Uint8Array(result.audioData, 0, 4)), "RIFF", "the SDK wrote its RIFF header");
      t.equal(audio.getUint32(24, true), 16_000, "at 16 kHz");
      const entry = await lastSynthesis();
      t.match(entry, { voice: "en-US-JessaRUS", format: "raw-16khz-16bit-mono-pcm" }, "the mock knew the 2017 voice by its long name");
      t.equal(result.audioData.byteLength, 44 + (entry?.audioBytes ?? 0), "every byte the mock sent, behind the header");
      t.same(
        words.map((w) => w.text),
        ["Hello", "from", "an", "SDK", "of", "2020", "."],
        "a boundary per word, and the full stop: a context without punctuationBoundaryEnabled gets it with the words",
      );
      t.ok(
        words.every((w, i) => i === 0 || w.offset > (words[i - 1] as { offset: number }).offset),
        "offsets rise",
      );
    });

    t.test("speakSsmlAsync in MP3: the frames joined are the stream the mock made", testOptions(), async (t) => {
      const c = config();
      c.speechSynthesisOutputFormat = sdk.SpeechSynthesisOutputFormat.Audio24Khz48KBitRateMonoMp3;
      const synth = new sdk.SpeechSynthesizer(c, undefined);
      t.teardown(() => synth.close());
      const ssml =
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'>" +
        "<voice name='en-US-JennyNeural'>Tom &amp; Jerry.</voice></speak>";
      const result = await speak(synth, "ssml", ssml);
      t.equal(result.reason, sdk.ResultReason.SynthesizingAudioCompleted, `SynthesizingAudioCompleted ${result.errorDetails ?? ""}`);
      const entry = await lastSynthesis();
      t.match(entry, { voice: "en-US-JennyNeural", format: "audio-24khz-48kbitrate-mono-mp3" });
      t.equal(result.audioData.byteLength, entry?.audioBytes, "as many bytes as the mock sent");
      const bytes = new Uint8Array(result.audioData);
      t.ok(
        (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0) || String.fromCharCode(...bytes.subarray(0, 3)) === "ID3",
        "an MP3 stream",
      );
    });

    t.test("an unknown voice is Canceled with the service's reason", testOptions(), async (t) => {
      const synth = new sdk.SpeechSynthesizer(config(), undefined);
      t.teardown(() => synth.close());
      const ssml = "<speak version='1.0' xml:lang='en-US'><voice name='en-US-NobodyNeural'>Hello.</voice></speak>";
      const result = await speak(synth, "ssml", ssml);
      t.equal(result.reason, sdk.ResultReason.Canceled);
      t.match(result.errorDetails, /Unsupported voice en-US-NobodyNeural/);
    });
  });
}
