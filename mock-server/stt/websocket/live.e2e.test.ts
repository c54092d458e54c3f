/**
 * Live audio, answered as it is spoken: the real Speech SDK fed through a push stream at a
 * microphone's pace, against the real command under Node and Deno. Nothing here ends the audio
 * early: the interactive stream goes on with silence and is never closed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import t from "tap";
import { padded, roundTrip48k, withGain } from "../../../test/support/audio-transforms.ts";
import { fixturePcm } from "../../../test/support/fixture-audio.ts";
import { runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { fingerprintsOfClip } from "../fingerprint.ts";
import { ticksPerMs } from "../ticks.ts";

const pcmOf = fixturePcm;
const remindMe = pcmOf("remind-me.wav");
const twoUtterances = pcmOf("two-utterances.wav");
/** Where each utterance of a clip ends, in ms, as the mock's detector finds it. */
const speechEndsMs = (pcm: Uint8Array) => fingerprintsOfClip(pcm).map((u) => u.endTicks / ticksPerMs);
const speechStartsMs = (pcm: Uint8Array) => fingerprintsOfClip(pcm).map((u) => u.startTicks / ticksPerMs);

const chunkMs = 100;
const chunkBytes = chunkMs * 32;

/**
 * A microphone: writes `pcm` into the stream 100 ms at a time at real-time pace from `t0`, then
 * silence for as long as `more()` says (at most 30 s), and never closes the stream.
 */
async function speak(stream: sdk.PushAudioInputStream, pcm: Uint8Array, t0: number, more: () => boolean): Promise<void> {
  for (let at = 0, n = 0; at < pcm.length || more(); at += chunkBytes, n++) {
    const chunk = at < pcm.length ? pcm.slice(at, at + chunkBytes) : new Uint8Array(chunkBytes);
    stream.write(chunk.buffer);
    const due = t0 + (n + 1) * chunkMs;
    await sleep(Math.max(0, due - performance.now()));
    if (performance.now() - t0 > 30_000) return;
  }
}

const configFor = (mock: SpawnedMock): sdk.SpeechConfig => {
  const key = mock.ready.resources.find((r) => r.state === "enabled" && r.region === mock.ready.region)?.keys[0] as string;
  return sdk.SpeechConfig.fromHost(new URL(mock.ready.ws), key);
};

const closeRecognizer = (r: sdk.SpeechRecognizer) => new Promise<void>((resolve) => r.close(resolve, () => resolve()));

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop());

    t.test("recognizeOnceAsync on a never-closed live stream is answered within 2 s of the speech's end", async (t) => {
      const stream = sdk.AudioInputStream.createPushStream();
      const recognizer = new sdk.SpeechRecognizer(configFor(mock), sdk.AudioConfig.fromStreamInput(stream));
      t.teardown(() => closeRecognizer(recognizer));
      let done = false;
      const t0 = performance.now();
      const result = new Promise<{ result: sdk.SpeechRecognitionResult; at: number }>((resolve, reject) =>
        recognizer.recognizeOnceAsync((r) => resolve({ result: r, at: performance.now() - t0 }), reject),
      ).finally(() => {
        done = true;
      });
      const speaking = speak(stream, remindMe, t0, () => !done);
      const { result: r, at } = await result;
      await speaking;
      const speechEnd = speechEndsMs(remindMe)[0] as number;
      t.equal(r.reason, sdk.ResultReason.RecognizedSpeech);
      t.equal(r.text, "Remind me to buy 5 pencils.");
      t.ok(at - speechEnd <= 2000, `the result came ${Math.round(at - speechEnd)} ms after the speech ended`);
      t.ok(at > speechEnd, "and not before it ended");
    });

    for (const mode of ["conversation", "dictation"] as const) {
      t.test(`${mode}: a live stream gets its first phrase before the second utterance has been spoken`, async (t) => {
        const stream = sdk.AudioInputStream.createPushStream();
        const config = configFor(mock);
        if (mode === "dictation") config.enableDictation();
        const recognizer = new sdk.SpeechRecognizer(config, sdk.AudioConfig.fromStreamInput(stream));
        t.teardown(() => closeRecognizer(recognizer));
        const recognized: { text: string; at: number }[] = [];
        const t0 = performance.now();
        const both = new Promise<void>((resolve) => {
          recognizer.recognized = (_s, e) => {
            if (e.result.reason !== sdk.ResultReason.RecognizedSpeech) return;
            recognized.push({ text: e.result.text, at: performance.now() - t0 });
            if (recognized.length === 2) resolve();
          };
        });
        await new Promise<void>((resolve, reject) => recognizer.startContinuousRecognitionAsync(resolve, (e) => reject(new Error(e))));
        let done = false;
        const speaking = speak(stream, twoUtterances, t0, () => !done);
        await Promise.race([both, sleep(20_000)]);
        done = true;
        await speaking;
        await new Promise<void>((resolve) => recognizer.stopContinuousRecognitionAsync(resolve, () => resolve()));
        t.strictSame(
          recognized.map((r) => r.text),
          ["Turn on the lights.", "Set a timer for 10 minutes."],
        );
        const secondStarts = speechStartsMs(twoUtterances)[1] as number;
        t.ok(
          (recognized[0]?.at ?? Number.POSITIVE_INFINITY) < secondStarts,
          `the first phrase came at ${Math.round(recognized[0]?.at ?? -1)} ms, the second utterance starts at ${secondStarts} ms`,
        );
      });
    }

    t.test("a clip resampled through 48 kHz, quieter, and padded with 5 s of zeros is still heard as scripted", async (t) => {
      const changed = padded(withGain(roundTrip48k(remindMe), 0.7), 250, 5000);
      const logsBefore = mock.logs.length;
      const stream = sdk.AudioInputStream.createPushStream();
      stream.write(changed.slice().buffer);
      stream.close();
      const recognizer = new sdk.SpeechRecognizer(configFor(mock), sdk.AudioConfig.fromStreamInput(stream));
      t.teardown(() => closeRecognizer(recognizer));
      const r = await new Promise<sdk.SpeechRecognitionResult>((resolve, reject) => recognizer.recognizeOnceAsync(resolve, reject));
      t.equal(r.text, "Remind me to buy 5 pencils.");
      const turn = await mock.waitForLog((l) => l.event === "turn" && mock.logs.indexOf(l) >= logsBefore);
      t.equal(turn.scripted, true, "the mock says a transcript heard it");
    });
  });
}
