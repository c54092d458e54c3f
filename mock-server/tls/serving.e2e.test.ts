/**
 * `speechmock serve --tls` as a user runs it, on Node and on Deno, over real sockets: a Python
 * standard-library client (urllib, ssl with the CA file) reaches the mock by IP with Azure's
 * hostname as its TLS server name and Host; the region comes from that hostname; the CA's key is
 * private and the ready file goes with the mock; the user's own certificate is served; and every
 * refusal is one clear line and the documented exit status (errors.ts exitCodeOf: ERR_LISTEN is 1,
 * the rest 2).
 */
import { execFile } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { connect } from "node:tls";
import { promisify } from "node:util";
import t from "tap";
import WebSocket from "ws";
import { runCommand, runtimes, spawnMock } from "../../test/support/spawn.ts";

const westusKey = "7e57c0de5eec4d0c0000000000000001";
const eastusKey = "7e57c0de5eec4d0c0000000000000003";

interface TlsReady {
  admin: string;
  tls: { url: string; ws: string; port: number; ca?: string; spki: string };
}

/**
 * A standard-library Python client: urllib with an HTTPS connection that dials 127.0.0.1:<port>
 * whatever the URL's host, so the TLS server name (SNI, checked against the certificate) and the
 * Host header stay the URL's Azure hostname. Prints one JSON line per request.
 */
const pythonClient = `
import http.client, json, socket, ssl, sys, urllib.error, urllib.request

port, cafile, requests = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
context = ssl.create_default_context(cafile=cafile)

class ToMock(http.client.HTTPSConnection):
    def connect(self):
        sock = socket.create_connection(("127.0.0.1", port), self.timeout)
        self.sock = context.wrap_socket(sock, server_hostname=self.host)

class Handler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(ToMock, req, context=context)

opener = urllib.request.build_opener(Handler)
for host, key in requests:
    req = urllib.request.Request(f"https://{host}/sts/v1.0/issueToken", data=b"", method="POST",
                                 headers={"Ocp-Apim-Subscription-Key": key})
    try:
        with opener.open(req, timeout=10) as res:
            status, body = res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode()
    except urllib.error.URLError as e:
        status, body = 0, str(e.reason)
    print(json.dumps({"host": host, "status": status, "body": body}))
`;

async function python(port: number, ca: string, requests: [string, string][]) {
  const { stdout } = await promisify(execFile)("python3", ["-c", pythonClient, String(port), ca, JSON.stringify(requests)], {
    timeout: 30_000,
  });
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { host: string; status: number; body: string });
}

/** The JWT's payload, decoded (not verified: the token service's own tests do that). */
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

for (const runtime of runtimes) {
  t.test(`${runtime}: a Python standard-library client over HTTPS by IP, region from the hostname`, async (t) => {
    const dir = mkdtempSync(`${tmpdir()}/speechmock-tls-`);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const tlsDir = `${dir}/tls`;
    const mock = await spawnMock(runtime, ["--tls", "--tls-port", "0", "--tls-dir", tlsDir]);
    t.teardown(() => mock.stop());
    const { tls } = mock.ready as unknown as TlsReady;
    t.match(tls, { url: `https://127.0.0.1:${tls.port}`, ws: `wss://127.0.0.1:${tls.port}`, ca: `${tlsDir}/ca.pem` });
    t.equal(statSync(`${tlsDir}/ca-key.pem`).mode & 0o777, 0o600, "the CA's key is private (0600)");

    const results = await python(tls.port, tls.ca ?? "", [
      ["westus.api.cognitive.microsoft.com", westusKey],
      ["eastus.api.cognitive.microsoft.com", westusKey],
      ["eastus.api.cognitive.microsoft.com", eastusKey],
      ["speech.platform.bing.com", westusKey],
      ["speech.platform.bing.com", eastusKey],
      ["westus.cognitiveservices.azure.com", westusKey],
      ["my-resource.cognitiveservices.azure.com", westusKey],
    ]);
    t.same(
      results.map((r) => [r.host, r.status]),
      [
        ["westus.api.cognitive.microsoft.com", 200],
        ["eastus.api.cognitive.microsoft.com", 401],
        ["eastus.api.cognitive.microsoft.com", 200],
        ["speech.platform.bing.com", 200],
        ["speech.platform.bing.com", 401],
        ["westus.cognitiveservices.azure.com", 200],
        ["my-resource.cognitiveservices.azure.com", 200],
      ],
      "westus's key at westus, eastus's at eastus, the legacy hostname is the default region (westus)",
    );
    const [westus, wrong, eastus] = results;
    t.equal(claims(westus?.body ?? "").region, "westus");
    t.equal(claims(eastus?.body ?? "").region, "eastus");
    t.match(wrong?.body, /wrong API endpoint/, "Azure's 401 body");
    const sts = mock.logs.filter((l) => l.event === "sts.request").map((l) => [l.region, l.reason]);
    t.same(sts.slice(0, 4), [
      ["westus", "sts.issued"],
      ["eastus", "sts.wrong_region"],
      ["eastus", "sts.issued"],
      ["westus", "sts.issued"],
    ]);

    // The certificate is checked for real: a name it does not hold fails verification.
    const [other] = await python(tls.port, tls.ca ?? "", [["example.com", westusKey]]);
    t.equal(other?.status, 0);
    t.match(other?.body, /CERTIFICATE_VERIFY_FAILED|match/i, `example.com: ${other?.body}`);

    // WSS at eastus's speech hostname with eastus's key: the handshake's region is eastus.
    const ca = readFileSync(tls.ca ?? "");
    const open = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${tls.ws}/speech/recognition/interactive/cognitiveservices/v1?language=en-US`, {
        ca,
        servername: "eastus.stt.speech.microsoft.com",
        headers: {
          Host: "eastus.stt.speech.microsoft.com",
          "Ocp-Apim-Subscription-Key": eastusKey,
          "X-ConnectionId": "0123456789abcdef0123456789abcdef",
        },
        // ws passes its options on to tls.connect; its types leave servername out.
      } as WebSocket.ClientOptions);
      ws.on("open", () => {
        ws.close();
        resolve("open");
      });
      ws.on("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
      ws.on("error", (e) => resolve(String(e)));
    });
    t.equal(open, "open");
    const handshake = await mock.waitForLog((l) => l.event === "handshake");
    t.match(handshake, { region: "eastus", reason: "handshake.accepted_key", resource: "speechmock-eastus-free" });

    // The leaf the mock serves is the one the ready line's spki pins.
    const leaf = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: tls.port, servername: "westus.stt.speech.microsoft.com", ca }, () => {
        const cert = socket.getPeerX509Certificate();
        socket.end();
        cert ? resolve(cert) : reject(new Error("no peer certificate"));
      });
      socket.on("error", reject);
    });
    const spki = createHash("sha256")
      .update(leaf.publicKey.export({ type: "spki", format: "der" }))
      .digest("base64");
    t.equal(spki, tls.spki, "tls.spki is the SHA-256 of the served leaf's SubjectPublicKeyInfo");
    for (const name of ["localhost", "westus.stt.speech.microsoft.com", "eastus.tts.speech.microsoft.com", "speech.platform.bing.com"]) {
      t.equal(leaf.checkHost(name), name, `the leaf holds ${name}`);
    }
    t.ok(leaf.checkIP("127.0.0.1"), "and 127.0.0.1");

    t.ok(existsSync(`${tlsDir}/ready.json`), "ready.json while it runs");
    t.match(await mock.stop(), { code: 0 });
    t.notOk(existsSync(`${tlsDir}/ready.json`), "and gone after a clean shutdown");
    t.ok(existsSync(`${tlsDir}/ca.pem`), "the CA stays, for the next start");
  });

  t.test(`${runtime}: --tls-cert and --tls-key serve the user's own certificate`, async (t) => {
    const dir = mkdtempSync(`${tmpdir()}/speechmock-tls-`);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // A CA made by a first start; its own certificate and key are a valid pair to serve.
    const first = await spawnMock(runtime, ["--tls", "--tls-port", "0", "--tls-dir", `${dir}/ca`]);
    await first.stop();
    const mock = await spawnMock(runtime, [
      "--tls-port",
      "0",
      "--tls-dir",
      dir,
      "--tls-cert",
      `${dir}/ca/ca.pem`,
      "--tls-key",
      `${dir}/ca/ca-key.pem`,
    ]);
    t.teardown(() => mock.stop());
    const { tls } = mock.ready as unknown as TlsReady;
    t.equal(tls.ca, undefined, "no local CA with the user's certificate");
    const served = await new Promise<X509Certificate | undefined>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: tls.port, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerX509Certificate());
        socket.end();
      });
      socket.on("error", reject);
    });
    t.equal(served?.fingerprint256, new X509Certificate(readFileSync(`${dir}/ca/ca.pem`)).fingerprint256, "the file's certificate");
  });

  t.test(`${runtime}: --tls-cert with a TLS directory that does not exist yet`, {}, async (t) => {
    const dir = mkdtempSync(`${tmpdir()}/speechmock-tls-`);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const first = await spawnMock(runtime, ["--tls", "--tls-port", "0", "--tls-dir", `${dir}/ca`]);
    await first.stop();
    const args = ["serve", "--port", "0", "--tls-port", "0", "--tls-dir", `${dir}/new`];
    const run = await runCommand(runtime, [...args, "--tls-cert", `${dir}/ca/ca.pem`, "--tls-key", `${dir}/ca/ca-key.pem`], 5_000);
    t.notMatch(run.stderr, /unexpected error/, run.stderr.split("\n")[0] ?? "");
    t.match(run.stdout, /^\{"event":"ready"/, "it starts");
  });

  t.test(`${runtime}: refusals, one line each, with the documented exit status`, async (t) => {
    const dir = mkdtempSync(`${tmpdir()}/speechmock-tls-`);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(`${dir}/file`, "");
    writeFileSync(`${dir}/bad.pem`, "not a certificate\n");
    const serve = (...args: string[]) => runCommand(runtime, ["serve", "--port", "0", ...args]);

    const notDir = await serve("--tls", "--tls-port", "0", "--tls-dir", `${dir}/file/tls`);
    t.same(
      [notDir.code, notDir.stdout, notDir.stderr],
      [2, "", `speechmock: Cannot create the TLS directory ${dir}/file/tls: ENOTDIR. Expected a writable directory; set --tls-dir\n`],
      "a TLS directory that cannot be created: ERR_TLS_DIR, 2",
    );

    const badCert = await serve("--tls-port", "0", "--tls-cert", `${dir}/bad.pem`, "--tls-key", `${dir}/bad.pem`);
    t.same(
      [badCert.code, badCert.stdout, badCert.stderr],
      [2, "", `speechmock: --tls-cert ${dir}/bad.pem is not a PEM certificate. Expected -----BEGIN CERTIFICATE-----\n`],
      "a --tls-cert that is not PEM: ERR_TLS_CERT_INVALID, 2",
    );

    const missing = await serve("--tls-cert", `${dir}/missing.pem`, "--tls-key", `${dir}/bad.pem`);
    t.same(
      [missing.code, missing.stderr],
      [2, `speechmock: Cannot read --tls-cert ${dir}/missing.pem: ENOENT. Expected a PEM certificate file\n`],
      "an unreadable --tls-cert: 2",
    );

    const alone = await serve("--tls", "--tls-cert", `${dir}/bad.pem`);
    t.same(
      [alone.code, alone.stdout, alone.stderr],
      [
        2,
        "",
        'speechmock: Flags --tls-cert and --tls-key go together (a certificate and its key). Expected both\nRun "speechmock --help" for the flags.\n',
      ],
      "--tls-cert without --tls-key: usage, 2",
    );

    const corrupt = `${dir}/corrupt`;
    mkdirSync(corrupt);
    writeFileSync(`${corrupt}/ca.pem`, "junk\n");
    writeFileSync(`${corrupt}/ca-key.pem`, "junk\n", { mode: 0o600 });
    const badCa = await serve("--tls-port", "0", "--tls-dir", corrupt);
    t.equal(badCa.code, 2, "a corrupt CA: ERR_TLS_CA_INVALID, 2");
    t.match(
      badCa.stderr,
      /^speechmock: The local CA in .* is unusable: .*ca\.pem is not a PEM certificate .*Delete .* or set --tls-dir\n$/,
    );

    // A TLS port someone else holds: the plain port is free, the TLS one is not.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    t.teardown(() => holder.close());
    const port = (holder.address() as { port: number }).port;
    const inUse = await serve("--tls", "--tls-port", String(port), "--tls-dir", `${dir}/tls`);
    t.same(
      [inUse.code, inUse.stdout, inUse.stderr],
      [1, "", `speechmock: Cannot listen on the TLS port 127.0.0.1:${port}: EADDRINUSE\n`],
      "a TLS port in use: ERR_LISTEN, 1, naming the TLS port",
    );
    t.notOk(existsSync(`${dir}/tls/ready.json`), "no ready file is left by a mock that never started");
  });
}
