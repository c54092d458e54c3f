/**
 * Synthesis by clients of other languages and eras, over real sockets: curl and a Python
 * standard-library (urllib) client, each against today's REST API and the 2017 `/synthesize` with
 * its token, its `X-Search-*` headers and a 2017 voice name. On Node and on Deno.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/** Today's REST API with a token: the WAV's status, Content-Type, rate and whether its data chunk holds the rest; then an unknown voice's status and body. */
const pythonRest = `
import sys, json, urllib.request, urllib.error
from xml.sax.saxutils import escape
url, key = sys.argv[1], sys.argv[2]
token = urllib.request.urlopen(urllib.request.Request(url + "/sts/v1.0/issueToken", data=b"", headers={"Ocp-Apim-Subscription-Key": key})).read().decode()
def speak(voice, text):
    ssml = "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'><voice name='%s'>%s</voice></speak>" % (voice, escape(text))
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/ssml+xml", "X-Microsoft-OutputFormat": "riff-16khz-16bit-mono-pcm", "User-Agent": "python-urllib"}
    return urllib.request.urlopen(urllib.request.Request(url + "/cognitiveservices/v1", data=ssml.encode(), headers=headers))
answer = speak("en-US-JennyNeural", "Tom & Jerry <3")
body = answer.read()
print(answer.status, answer.headers["Content-Type"], int.from_bytes(body[24:28], "little"), int.from_bytes(body[40:44], "little") == len(body) - 44)
try:
    speak("en-US-NobodyNeural", "Hello")
except urllib.error.HTTPError as refused:
    print(refused.code, refused.read().decode())
`;

/** The 2017 API with curl: a token from issueToken, then /synthesize with it; prints the status line and the body's first bytes. */
const curl2017 = `
set -eu
token=$(curl -sS -X POST "$1/sts/v1.0/issueToken" -H "Ocp-Apim-Subscription-Key: $2" -d '')
printf '%s' "<speak version='1.0' xml:lang='en-US'><voice name='Microsoft Server Speech Text to Speech Voice (en-US, ZiraRUS)'>Hello from curl.</voice></speak>" |
  curl -sS -X POST "$1/synthesize" -H "Authorization: Bearer $token" -H "Content-Type: application/ssml+xml" \
    -H "X-Microsoft-OutputFormat: riff-16khz-16bit-mono-pcm" -H "X-Search-AppId: 07D3234E49CE426DAA29772419F436CA" \
    -H "X-Search-ClientID: 1ECFAE91408841A480F00935DC390960" -H "User-Agent: curl" --data-binary @- -o "$3" -w '%{http_code} %{content_type}'
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

    t.test("Python's urllib: REST synthesis with a token and escaped text; an unknown voice is a 400", async (t) => {
      const python = await run("python3", ["-c", pythonRest, mock.ready.url, key]);
      t.equal(python.code, 0, python.stderr);
      const [answer, refused] = python.stdout.toString().trim().split("\n");
      t.equal(answer, "200 audio/x-wav 16000 True");
      t.match(refused, /^400 .*en-US-NobodyNeural/);
    });

    t.test("curl: the 2017 API with a token from issueToken, a RUS voice, a WAV file back", async (t) => {
      const dir = await mkdtemp(join(tmpdir(), "speechmock-curl-"));
      t.teardown(() => rm(dir, { recursive: true, force: true }));
      const file = join(dir, "hello.wav");
      const curl = await run("sh", ["-c", curl2017, "sh", mock.ready.url, key, file]);
      t.equal(curl.code, 0, curl.stderr);
      t.equal(curl.stdout.toString(), "200 audio/x-wav");
      const wav = await readFile(file);
      t.equal(wav.toString("latin1", 0, 4), "RIFF");
      t.equal(wav.readUInt32LE(24), 16_000, "16 kHz");
      t.equal(wav.readUInt32LE(40), wav.length - 44, "the data chunk holds the rest of the file");
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
