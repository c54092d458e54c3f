/**
 * A voice bot's loop, offline: the real server synthesizes SSML (REST) in every format it makes,
 * the audio is brought to 16 kHz 16-bit as a client would (G.711 decoded, resampled), and the same
 * server's REST recognition hears the text that was spoken, punctuation included, with no
 * transcripts entry. On Node and on Deno.
 */
import t from "tap";
import { bytesOf, resample, samplesOf } from "../../test/support/audio-transforms.ts";
import { concatBytes } from "../../test/support/fixture-audio.ts";
import { aLawToLinear, muLawToLinear } from "../../test/support/g711.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";
import { writeRiffHeader } from "../protocol/riff.ts";

const spoken = "Hello, I can help you with that.";
const ssml = (rate: string) =>
  `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">` +
  `<voice name="en-US-JennyNeural"><prosody rate="${rate}">${spoken}</prosody></voice></speak>`;

/** The raw formats the mock makes (the riff-* ones are the same audio behind a header), as 16-bit samples at their rate. */
const formats: [name: string, hz: number, toSamples: (body: Uint8Array) => Int16Array][] = [
  ["raw-8khz-8bit-mono-mulaw", 8000, (b) => Int16Array.from(b, muLawToLinear)],
  ["raw-8khz-8bit-mono-alaw", 8000, (b) => Int16Array.from(b, aLawToLinear)],
  ["raw-8khz-16bit-mono-pcm", 8000, samplesOf],
  ["raw-16khz-16bit-mono-pcm", 16_000, samplesOf],
  ["raw-22050hz-16bit-mono-pcm", 22_050, samplesOf],
  ["raw-24khz-16bit-mono-pcm", 24_000, samplesOf],
  ["raw-44100hz-16bit-mono-pcm", 44_100, samplesOf],
  ["raw-48khz-16bit-mono-pcm", 48_000, samplesOf],
];

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const key = mock.ready.resources.find((r) => r.region === "westus" && r.state === "enabled")?.keys[0] as string;

    for (const [format, hz, toSamples] of formats) {
      // A fast voice in the narrowest format, the plain pace in the others.
      const rate = format.startsWith("raw-8khz") ? "fast" : "medium";
      t.test(`${format} at prosody rate ${rate}, resampled to 16 kHz, is heard as the text spoken`, async (t) => {
        const synthesized = await fetch(`${mock.ready.url}/cognitiveservices/v1`, {
          method: "POST",
          headers: { "Ocp-Apim-Subscription-Key": key, "Content-Type": "application/ssml+xml", "X-Microsoft-OutputFormat": format },
          body: ssml(rate),
        });
        t.equal(synthesized.status, 200);
        const pcm = bytesOf(resample(toSamples(new Uint8Array(await synthesized.arrayBuffer())), hz, 16_000));
        const wav = concatBytes(writeRiffHeader({ chunkSize: 36 + pcm.length, dataSize: pcm.length }), pcm);
        const heard = await fetch(`${mock.ready.url}/speech/recognition/conversation/cognitiveservices/v1?language=en-US`, {
          method: "POST",
          headers: { "Ocp-Apim-Subscription-Key": key, "Content-Type": "audio/wav; codecs=audio/pcm; samplerate=16000" },
          body: wav,
        });
        t.match(await heard.json(), { RecognitionStatus: "Success", DisplayText: spoken });
      });
    }

    t.test("the journal says the speech was heard as synthesized, not from a transcript", async (t) => {
      const journal = (await (await fetch(`${mock.ready.admin}/journal?type=rest.request`)).json()) as {
        entries: Record<string, unknown>[];
      };
      t.equal(journal.entries.length, formats.length);
      t.ok(
        journal.entries.every((e) => e.match === "synthesized" && e.text === spoken),
        "every recognition: match synthesized",
      );
    });
  });
}
