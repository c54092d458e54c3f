import t from "tap";
import { azureHostnames, certificateNames } from "./hostnames.ts";

t.test("azureHostnames gives the four regional forms for each region, then the unregional hostnames", async (t) => {
  t.same(azureHostnames(["westus"]), [
    "westus.api.cognitive.microsoft.com",
    "westus.stt.speech.microsoft.com",
    "westus.tts.speech.microsoft.com",
    "westus.cognitiveservices.azure.com",
    "api.cognitive.microsoft.com",
    "speech.platform.bing.com",
  ]);
});

t.test("azureHostnames lower-cases, trims and deduplicates regions", async (t) => {
  const names = azureHostnames(["WestUS", " westus ", "eastus", ""]);
  t.equal(names.length, 2 * 4 + 2);
  t.ok(names.includes("eastus.stt.speech.microsoft.com"));
  t.equal(new Set(names).size, names.length);
});

t.test("azureHostnames of no region is the unregional hostnames alone", async (t) => {
  t.same(azureHostnames([]), ["api.cognitive.microsoft.com", "speech.platform.bing.com"]);
});

t.test("certificateNames adds the custom-domain wildcard, localhost forms and the loopback addresses", async (t) => {
  const names = certificateNames(["westus", "eastus"]);
  for (const name of [
    ...azureHostnames(["westus", "eastus"]),
    "*.cognitiveservices.azure.com",
    "localhost",
    "westus.localhost",
    "eastus.localhost",
    "127.0.0.1",
    "::1",
  ]) {
    t.ok(names.includes(name), name);
  }
  t.equal(new Set(names).size, names.length, "no duplicates");
  t.notOk(names.includes("*.localhost"), "no two-label wildcard, which Node refuses to match");
});
