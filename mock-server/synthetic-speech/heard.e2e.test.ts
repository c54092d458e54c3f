/**
 * Speech speechmock synthesizes is heard again by the real server, with no transcripts entry:
 * two sentences rendered at 24 kHz, resampled to 16 kHz as a client would, in a WAV file, sent
 * over REST (fetch) and over the WebSocket by the Microsoft Speech SDK, on Node and on Deno.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "microsoft-cognitiveservices-speech-sdk";
import t from "tap";
import { bytesOf, resample } from "../../test/support/audio-transforms.ts";
import { concatBytes } from "../../test/support/fixture-audio.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";
import { continuousFile } from "../../test/support/speech-sdk.ts";
import { writeRiffHeader } from "../protocol/riff.ts";
import { minWordDurationMs, renderSpeech, type Segment } from "./encode.ts";

const sentences = ["Your order of 3 crème brûlées ships today.", "Anything else?"];
/** 160 words per minute, each stretched to its minimum when too long to say in that time. */
const words = (text: string): Segment[] =>
  text.split(" ").map((word) => ({ kind: "word", text: word, durationMs: Math.max(375, minWordDurationMs(word, 24_000)) }));
const pcm = bytesOf(
  resample(
    renderSpeech(
      [
        { kind: "silence", durationMs: 200 },
        ...words(sentences[0] as string),
        { kind: "silence", durationMs: 800 },
        ...words(sentences[1] as string),
        { kind: "silence", durationMs: 800 },
      ],
      24_000,
    ),
    24_000,
    16_000,
  ),
);
const wav = concatBytes(writeRiffHeader({ chunkSize: 36 + pcm.length, dataSize: pcm.length }), pcm);
const scratch = mkdtempSync(join(tmpdir(), "speechmock-synthesized-"));
const wavPath = join(scratch, "synthesized.wav");
writeFileSync(wavPath, wav);
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const key = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled")?.keys[0] as string;

    t.test("REST hears the first sentence, decided as synthesized speech", async (t) => {
      const res = await fetch(`${mock.ready.url}/speech/recognition/conversation/cognitiveservices/v1?language=en-US&format=detailed`, {
        method: "POST",
        headers: { "Ocp-Apim-Subscription-Key": key, "Content-Type": "audio/wav; codecs=audio/pcm; samplerate=16000" },
        body: wav,
      });
      t.equal(res.status, 200);
      t.match(await res.json(), {
        RecognitionStatus: "Success",
        DisplayText: sentences[0],
        Offset: 2_000_000,
        NBest: [{ Lexical: "your order of 3 crème brûlées ships today" }],
      });
      const journal = (await (await fetch(`${mock.ready.admin}/journal?type=rest.request`)).json()) as {
        entries: Record<string, unknown>[];
      };
      t.match(journal.entries.at(-1), { match: "synthesized", text: sentences[0] }, "the journal says how it was heard");
    });

    t.test("the Speech SDK's continuous recognition hears both sentences", async (t) => {
      const run = await continuousFile(sdk.SpeechConfig.fromHost(new URL(mock.ready.ws), key), wavPath);
      t.strictSame(
        run.events.filter((e) => e.type === "recognized").map((e) => [e.reason, e.text]),
        sentences.map((text) => [sdk.ResultReason.RecognizedSpeech, text]),
      );
      t.ok(
        run.canceledEvents.every((e) => e.reason === sdk.CancellationReason.EndOfStream),
        "no cancellation but the end of the file",
      );
      const turn = (await (await fetch(`${mock.ready.admin}/journal?type=turn`)).json()) as { entries: Record<string, unknown>[] };
      t.match(turn.entries.at(-1), { phase: "end", match: "synthesized", text: sentences.join(" ") }, "the journal says how it was heard");
    });
  });
}
