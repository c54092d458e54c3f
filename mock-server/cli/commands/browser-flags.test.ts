import { execFileSync } from "node:child_process";
import t from "tap";
import { isAzureSpeechHost } from "../../preload/azure-host.ts";
import { azureHostnames, customDomainWildcard } from "../../tls/hostnames.ts";
import { browserFlags, chromiumHostPatterns, endpointOf, NoRunningMock, shellLine, shellQuote } from "./browser-flags.ts";

const mock = { host: "127.0.0.1", port: 8443, spki: "RUecEf220+4Kf95/7pqwrWN/0jjwCct2cYCplFj1dH4=" };

t.test("two flags: a MAP rule with ports per hostname form, and the SPKI pin", async (t) => {
  t.same(browserFlags(mock), [
    "--host-resolver-rules=" +
      [
        "MAP *.api.cognitive.microsoft.com:443 127.0.0.1:8443",
        "MAP *.stt.speech.microsoft.com:443 127.0.0.1:8443",
        "MAP *.tts.speech.microsoft.com:443 127.0.0.1:8443",
        "MAP *.cognitiveservices.azure.com:443 127.0.0.1:8443",
        "MAP api.cognitive.microsoft.com:443 127.0.0.1:8443",
        "MAP speech.platform.bing.com:443 127.0.0.1:8443",
      ].join(", "),
    "--ignore-certificate-errors-spki-list=RUecEf220+4Kf95/7pqwrWN/0jjwCct2cYCplFj1dH4=",
  ]);
  t.match(browserFlags({ ...mock, host: "[::1]" })[0], /MAP speech\.platform\.bing\.com:443 \[::1\]:8443$/, "an IPv6 mock in brackets");
});

/** Chromium's MAP pattern match (base::MatchPattern): `*` is any run of characters, `?` one. */
const matches = (pattern: string, text: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  ).test(text);

t.test("the patterns match every hostname of every region and custom domains on 443, and nothing the preload would not send", async (t) => {
  const hosts = [...azureHostnames(["westus", "eastus2", "westeurope"]), customDomainWildcard.replace("*", "my-resource")];
  for (const host of hosts) {
    t.ok(
      chromiumHostPatterns.some((p) => matches(`${p}:443`, `${host}:443`)),
      host,
    );
    t.notOk(
      chromiumHostPatterns.some((p) => matches(`${p}:443`, `${host}:8080`)),
      `${host} on another port`,
    );
  }
  for (const other of ["microsoft.com", "speech.microsoft.com", "stt.speech.microsoft.com.evil.test", "login.microsoftonline.com"]) {
    t.notOk(
      chromiumHostPatterns.some((p) => matches(`${p}:443`, `${other}:443`)),
      other,
    );
    t.notOk(isAzureSpeechHost(other), `and the preload leaves ${other} alone too`);
  }
});

t.test("shell quoting: safe words as they are, others in single quotes, read back whole by sh", async (t) => {
  t.equal(shellQuote("--ignore-certificate-errors-spki-list=ab+/c="), "--ignore-certificate-errors-spki-list=ab+/c=");
  t.equal(shellQuote("a b"), "'a b'");
  t.equal(shellQuote("it's *"), `'it'\\''s *'`);
  const args = [...browserFlags(mock), "it's $HOME *"];
  const echoed = execFileSync("sh", ["-c", `for a in ${shellLine(args)}; do printf '%s\\n' "$a"; done`], { encoding: "utf8" });
  t.same(echoed.trimEnd().split("\n"), args);
});

t.test("the endpoint comes from the ready line's tls; a line without it is no running mock", async (t) => {
  const ready = JSON.stringify({ event: "ready", pid: 42, tls: { url: "https://127.0.0.1:9443", port: 9443, spki: "x=" } });
  t.same(endpointOf(ready, "/d/ready.json"), { host: "127.0.0.1", port: 9443, spki: "x=", pid: 42 });
  t.same(endpointOf(JSON.stringify({ tls: { url: "https://[::1]:9443", port: 9443, spki: "x=" } }), "f").host, "[::1]");
  t.throws(() => endpointOf("{", "/d/ready.json"), {
    constructor: NoRunningMock,
    message: "no running mock with TLS found in /d/ready.json (it is not a ready line): start one with `speechmock serve --tls`",
  });
  t.throws(() => endpointOf(JSON.stringify({ event: "ready" }), "/d/ready.json"), {
    message: "no running mock with TLS found in /d/ready.json (its ready line has no tls): start one with `speechmock serve --tls`",
  });
});
