/**
 * The README's section "Azure's own hostnames, offline (TLS)" works as written: its curl commands,
 * its preload command and the refusal it shows, its `speechmock exec` line and its claim about
 * Python's `SSL_CERT_FILE`, each taken from the README and run as a user runs it (in a shell, from
 * the repository, `npx speechmock` being this checkout's `bin/speechmock.js`). The mock uses the
 * default TLS directory of a throwaway HOME, so `~/.local/state/speechmock/tls/ca.pem` is the path
 * the README names; only the port 8443 is replaced by a free one.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import t from "tap";
import { root, runtimes, spawnMock } from "../../test/support/spawn.ts";

const readme = readFileSync(`${root}README.md`, "utf8");
const heading = "## Azure's own hostnames, offline (TLS)";
const start = readme.indexOf(heading);
if (start === -1) throw new Error(`README.md has no section "${heading}"`);
const section = readme.slice(start, readme.indexOf("\n## ", start + heading.length));

/** The section's fenced blocks of one language, in order. */
const blocks = (lang: string) => [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1] as string);

/** A shell block's commands: continuation lines joined, comments and blank lines dropped. */
const commands = (block: string) =>
  block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

const curlBlock = blocks("sh").find((b) => b.includes("--resolve")) ?? "";
const curls = commands(curlBlock);
const preloadLine = blocks("sh")
  .flatMap(commands)
  .find((line) => line.includes("--import speechmock/register"));
const execLine = blocks("sh")
  .flatMap(commands)
  .find((line) => line.includes("exec --fixtures"));
const recognizedJson = /the second\s+`(\{"RecognitionStatus".*?\})`/.exec(section)?.[1];
const refusalLine = /\n(speechmock\/register: no running mock found: .*)\n/.exec(section)?.[1];

const speechmock = `node ${root}bin/speechmock.js`;
const app = `${root}fixtures/examples/production-app/recognize.mjs ${root}fixtures/audio/remind-me.wav`;

/** Runs a README command in bash from the repository, with `npx speechmock` this checkout's. */
async function shell(command: string, env: Record<string, string>) {
  const line = command.replaceAll("npx speechmock", speechmock);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(SPEECHMOCK_|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$|XDG_STATE_HOME$)/.test(name)),
  );
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", ["-c", line], { cwd: root, env: { ...clean, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

t.test("the README's examples are found", async (t) => {
  t.equal(curls.length, 2, "two curl commands");
  t.ok(curls.every((c) => c.startsWith("curl ") && c.includes("--cacert ~/.local/state/speechmock/tls/ca.pem")));
  t.ok(preloadLine, "the preload command");
  t.ok(execLine, "the exec command");
  t.ok(recognizedJson, "the REST answer shown");
  t.ok(refusalLine, "the preload's refusal shown");
});

for (const runtime of runtimes) {
  t.test(`the README's curl commands, as written, mock on ${runtime}`, async (t) => {
    const home = mkdtempSync(`${tmpdir()}/speechmock-home-`);
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const env = { HOME: home, XDG_STATE_HOME: "" };
    const mock = await spawnMock(runtime, ["--tls", "--tls-port", "0"], env);
    t.teardown(() => mock.stop());
    const { tls } = mock.ready as unknown as { tls: { port: number; ca: string } };
    t.equal(tls.ca, `${home}/.local/state/speechmock/tls/ca.pem`, "the default TLS directory under HOME");

    const [token, rest] = curls.map((c) => c.replaceAll(":8443", `:${tls.port}`));
    const issued = await shell(token ?? "", env);
    t.equal(issued.code, 0, issued.stderr);
    const claims = JSON.parse(Buffer.from(issued.stdout.split(".")[1] ?? "", "base64url").toString()) as { region: string };
    t.equal(claims.region, "westus", "a token for westus");
    const recognized = await shell(rest ?? "", env);
    t.equal(recognized.code, 0, recognized.stderr);
    t.equal(recognized.stdout, recognizedJson, "the answer the README shows");
  });
}

t.test("the README's preload command, its refusal, and its exec line", async (t) => {
  const home = mkdtempSync(`${tmpdir()}/speechmock-home-`);
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const env = { HOME: home, XDG_STATE_HOME: "", SPEECH_KEY: "7e57c0de5eec4d0c0000000000000001", SPEECH_REGION: "westus" };
  const preload = (preloadLine ?? "").replace(/app\.js$/, app);

  const refused = await shell(preload, env);
  t.equal(refused.code, 1, "no mock: exit 1");
  t.equal(refused.stdout, "");
  t.equal(refused.stderr, `${(refusalLine ?? "").replace("/home/me", home)}\n`, "the refusal the README shows");

  const mock = await spawnMock("node", ["--tls", "--tls-port", "0"], { HOME: home, XDG_STATE_HOME: "" });
  const ran = await shell(preload, env);
  await mock.stop();
  t.equal(ran.code, 0, ran.stderr);
  t.equal(ran.stdout, "RECOGNIZED: Text=Remind me to buy 5 pencils.\n");

  // exec with another fixtures file: the application's own configuration names its region.
  const exec = (execLine ?? "").replace("test/speech-resources.json", "fixtures/examples/two-regions.json").replace(/app\.js$/, app);
  const viaExec = await shell(exec, { ...env, SPEECH_KEY: "e0d1c2b3a4958677e0d1c2b3a4958601", SPEECH_REGION: "westeurope" });
  t.equal(viaExec.code, 0, viaExec.stderr);
  t.equal(viaExec.stdout, "RECOGNIZED: Text=Remind me to buy 5 pencils.\n", "westeurope, from two-regions.json");
});

t.test("Python's ssl trusts the CA through SSL_CERT_FILE, as the README says", async (t) => {
  const home = mkdtempSync(`${tmpdir()}/speechmock-home-`);
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const mock = await spawnMock("node", ["--tls", "--tls-port", "0"], { HOME: home, XDG_STATE_HOME: "" });
  t.teardown(() => mock.stop());
  const { tls } = mock.ready as unknown as { tls: { port: number; ca: string } };
  // A default context (no cafile): what urllib.request.urlopen uses. By IP, with Azure's name for SNI.
  const script = [
    "import http.client, socket, ssl, sys",
    "ctx = ssl.create_default_context()",
    "class C(http.client.HTTPSConnection):",
    "    def connect(self):",
    "        self.sock = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))), server_hostname=self.host)",
    "c = C('westus.api.cognitive.microsoft.com', context=ctx)",
    "c.request('POST', '/sts/v1.0/issueToken', body=b'', headers={'Ocp-Apim-Subscription-Key': '7e57c0de5eec4d0c0000000000000001'})",
    "print(c.getresponse().status)",
  ].join("\n");
  const run = (env: Record<string, string>) =>
    promisify(execFile)("python3", ["-c", script, String(tls.port)], { env: { ...process.env, ...env }, timeout: 20_000 }).then(
      (r) => r.stdout.trim(),
      (e: { stderr?: string }) => (e.stderr ?? "").trim().split("\n").at(-1) ?? "",
    );
  t.equal(await run({ SSL_CERT_FILE: tls.ca }), "200", "SSL_CERT_FILE=ca.pem: 200");
  t.match(
    await run({ SSL_CERT_FILE: `${home}/none.pem`, SSL_CERT_DIR: `${home}/none` }),
    /CERTIFICATE_VERIFY_FAILED/,
    "without it: refused",
  );
});
