// A browser app's production code, with no mention of any mock: its Speech key and region come from
// its own configuration (config.json), it fetches a token from Azure's token service and recognises
// a recording with the Speech SDK's browser bundle (the global `SpeechSDK`). The browser test
// (../sdk-in-chromium.e2e.test.ts) points Azure's hostnames at the mock with Chromium's flags only.
const sdk = globalThis.SpeechSDK;
const result = document.getElementById("result");

const config = await (await fetch("config.json")).json();

async function issueToken() {
  const response = await fetch(`https://${config.speechRegion}.api.cognitive.microsoft.com/sts/v1.0/issueToken`, {
    method: "POST",
    headers: { "Ocp-Apim-Subscription-Key": config.speechKey },
  });
  if (!response.ok) throw new Error(`issueToken: HTTP ${response.status}`);
  return response.text();
}

async function recognizeOnce(speechConfig) {
  speechConfig.speechRecognitionLanguage = "en-US";
  const wav = await (await fetch(config.recording)).arrayBuffer();
  const audio = sdk.AudioConfig.fromWavFileInput(new File([wav], config.recording, { type: "audio/wav" }));
  const recognizer = new sdk.SpeechRecognizer(speechConfig, audio);
  try {
    return await new Promise((resolve, reject) => recognizer.recognizeOnceAsync(resolve, reject));
  } finally {
    recognizer.close();
  }
}

function show(state, detail) {
  result.textContent = typeof detail === "string" ? detail : JSON.stringify(detail);
  result.dataset.state = state;
}

async function run(makeConfig) {
  show("busy", "");
  try {
    const r = await recognizeOnce(await makeConfig());
    const details = r.reason === sdk.ResultReason.Canceled ? sdk.CancellationDetails.fromResult(r) : undefined;
    show("done", {
      reason: sdk.ResultReason[r.reason],
      text: r.text,
      error: details?.errorDetails,
    });
  } catch (err) {
    show("error", String(err?.stack ?? err));
  }
}

const withToken = document.getElementById("with-token");
const withKey = document.getElementById("with-key");
withToken.addEventListener("click", () =>
  run(async () => sdk.SpeechConfig.fromAuthorizationToken(await issueToken(), config.speechRegion)),
);
withKey.addEventListener("click", () => run(async () => sdk.SpeechConfig.fromSubscription(config.speechKey, config.speechRegion)));
withToken.disabled = false;
withKey.disabled = false;
