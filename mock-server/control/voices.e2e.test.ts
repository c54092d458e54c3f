/**
 * Scripting the voices the mock speaks with while it runs, on the real command under Node and
 * Deno: a voice put through the control plane is listed and spoken at once, at its own pace, by
 * the REST API and the 2017 API; a removed one is refused as unknown; reset brings back the start-up list.
 */
import t from "tap";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";

const json = { "Content-Type": "application/json" };
const riff24k = { "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm" };
/** A voice of the test's own, in the voices fixture's entry shape: twice the en-US voices' pace. */
const speechmock = {
  Name: "Microsoft Server Speech Text to Speech Voice (en-US, SpeechmockNeural)",
  DisplayName: "Speechmock",
  LocalName: "Speechmock",
  ShortName: "en-US-SpeechmockNeural",
  Gender: "Neutral",
  Locale: "en-US",
  LocaleName: "English (United States)",
  SampleRateHertz: "24000",
  VoiceType: "Neural",
  Status: "GA",
  WordsPerMinute: "300",
};
const speak = (voice: string, text = "Hello there") =>
  `<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'><voice name='${voice}'>${text}</voice></speak>`;
/** Twenty five-letter words: each lasts 60000 / wpm ms, between 100 ms of silence either side. */
const twentyWords = "Hello there ".repeat(10).trim();
/** The bytes of `twentyWords` in 24 kHz 16-bit RIFF at `wpm` words a minute: a 44-byte header and 48 bytes a millisecond. */
const riffBytesAt = (wpm: number) => 44 + (100 + 20 * (60_000 / wpm) + 100) * 48;

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime, ["--log-format", "none"]);
    t.teardown(() => mock.stop().then(() => undefined));
    const { admin, url } = mock.ready;
    const key = { "Ocp-Apim-Subscription-Key": mock.ready.resources[0]?.keys[0] as string };
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${admin}${path}`, { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> };
    };
    const listed = async () => {
      const res = await fetch(`${url}/cognitiveservices/voices/list`, { headers: key });
      if (res.status !== 200) throw new Error(`voices/list answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>[];
    };
    const synth = async (ssml: string) => {
      const res = await fetch(`${url}/cognitiveservices/v1`, {
        method: "POST",
        headers: { "Content-Type": "application/ssml+xml", ...key, ...riff24k },
        body: ssml,
      });
      return { status: res.status, reason: res.headers.get("x-speechmock-reason"), body: new Uint8Array(await res.arrayBuffer()) };
    };
    const start = await listed();
    t.afterEach(async () => {
      await call("POST", "/reset");
    });

    t.test("GET lists the voices as voices/list serves them", async (t) => {
      const { status, body } = await call("GET", "/voices");
      t.equal(status, 200);
      t.same(body, { voices: start });
    });

    t.test("a voice put at 300 words a minute is listed and speaks at once, half as long as a 150-wpm voice", async (t) => {
      const put = await call("PUT", `/voices/${speechmock.ShortName}`, speechmock);
      t.equal(put.status, 201, "added");
      t.same(put.body, speechmock);
      t.same((await listed()).at(-1), speechmock, "voices/list shows it, last");
      t.same((await call("GET", "/voices")).body, { voices: [...start, speechmock] });

      const slow = start.find((v) => v.WordsPerMinute === "150")?.ShortName as string;
      t.ok(slow, `a fixture voice at 150 words a minute: ${slow}`);
      const fast = await synth(speak(speechmock.ShortName, twentyWords));
      t.equal(fast.status, 200);
      t.equal(fast.body.length, riffBytesAt(300), "4200 ms");
      const paced = await synth(speak(slow, twentyWords));
      t.equal(paced.body.length, riffBytesAt(150), "8200 ms");
      const ratio = (fast.body.length - 44) / (paced.body.length - 44);
      t.ok(ratio > 0.45 && ratio < 0.55, `about half as long: ${ratio.toFixed(3)}`);
      t.equal((await synth(speak(speechmock.Name, twentyWords))).body.length, riffBytesAt(300), "by its long name too");

      const token = await (await fetch(mock.ready.sts, { method: "POST", headers: key })).text();
      const legacy = await fetch(`${url}/synthesize`, {
        method: "POST",
        headers: { "Content-Type": "application/ssml+xml", Authorization: `Bearer ${token}`, ...riff24k },
        body: speak(speechmock.Name),
      });
      t.equal(legacy.status, 200, "the 2017 API speaks it too");
      t.equal((await legacy.arrayBuffer()).byteLength, 44 + (100 + 2 * 200 + 100) * 48);
    });

    t.test("a voice put again is replaced in place, and speaks at its new pace", async (t) => {
      t.equal((await call("PUT", `/voices/${speechmock.ShortName}`, speechmock)).status, 201);
      const slower = { ...speechmock, WordsPerMinute: "150" };
      const again = await call("PUT", `/voices/${speechmock.ShortName}`, slower);
      t.equal(again.status, 200, "replaced");
      t.same(again.body, slower);
      t.equal((await synth(speak(speechmock.ShortName, twentyWords))).body.length, riffBytesAt(150));
      const jenny = start.find((v) => v.ShortName === "en-US-JennyNeural") as Record<string, unknown>;
      const renamed = { ...jenny, DisplayName: "Jenny Renamed" };
      t.equal((await call("PUT", "/voices/en-US-JennyNeural", renamed)).status, 200);
      const list = await listed();
      t.equal(list.length, start.length + 1);
      t.same(list[start.indexOf(jenny)], renamed, "a fixture voice too, in its place");
    });

    t.test("a removed voice is gone from voices/list, and SSML naming it gets the unknown-voice refusal", async (t) => {
      await call("PUT", `/voices/${speechmock.ShortName}`, speechmock);
      t.equal((await call("DELETE", `/voices/${speechmock.ShortName}`)).status, 204);
      t.notOk(
        (await listed()).some((v) => v.ShortName === speechmock.ShortName),
        "not listed",
      );
      const refused = await synth(speak(speechmock.ShortName));
      t.equal(refused.status, 400);
      t.equal(refused.reason, "request.voice_unknown");
      t.equal(new TextDecoder().decode(refused.body), `Unsupported voice ${speechmock.ShortName}.`);
      t.equal((await call("DELETE", "/voices/en-US-JennyNeural")).status, 204, "a fixture voice too");
      t.equal((await synth(speak("en-US-JennyNeural"))).status, 400);
      const missing = await call("DELETE", `/voices/${speechmock.ShortName}`);
      t.equal(missing.status, 404);
      t.same(missing.body, {
        error: {
          code: "ERR_NOT_FOUND",
          message: `No voice with short name "${speechmock.ShortName}"; GET /__speechmock/voices lists them`,
        },
      });
    });

    t.test("each invalid voice is refused with 400, naming the field, the value and what was expected", async (t) => {
      const { Gender: _gender, ...noGender } = speechmock;
      const cases: [string, string, unknown, { field: string; value?: unknown; expected: RegExp }][] = [
        ["a missing field", speechmock.ShortName, noGender, { field: "Gender", expected: /expected one of "Male"\|"Female"\|"Neutral"/ }],
        [
          "a number where the service sends a string",
          speechmock.ShortName,
          { ...speechmock, WordsPerMinute: 300 },
          { field: "WordsPerMinute", value: 300, expected: /expected string/ },
        ],
        [
          "a field the fixture has not",
          speechmock.ShortName,
          { ...speechmock, Pitch: "high" },
          { field: "Pitch", value: "high", expected: /^no such field$/ },
        ],
        [
          "a short name not the path's",
          "en-US-OtherNeural",
          speechmock,
          {
            field: "ShortName",
            value: speechmock.ShortName,
            expected: /^Expected "en-US-OtherNeural", the short name in the path$/,
          },
        ],
      ];
      for (const [name, shortName, body, problem] of cases) {
        const res = await call("PUT", `/voices/${shortName}`, body);
        t.equal(res.status, 400, name);
        t.match(
          res.body,
          { error: { code: "ERR_REQUEST_INVALID", message: new RegExp(`Invalid body field ${problem.field}`), problems: [problem] } },
          name,
        );
      }
      const mismatch = await call("PUT", "/voices/en-US-OtherNeural", speechmock);
      t.equal(
        (mismatch.body.error as { message: string }).message,
        'Invalid body field ShortName: "en-US-SpeechmockNeural": Expected "en-US-OtherNeural", the short name in the path',
      );
      t.same((await call("GET", "/voices")).body, { voices: start }, "none was added");
    });

    t.test("a voice whose Name is another voice's is refused with 409, naming that voice", async (t) => {
      const jenny = "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)";
      const clash = await call("PUT", `/voices/${speechmock.ShortName}`, { ...speechmock, Name: jenny });
      t.equal(clash.status, 409);
      t.same(clash.body, {
        error: {
          code: "ERR_CONFLICT",
          message: `Cannot add voice "en-US-SpeechmockNeural": its Name "${jenny}" is already the Name of voice "en-US-JennyNeural"; expected a name no other voice has`,
        },
      });
      t.equal((await synth(speak(jenny))).status, 200, "Jenny is untouched");
      t.notOk(
        (await listed()).some((v) => v.ShortName === speechmock.ShortName),
        "nothing added",
      );
    });

    t.test("reset brings back the start-up voices", async (t) => {
      await call("PUT", `/voices/${speechmock.ShortName}`, speechmock);
      await call("DELETE", "/voices/en-US-JennyNeural");
      await call("PUT", "/voices/en-US-GuyNeural", {
        ...(start.find((v) => v.ShortName === "en-US-GuyNeural") ?? {}),
        WordsPerMinute: "90",
      });
      t.equal((await call("POST", "/reset")).status, 204);
      t.same(await listed(), start);
      t.equal((await synth(speak("en-US-JennyNeural"))).status, 200);
      t.equal((await synth(speak(speechmock.ShortName))).reason, "request.voice_unknown");
    });
  });
}
