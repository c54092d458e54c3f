/**
 * Scripting what the mock hears while it runs, on the real command under Node and Deno: a clip
 * by its PCM hash, or the next turn whatever its audio; reset forgets both.
 */
import t from "tap";
import { connect, readClip } from "../../test/support/protocol-client.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";

const json = { "Content-Type": "application/json" };
const helloSha = "e3a911a786e9745f12174a5aedca2e40d885d97583187f2eaeb14b18e48c1362";
const scripted = {
  display: "Open the pod bay doors.",
  lexical: "open the pod bay doors",
  itn: "open the pod bay doors",
  maskedItn: "open the pod bay doors",
};

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const { admin } = mock.ready;
    const key = mock.ready.resources[0]?.keys[0] as string;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${admin}${path}`, { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> };
    };
    /** The DisplayText or status of each phrase of one turn of `clip`. */
    const hear = async (clip: string) => {
      const client = await connect(mock.ready.ws, key);
      client.sendConfig();
      const messages = await client.turn(readClip(clip));
      await client.close();
      return messages
        .filter((m) => m.path === "speech.phrase")
        .map((m) => {
          const body = m.json as { DisplayText?: string; RecognitionStatus: string };
          return body.DisplayText ?? body.RecognitionStatus;
        });
    };
    t.afterEach(async () => {
      await call("POST", "/reset");
    });

    t.test("a clip scripted by its hash is heard so from then on, and unscripted again", async (t) => {
      t.same(await hear("hello.wav"), ["Hello world."], "what the transcripts file says");
      const put = await call("PUT", `/transcripts/${helloSha}`, { phrases: [scripted] });
      t.equal(put.status, 200);
      t.same(put.body, { sha256: helloSha, phrases: [scripted] });
      t.same(await hear("hello.wav"), ["Open the pod bay doors."]);
      t.same(await hear("hello.wav"), ["Open the pod bay doors."], "for every turn");
      t.equal((await call("DELETE", `/transcripts/${helloSha}`)).status, 204);
      t.same(await hear("hello.wav"), ["Hello world."]);
      t.equal((await call("DELETE", `/transcripts/${helloSha}`)).status, 404, "nothing left to unscript");
    });

    t.test("scripts queued for the next turns are used once each, in order, whatever the audio", async (t) => {
      t.match((await call("POST", "/transcripts/next", { phrases: [scripted] })).body, { queued: 1 });
      t.match((await call("POST", "/transcripts/next", { noMatch: true })).body, { queued: 2 });
      t.same(await hear("weather.wav"), ["Open the pod bay doors."]);
      t.same(await hear("weather.wav"), ["NoMatch"]);
      t.same(await hear("weather.wav"), ["What is the weather like in Seattle today?"], "then the file again");
    });

    t.test("reset forgets scripted clips and queued scripts", async (t) => {
      await call("PUT", `/transcripts/${helloSha}`, { phrases: [scripted] });
      await call("POST", "/transcripts/next", { noMatch: true });
      await call("POST", "/reset");
      t.same(await hear("hello.wav"), ["Hello world."]);
    });

    t.test("each invalid script is refused with 400, naming the field, the value and what was expected", async (t) => {
      const cases: [string, string, unknown, { field: string; expected: RegExp }][] = [
        ["PUT", "/transcripts/abc", { phrases: [scripted] }, { field: "sha256", expected: /Expected a SHA-256 as 64 hex digits/ }],
        ["PUT", `/transcripts/${helloSha}`, { phrases: [] }, { field: "phrases", expected: /Expected at least one phrase/ }],
        [
          "PUT",
          `/transcripts/${helloSha}`,
          { phrases: [{ ...scripted, lexical: "Open 5 doors" }] },
          { field: "phrases[0].lexical", expected: /lexical form/ },
        ],
        ["POST", "/transcripts/next", { text: "hi" }, { field: "", expected: /Expected \{"phrases": \[\.\.\.\]\} or \{"noMatch": true\}/ }],
      ];
      for (const [method, path, body, problem] of cases) {
        const res = await call(method, path, body);
        t.equal(res.status, 400, `${method} ${path}`);
        t.match(res.body, { error: { code: "ERR_REQUEST_INVALID", problems: [problem] } }, `${method} ${path} ${JSON.stringify(body)}`);
      }
    });
  });
}
