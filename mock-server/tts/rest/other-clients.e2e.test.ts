/**
 * Synthesis by clients of other languages and eras, over real sockets: curl against today's REST
 * API, and a Python standard-library (urllib) client of the 2017 API, with its token, its
 * `X-Search-*` headers and a 2017 voice name. On Node and on Deno.
 */
import { spawn } from "node:child_process";
import t from "tap";
import { runtimes, spawnMock } from "../../../test/support/spawn.ts";

/** Runs a command to its end, with `input` on stdin. */
function run(cmd: string, args: readonly string[], input = ""): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

const key = "7e57c0de5eec4d0c0000000000000001";

/** The 2017 client: a token, then /synthesize; prints the status, Content-Type and body length, then the status without a token. */
const python2017 = `
import sys, urllib.request, urllib.error
url, key = sys.argv[1], sys.argv[2]
token = urllib.request.urlopen(urllib.request.Request(url + "/sts/v1.0/issueToken", data=b"", headers={"Ocp-Apim-Subscription-Key": key})).read().decode()
ssml = "<speak version='1.0' xml:lang='en-US'><voice xml:lang='en-US' xml:gender='Female' name='Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)'>Hello from 2017.</voice></speak>"
headers = {"Content-Type": "application/ssml+xml", "X-Microsoft-OutputFormat": "riff-8khz-8bit-mono-mulaw", "X-Search-AppId": "07D3234E49CE426DAA29772419F436CA", "X-Search-ClientID": "1ECFAE91408841A480F00935DC390960", "User-Agent": "TTSClient"}
answer = urllib.request.urlopen(urllib.request.Request(url + "/synthesize", data=ssml.encode(), headers={**headers, "Authorization": "Bearer " + token}))
body = answer.read()
print(answer.status, answer.headers["Content-Type"], len(body), body[:4].decode(), int.from_bytes(body[20:22], "little"))
try:
    urllib.request.urlopen(urllib.request.Request(url + "/synthesize", data=ssml.encode(), headers=headers))
except urllib.error.HTTPError as refused:
    print(refused.code)
`;

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));

    t.test("curl: REST synthesis in riff-24khz-16bit-mono-pcm, a WAV file of the spoken length", async (t) => {
      const ssml = "<speak version='1.0' xml:lang='en-US'><voice name='en-US-JennyNeural'>Hello from curl.</voice></speak>";
      const curl = await run(
        "curl",
        [
          "-sS",
          "-X",
          "POST",
          `${mock.ready.url}/cognitiveservices/v1`,
          "-H",
          `Ocp-Apim-Subscription-Key: ${key}`,
          "-H",
          "Content-Type: application/ssml+xml",
          "-H",
          "X-Microsoft-OutputFormat: riff-24khz-16bit-mono-pcm",
          "-H",
          "User-Agent: curl",
          "--data-binary",
          "@-",
          "-w",
          "\n%{http_code} %{content_type}",
        ],
        ssml,
      );
      t.equal(curl.code, 0, curl.stderr);
      const text = curl.stdout.toString("latin1");
      const tail = text.slice(text.lastIndexOf("\n") + 1);
      t.equal(tail, "200 audio/x-wav");
      const wav = curl.stdout.subarray(0, curl.stdout.length - tail.length - 1);
      t.equal(wav.toString("latin1", 0, 4), "RIFF");
      t.equal(wav.readUInt32LE(24), 24_000, "24 kHz");
      t.equal(wav.readUInt32LE(40), wav.length - 44, "the data chunk holds the rest of the file");
      t.ok(wav.length - 44 > 24_000 * 2 * 0.5, "more than half a second of audio for three words");
    });

    t.test("Python's urllib: the 2017 API with a token, ZiraRUS and mu-law; 403 without the token", async (t) => {
      const python = await run("python3", ["-c", python2017, mock.ready.url, key]);
      t.equal(python.code, 0, python.stderr);
      const [answer, refused] = python.stdout.toString().trim().split("\n");
      t.match(answer, /^200 audio\/x-wav \d+ RIFF 7$/, "a RIFF of mu-law (format tag 7)");
      t.equal(refused, "403");
    });
  });
}
