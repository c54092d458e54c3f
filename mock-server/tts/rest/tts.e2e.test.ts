/**
 * Text to speech over REST, black-box: the real `speechmock serve` under Node and under Deno, real
 * sockets, fetch as the client. Audio in several formats (its RIFF header and length checked
 * against the voice's pace), every refusal, the voices list and CORS, fault rules, the journal,
 * and the 2017 `/synthesize`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { ffprobeInstalled, noFfprobe as noDecoder, opusHeadRate, probeAudio } from "../../../test/support/ffprobe.ts";
import { runCommand, runtimes, type SpawnedMock, spawnMock } from "../../../test/support/spawn.ts";
import { isSampleCodec, outputFormats } from "../formats.ts";

const ssmlType = "application/ssml+xml; charset=utf-8";
const unknownKey = "0123456789abcdef0123456789abcdef";
const speak = (body: string, voice = "en-US-JennyNeural") =>
  `<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'><voice name='${voice}'>${body}</voice></speak>`;
const hello = speak("Hello there");
/** "Hello there" by Jenny (152 words a minute): 100 ms of silence, two words of 395 ms, 100 ms. */
const helloMs = 100 + 2 * Math.round(60_000 / 152) + 100;
const zira = "Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)";

/** Files of the test's own (voices files, audio for ffprobe), outside the repository. */
const scratch = mkdtempSync(join(tmpdir(), "speechmock-tts-"));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

const ffprobe = spawnSync("sh", ["-c", "command -v ffprobe"]).status === 0;
/** Without ffprobe the decode checks are skipped, except in CI, which installs it (.ci/run): there a missing decoder fails. */
const noFfprobe = (t: { fail(message: string): void; comment(message: string): void }) =>
  process.env.CI
    ? t.fail("ffprobe is not installed, and CI must run the decode checks")
    : t.comment("ffprobe is not installed: its decode check skipped");
const probe = (bytes: Uint8Array, extra: string[]) => {
  const file = join(scratch, `audio-${bytes.length}`);
  writeFileSync(file, bytes);
  const out = spawnSync(
    "ffprobe",
    ["-v", "error", ...extra, "-show_entries", "stream=codec_name,sample_rate,channels", "-of", "json", file],
    {
      encoding: "utf8",
    },
  );
  return {
    status: out.status,
    streams: out.status === 0 ? (JSON.parse(out.stdout) as { streams: Record<string, unknown>[] }).streams : [],
  };
};

/** A voices file of its own, and a bad one. */
const customVoice = {
  Name: "Microsoft Server Speech Text to Speech Voice (en-US, TestNeural)",
  DisplayName: "Test",
  LocalName: "Test",
  ShortName: "en-US-TestNeural",
  Gender: "Neutral",
  Locale: "en-US",
  LocaleName: "English (United States)",
  SampleRateHertz: "24000",
  VoiceType: "Neural",
  Status: "GA",
  WordsPerMinute: "60",
};
const customVoices = join(scratch, "voices.json");
writeFileSync(customVoices, JSON.stringify([customVoice]));
const badVoices = join(scratch, "bad-voices.json");
writeFileSync(badVoices, JSON.stringify([{ ...customVoice, SampleRateHertz: 24000, Gender: "Robot" }]));

const journal = async (mock: SpawnedMock, type: string): Promise<Record<string, unknown>[]> =>
  ((await (await fetch(`${mock.ready.admin}/journal?type=${type}`)).json()) as { entries: Record<string, unknown>[] }).entries;

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const { ready } = mock;
    const westus = ready.resources.find((r) => r.name === "speechmock-westus")?.keys[0] as string;
    const key = { "Ocp-Apim-Subscription-Key": westus };
    const token = async () => (await fetch(ready.sts, { method: "POST", headers: key })).text();
    const synth = (headers: Record<string, string>, body: string = hello, path = "/cognitiveservices/v1") =>
      fetch(`${ready.url}${path}`, { method: "POST", headers: { "Content-Type": ssmlType, ...headers }, body });
    const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

    t.test("RIFF PCM at 24 kHz: a 44-byte header, then duration x rate samples, streamed", async (t) => {
      const res = await synth({ ...key, "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm" });
      t.equal(res.status, 200);
      t.equal(res.headers.get("content-type"), "audio/x-wav");
      t.equal(res.headers.get("content-length"), null, "chunked, not a length up front");
      t.equal(res.headers.get("access-control-allow-origin"), "*");
      const body = await bytes(res);
      const view = new DataView(body.buffer);
      const dataBytes = (helloMs * 24_000 * 2) / 1000;
      t.equal(new TextDecoder().decode(body.subarray(0, 4)), "RIFF");
      t.equal(new TextDecoder().decode(body.subarray(8, 16)), "WAVEfmt ");
      t.same(
        [view.getUint32(4, true), view.getUint16(20, true), view.getUint16(22, true), view.getUint32(24, true), view.getUint32(28, true)],
        [36 + dataBytes, 1, 1, 24_000, 48_000],
        "size, PCM, mono, 24 kHz, 48000 B/s",
      );
      t.same([view.getUint16(32, true), view.getUint16(34, true), view.getUint32(40, true)], [2, 16, dataBytes]);
      t.equal(body.length, 44 + dataBytes);
      t.ok(
        body.subarray(44).some((b) => b !== 0),
        "not silence",
      );
      const again = await bytes(await synth({ ...key, "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm" }));
      t.ok(Buffer.from(again).equals(Buffer.from(body)), "the same SSML, the same bytes");
      if (ffprobe) t.match(probe(body, []).streams, [{ codec_name: "pcm_s16le", sample_rate: "24000", channels: 1 }], "ffprobe decodes it");
      else noFfprobe(t);
    });

    t.test("raw mu-law and RIFF A-law at 8 kHz, with a token, on the /tts/ path", async (t) => {
      const bearer = { Authorization: `Bearer ${await token()}` };
      const mulaw = await synth({ ...bearer, "X-Microsoft-OutputFormat": "raw-8khz-8bit-mono-mulaw" }, hello, "/tts/cognitiveservices/v1");
      t.equal(mulaw.status, 200);
      t.equal(mulaw.headers.get("content-type"), "application/octet-stream");
      const raw = await bytes(mulaw);
      t.equal(raw.length, helloMs * 8, "one byte a sample, no header");
      t.ok(raw.includes(0xff), "mu-law silence is 0xFF");
      if (ffprobe) t.match(probe(raw, ["-f", "mulaw", "-ar", "8000"]).streams, [{ codec_name: "pcm_mulaw" }], "ffprobe decodes it");
      else noFfprobe(t);
      const alaw = await bytes(await synth({ ...bearer, "X-Microsoft-OutputFormat": "riff-8khz-8bit-mono-alaw" }));
      t.equal(alaw.length, 44 + helloMs * 8);
      t.equal(new DataView(alaw.buffer).getUint16(20, true), 6, "WAVE_FORMAT_ALAW");
      const pcm48 = await bytes(await synth({ ...key, "X-Microsoft-OutputFormat": "raw-48khz-16bit-mono-pcm" }));
      t.equal(pcm48.length, helloMs * 96, "48 kHz PCM: 96 bytes a millisecond");
    });

    t.test("MP3 and Opus in Ogg and WebM: streams a decoder reads, at the format's rate, mono, as long as journaled", async (t) => {
      const body = speak("Hello there, how are you today?");
      const compressed = [...outputFormats.values()].filter((f) => f.generated && !isSampleCodec(f));
      t.equal(compressed.length, 14, "8 MP3, 3 Ogg and 3 WebM names");
      const answers = await Promise.all(
        compressed.map(async (f) => {
          const res = await synth({ ...key, "X-Microsoft-OutputFormat": f.name }, body);
          return { f, status: res.status, type: res.headers.get("content-type"), audio: await bytes(res) };
        }),
      );
      const entries = (await journal(mock, "tts.request")).slice(-compressed.length);
      if (!ffprobeInstalled) noDecoder(t);
      const probes = ffprobeInstalled ? await Promise.all(answers.map((a) => probeAudio(a.audio))) : [];
      for (const [i, { f, status, type, audio }] of answers.entries()) {
        t.equal(status, 200, `${f.name}: 200`);
        t.equal(type, f.contentType, `${f.name}: ${f.contentType}`);
        const audioMs = entries.find((e) => e.format === f.name)?.audioMs as number;
        const probed = probes[i];
        if (probed === undefined) continue;
        t.equal(probed.status, 0, `${f.name}: ffprobe reads it ${probed.stderr}`);
        if (f.codec === "mp3") {
          const bitRate = String((f.kbps as number) * 1000);
          t.match(probed.streams, [{ codec_name: "mp3", sample_rate: String(f.sampleRate), channels: 1, bit_rate: bitRate }], f.name);
        } else {
          // Opus always decodes at 48 kHz; the rate it was coded from is the OpusHead's.
          t.match(probed.streams, [{ codec_name: "opus", sample_rate: "48000", channels: 1 }], f.name);
          t.equal(opusHeadRate(audio), f.sampleRate, `${f.name}: OpusHead input rate`);
        }
        t.ok(Math.abs(probed.seconds * 1000 - audioMs) <= audioMs * 0.1, `${f.name}: ${probed.seconds} s, journaled ${audioMs} ms`);
      }
      const again = await bytes(await synth({ ...key, "X-Microsoft-OutputFormat": "ogg-16khz-16bit-mono-opus" }, body));
      const first = answers.find((a) => a.f.name === "ogg-16khz-16bit-mono-opus")?.audio as Uint8Array;
      t.ok(Buffer.from(again).equals(Buffer.from(first)), "the same SSML, the same Ogg bytes");
    });

    t.test("the journal has each synthesis: voice, format, text and audio length", async (t) => {
      await synth({ ...key, "X-Microsoft-OutputFormat": "riff-16khz-16bit-mono-pcm" }).then((r) => r.arrayBuffer());
      const entry = (await journal(mock, "tts.request")).at(-1);
      t.match(entry, {
        type: "tts.request",
        method: "POST",
        path: "/cognitiveservices/v1",
        status: 200,
        reason: "tts.synthesized",
        voice: "en-US-JennyNeural",
        format: "riff-16khz-16bit-mono-pcm",
        textLength: "Hello there".length,
        audioMs: helloMs,
        resource: "speechmock-westus",
      });
    });

    t.test("refusals: the documented statuses, one line of plain text, the reason header", async (t) => {
      const riff = { "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm" };
      const cases: [string, Record<string, string>, string, number, string, RegExp][] = [
        ["no credential", { ...riff }, hello, 401, "auth.missing", /missing subscription key or authorization token/],
        [
          "an unknown key",
          { ...riff, "Ocp-Apim-Subscription-Key": unknownKey },
          hello,
          401,
          "auth.key_unknown",
          /invalid subscription key/,
        ],
        [
          "a wrong Content-Type",
          { ...key, ...riff, "Content-Type": "text/plain" },
          hello,
          415,
          "request.content_type_unsupported",
          /^Unsupported Content-Type "text\/plain": expected application\/ssml\+xml$/,
        ],
        ["no output format", { ...key }, hello, 400, "request.output_format_missing", /^Missing X-Microsoft-OutputFormat header/],
        [
          "an unknown output format",
          { ...key, "X-Microsoft-OutputFormat": "riff-11khz-16bit-mono-pcm" },
          hello,
          400,
          "request.output_format_unknown",
          /^Unknown X-Microsoft-OutputFormat "riff-11khz-16bit-mono-pcm"/,
        ],
        [
          "a format the mock does not make",
          { ...key, "X-Microsoft-OutputFormat": "audio-24khz-16bit-48kbps-mono-opus" },
          hello,
          400,
          "request.output_format_unsupported",
          /^speechmock cannot make audio-24khz-16bit-48kbps-mono-opus audio: the service's framing of bare Opus frames is unconfirmed, .*; ask for ogg-24khz-16bit-mono-opus$/,
        ],
        [
          "a bare &",
          { ...key, ...riff },
          speak("Tom & Jerry"),
          400,
          "request.ssml_invalid",
          /^Invalid char '&' at position \d+ found in SSML\. Please escape it before use\.$/,
        ],
        [
          "ill-formed SSML",
          { ...key, ...riff },
          "<speak><voice name='en-US-JennyNeural'>Hi</speak>",
          400,
          "request.ssml_invalid",
          /^SSML is invalid: /,
        ],
        [
          "no voice",
          { ...key, ...riff },
          "<speak version='1.0' xml:lang='en-US'>Hi</speak>",
          400,
          "request.ssml_invalid",
          /^SSML is invalid: <speak> has no <voice> element$/,
        ],
        [
          "an unknown voice",
          { ...key, ...riff },
          speak("Hi", "en-US-NoSuchNeural"),
          400,
          "request.voice_unknown",
          /^Unsupported voice en-US-NoSuchNeural\.$/,
        ],
        [
          "SSML over 64 KB",
          { ...key, ...riff },
          speak("word ".repeat(14_000)),
          400,
          "request.ssml_too_large",
          /^SSML is larger than 65536 bytes/,
        ],
      ];
      for (const [name, headers, body, status, reason, text] of cases) {
        const res = await synth(headers, body);
        t.equal(res.status, status, `${name}: status`);
        t.equal(res.headers.get("x-speechmock-reason"), reason, `${name}: reason`);
        t.match(await res.text(), text, `${name}: body`);
      }
      const entries = (await journal(mock, "tts.request")).slice(-cases.length);
      t.same(
        entries.map((e) => [e.status, e.reason]),
        cases.map(([, , , status, reason]) => [status, reason]),
        "each refusal journaled",
      );
    });

    t.test("fault rules with target tts: a 429 with Retry-After, once", async (t) => {
      const json = { "Content-Type": "application/json" };
      const rule = { target: "tts", times: 1, action: { kind: "respond", status: 429, headers: { "Retry-After": "3" } } };
      t.equal((await fetch(`${ready.admin}/faults`, { method: "POST", headers: json, body: JSON.stringify(rule) })).status, 201);
      const riff = { ...key, "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm" };
      const faulted = await synth(riff);
      t.equal(faulted.status, 429);
      t.equal(faulted.headers.get("retry-after"), "3");
      await faulted.text();
      const next = await synth(riff);
      t.equal(next.status, 200, "spent after one firing");
      await next.arrayBuffer();
      t.match((await journal(mock, "fault")).at(-1), { target: "tts", action: "respond", status: 429 });
      await fetch(`${ready.admin}/faults`, { method: "DELETE", headers: json });
    });

    t.test("voices/list: the fixture's voices, at any path ending with it, with a key or a token", async (t) => {
      const res = await fetch(`${ready.url}/cognitiveservices/voices/list`, { headers: key });
      t.equal(res.status, 200);
      t.match(res.headers.get("content-type"), /^application\/json/);
      const voices = (await res.json()) as Record<string, unknown>[];
      t.match(
        voices.find((v) => v.ShortName === "en-US-JennyNeural"),
        { Name: "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)", SampleRateHertz: "24000", WordsPerMinute: "152" },
      );
      t.ok(voices.some((v) => v.ShortName === "en-US-AvaMultilingualNeural"));
      const nested = await fetch(`${ready.url}/cognitiveservices/websocket/v1/cognitiveservices/voices/list`, {
        headers: { Authorization: `Bearer ${await token()}` },
      });
      t.equal(nested.status, 200, "the SDK's fromEndpoint form");
      t.equal(((await nested.json()) as unknown[]).length, voices.length);
      const refused = await fetch(`${ready.url}/cognitiveservices/voices/list`);
      t.equal(refused.status, 401);
      await refused.text();
    });

    t.test("CORS: browsers' preflights for voices and synthesis are allowed", async (t) => {
      for (const path of ["/cognitiveservices/voices/list", "/cognitiveservices/v1"]) {
        const res = await fetch(`${ready.url}${path}`, {
          method: "OPTIONS",
          headers: {
            Origin: "https://app.example",
            "Access-Control-Request-Method": path.endsWith("list") ? "GET" : "POST",
            "Access-Control-Request-Headers": "authorization,ocp-apim-subscription-key,content-type,x-microsoft-outputformat",
          },
        });
        t.equal(res.status, 204, path);
        t.equal(res.headers.get("access-control-allow-origin"), "*", path);
        t.match(res.headers.get("access-control-allow-headers"), /X-Microsoft-OutputFormat/, path);
      }
    });

    t.test("--voices: a file of one's own replaces the built-in voices; a bad one stops the mock with exit 2", async (t) => {
      const [custom, bad, missing] = await Promise.all([
        spawnMock(runtime, ["--voices", customVoices, "--log-format", "none"]),
        runCommand(runtime, ["serve", "--port", "0", "--voices", badVoices]),
        runCommand(runtime, ["serve", "--port", "0", "--voices", join(scratch, "none.json")]),
      ]);
      t.teardown(() => custom.stop("SIGKILL").then(() => undefined));
      const headers = { "Ocp-Apim-Subscription-Key": custom.ready.resources[0]?.keys[0] as string };
      t.same(await (await fetch(`${custom.ready.url}/cognitiveservices/voices/list`, { headers })).json(), [customVoice]);
      const res = await fetch(`${custom.ready.url}/cognitiveservices/v1`, {
        method: "POST",
        headers: { ...headers, "Content-Type": ssmlType, "X-Microsoft-OutputFormat": "raw-8khz-8bit-mono-mulaw" },
        body: speak("Hello there", "en-US-TestNeural"),
      });
      t.equal((await bytes(res)).length, (100 + 2 * 1000 + 100) * 8, "60 words a minute: a second a word");
      const jenny = await fetch(`${custom.ready.url}/cognitiveservices/v1`, {
        method: "POST",
        headers: { ...headers, "Content-Type": ssmlType, "X-Microsoft-OutputFormat": "raw-8khz-8bit-mono-mulaw" },
        body: hello,
      });
      t.equal(jenny.status, 400, "the built-in voices are gone");
      await jenny.text();
      t.equal(bad.code, 2);
      t.match(bad.stderr, `${badVoices}: $[0].Gender: Invalid option: expected one of "Male"|"Female"|"Neutral"`);
      t.match(bad.stderr, `${badVoices}: $[0].SampleRateHertz: Invalid input: expected string, received number`);
      t.equal(missing.code, 2);
      t.match(missing.stderr, /Cannot read voices file ".*none\.json": (ENOENT|NotFound)/);
    });

    t.test("the 2017 /synthesize: a token, its limits and its answers", async (t) => {
      const bearer = { Authorization: `Bearer ${await token()}` };
      const legacy = {
        "X-Search-AppId": "07D3234E49CE426DAA29772419F436CA",
        "X-Search-ClientID": "1ECFAE91408841A480F00935DC390960",
        "User-Agent": "speechmock-test",
      };
      const post = (headers: Record<string, string>, body: string) =>
        fetch(`${ready.url}/synthesize`, {
          method: "POST",
          headers: { "Content-Type": "application/ssml+xml", ...legacy, ...headers },
          body,
        });
      const mulaw = { "X-Microsoft-OutputFormat": "riff-8khz-8bit-mono-mulaw" };
      const ok = await post({ ...bearer, ...mulaw }, speak("Hello there", zira));
      t.equal(ok.status, 200);
      t.equal(ok.headers.get("content-type"), "audio/x-wav");
      t.equal((await bytes(ok)).length, 44 + (100 + 2 * 400 + 100) * 8, "Zira at 150 words a minute");

      const forbidden = await post({ ...key, ...mulaw }, speak("Hello", zira));
      t.equal(forbidden.status, 403, "a key is not enough");
      t.equal(await forbidden.text(), "Forbidden");
      const voice = await post({ ...bearer, ...mulaw }, speak("Hello", "Microsoft Server Speech Text to Speech Voice (en-US, NobodyRUS)"));
      t.equal(voice.status, 400);
      t.equal(voice.headers.get("content-type"), "text/plain; charset=UTF-8");
      t.equal(await voice.text(), "Voice name not supported");
      const xml = await post({ ...bearer, ...mulaw }, "<speak><voice name='x'>");
      t.equal(xml.status, 400);
      t.equal(xml.headers.get("content-type"), "text/xml");
      t.equal(await xml.text(), "", "an empty body");
      const long = await post({ ...bearer, ...mulaw }, speak("a".repeat(1024), zira));
      t.equal(long.status, 413, "over 1,024 characters");
      t.match(await long.text(), /longer than 1024/);
      const lengthy = await post({ ...bearer, ...mulaw }, speak("<break time='16s'/>Hi", zira));
      t.equal(lengthy.status, 413, "over 15 s of audio");
      t.equal(lengthy.headers.get("x-speechmock-reason"), "request.audio_too_long");
      await lengthy.text();
    });
  });
}
