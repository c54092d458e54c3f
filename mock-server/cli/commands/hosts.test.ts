import t from "tap";
import { azureHostnames } from "../../tls/hostnames.ts";
import { hostsLines, runHosts } from "./hosts.ts";

t.test("a comment line, then 127.0.0.1 and each Azure hostname of the regions, each once", async (t) => {
  t.same(hostsLines(["westus", "eastus", "WestUS"]), [
    "# speechmock: Azure Speech hostnames of westus, eastus to the mock (speechmock serve --tls --tls-port 443)",
    "127.0.0.1 westus.api.cognitive.microsoft.com",
    "127.0.0.1 westus.stt.speech.microsoft.com",
    "127.0.0.1 westus.tts.speech.microsoft.com",
    "127.0.0.1 westus.cognitiveservices.azure.com",
    "127.0.0.1 eastus.api.cognitive.microsoft.com",
    "127.0.0.1 eastus.stt.speech.microsoft.com",
    "127.0.0.1 eastus.tts.speech.microsoft.com",
    "127.0.0.1 eastus.cognitiveservices.azure.com",
    "127.0.0.1 api.cognitive.microsoft.com",
    "127.0.0.1 speech.platform.bing.com",
  ]);
});

t.test("every line but the comment is an /etc/hosts entry: an address and a name, no wildcard", async (t) => {
  const [comment, ...entries] = hostsLines(["westeurope"]);
  t.match(comment, /^# /);
  t.same(
    entries.map((line) => line.split(" ")[1]),
    azureHostnames(["westeurope"]),
  );
  for (const line of entries) t.match(line, /^127\.0\.0\.1 [a-z0-9.-]+$/);
});

t.test("runHosts writes the lines to stdout and succeeds", async (t) => {
  const out: string[] = [];
  t.equal(runHosts({ stdout: (line) => out.push(line) }, ["westus"]), 0);
  t.same(out, hostsLines(["westus"]));
});
