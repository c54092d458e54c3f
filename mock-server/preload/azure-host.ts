/**
 * Azure's own hostnames for the Speech service, in every form clients hard-code: regional
 * (`westus.stt.speech.microsoft.com`, `westus.api.cognitive.microsoft.com`,
 * `westus.tts.speech.microsoft.com`, `westus.cognitiveservices.azure.com`), custom domains
 * (`my-resource.cognitiveservices.azure.com`) and the unregional legacy ones
 * (`api.cognitive.microsoft.com`, `speech.platform.bing.com`).
 */
const azureHost =
  /^(?:[a-z0-9-]+\.(?:api\.cognitive\.microsoft\.com|stt\.speech\.microsoft\.com|tts\.speech\.microsoft\.com|cognitiveservices\.azure\.com)|api\.cognitive\.microsoft\.com|speech\.platform\.bing\.com)$/;

/** Whether a host (no port; any case; a trailing dot allowed) is one of Azure's Speech hostnames. */
export const isAzureSpeechHost = (host: string | undefined | null): boolean =>
  typeof host === "string" && azureHost.test(host.toLowerCase().replace(/\.$/, ""));
