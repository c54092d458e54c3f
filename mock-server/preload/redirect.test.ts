/**
 * The preload's pieces in one process: which hostnames are Azure's, where the mock is found (and
 * the refusals when it is not), and the redirection of `tls.connect` in every calling form Node
 * documents and of `dns.lookup`, against a real TLS server holding a certificate from the local CA.
 */
import dns from "node:dns";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import tls from "node:tls";
import t from "tap";
import { issueServerCertificate } from "../tls/certificate.ts";
import { certificateNames } from "../tls/hostnames.ts";
import { ensureLocalCa } from "../tls/local-ca.ts";
import { isAzureSpeechHost } from "./azure-host.ts";
import { findMock, MockNotFound } from "./mock-location.ts";
import { readyFileOf } from "./ready-file.ts";
import { redirectAzureToMock } from "./redirect.ts";

t.test("Azure's Speech hostnames, and only those", async (t) => {
  for (const host of [
    "westus.api.cognitive.microsoft.com",
    "eastus.stt.speech.microsoft.com",
    "westeurope.tts.speech.microsoft.com",
    "westus.cognitiveservices.azure.com",
    "my-resource.cognitiveservices.azure.com",
    "api.cognitive.microsoft.com",
    "speech.platform.bing.com",
    "WestUS.STT.Speech.Microsoft.com",
    "westus.stt.speech.microsoft.com.",
  ]) {
    t.ok(isAzureSpeechHost(host), host);
  }
  for (const host of [
    "localhost",
    "127.0.0.1",
    "microsoft.com",
    "stt.speech.microsoft.com",
    "evil.com",
    "westus.stt.speech.microsoft.com.evil.com",
    "a.b.stt.speech.microsoft.com",
    "login.microsoftonline.com",
    "",
    undefined,
    null,
  ]) {
    t.notOk(isAzureSpeechHost(host), String(host));
  }
});

t.test("where the mock is: SPEECHMOCK_URL, else the ready file; refusals name what to do", async (t) => {
  const dir = mkdtempSync(`${tmpdir()}/speechmock-preload-`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = `${dir}/ready.json`;
  t.same(findMock({ SPEECHMOCK_URL: "https://127.0.0.1:9443" }, file), { host: "127.0.0.1", port: 9443, source: "SPEECHMOCK_URL" });
  t.same(findMock({ SPEECHMOCK_URL: "https://[::1]:9443/" }, file), { host: "::1", port: 9443, source: "SPEECHMOCK_URL" });
  t.same(findMock({ SPEECHMOCK_URL: "https://localhost" }, file).port, 443, "no port: 443");
  t.throws(
    () => findMock({ SPEECHMOCK_URL: "http://127.0.0.1:8410" }, file),
    { constructor: MockNotFound, message: /the preload needs the mock's TLS listener, an https:\/\/ URL\. Start the mock with --tls$/ },
    "http:// refused",
  );
  t.throws(() => findMock({ SPEECHMOCK_URL: "not a url" }, file), { message: /not a URL\. Expected the mock's https:\/\/ URL/ });
  t.throws(() => findMock({}, file), { message: /does not exist\. Start one with `npx speechmock serve --tls`/ });
  writeFileSync(file, JSON.stringify({ event: "ready", tls: { url: "https://127.0.0.1:40001" } }));
  t.same(findMock({ SPEECHMOCK_URL: "" }, file), { host: "127.0.0.1", port: 40001, source: file }, "an empty SPEECHMOCK_URL is unset");
  writeFileSync(file, JSON.stringify({ event: "ready", url: "http://127.0.0.1:8410" }));
  t.throws(() => findMock({}, file), { message: /has no tls\.url: the mock that wrote it was not started with --tls/ });
  t.equal(readyFileOf({ SPEECHMOCK_TLS_DIR: dir }), file, "SPEECHMOCK_TLS_DIR names the directory");
  t.equal(readyFileOf({ SPEECHMOCK_TLS_DIR: "" }).endsWith("/speechmock/tls/ready.json"), true, "else the default directory");
});

t.test("tls.connect in every form, and dns.lookup, go to the mock for Azure's names only", async (t) => {
  const dir = mkdtempSync(`${tmpdir()}/speechmock-preload-`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await ensureLocalCa(dir, undefined, { owner: "test" });
  const leaf = await issueServerCertificate(ca, certificateNames(["westus"]));
  const served: string[] = [];
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => {
    served.push((socket as tls.TLSSocket & { servername?: string }).servername || "(none)");
    socket.end("hello");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  redirectAzureToMock({ host: "127.0.0.1", port, source: "test" });

  const read = (socket: tls.TLSSocket) =>
    new Promise<string>((resolve, reject) => {
      let data = "";
      socket.on("data", (d) => {
        data += d;
      });
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
  const caPem = ca.certPem;
  t.equal(await read(tls.connect({ host: "westus.stt.speech.microsoft.com", port: 443, ca: caPem })), "hello", "connect(options)");
  t.equal(await read(tls.connect(443, "eastus.api.cognitive.microsoft.com", { ca: caPem })), "hello", "connect(port, host, options)");
  t.equal(
    await read(tls.connect({ host: "speech.platform.bing.com", ca: caPem }, () => {})),
    "hello",
    "connect(options, callback), no port: 443",
  );
  t.same(
    served,
    ["westus.stt.speech.microsoft.com", "eastus.api.cognitive.microsoft.com", "speech.platform.bing.com"],
    "Azure's name as SNI",
  );

  // A port other than 443 is kept; a name outside Azure's is not redirected.
  const kept = tls.connect({ host: "westus.stt.speech.microsoft.com", port: 1, ca: caPem });
  await t.rejects(read(kept), { code: "ECONNREFUSED" }, "port 1 stays port 1, at the mock's address");
  const direct = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: caPem });
  t.equal(await read(direct), "hello", "other hosts connect as asked");
  t.equal(served.at(-1), "localhost");

  const lookup = (host: string, all: boolean) =>
    new Promise<unknown>((resolve, reject) => dns.lookup(host, { all }, (err, address) => (err ? reject(err) : resolve(address))));
  t.equal(await lookup("westus.tts.speech.microsoft.com", false), "127.0.0.1");
  t.same(await lookup("my-resource.cognitiveservices.azure.com", true), [{ address: "127.0.0.1", family: 4 }]);
  t.same(await dns.promises.lookup("api.cognitive.microsoft.com"), { address: "127.0.0.1", family: 4 });
  const address = await new Promise<string>((resolve, reject) => dns.lookup("localhost", (err, a) => (err ? reject(err) : resolve(a))));
  t.match(address, /^(127\.0\.0\.1|::1)$/, "localhost resolves as before");
});
