/**
 * REST recognitions with autocannon: every request posts remind-me.wav (about 66 KB, 2 s of audio)
 * with a key to the REST API for short audio, after a check that the answer is the clip's phrase
 * (speechmock) or a 200 (the bare server, which reads the same body and answers a fixed JSON).
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { root } from "../servers.ts";
import { devKey, keyHeader } from "./dev-credentials.ts";
import { type HttpSample, type Server, sampleOf } from "./http-load.ts";
import { cpuTimeMs } from "./proc.ts";

export const restPath = "/speech/recognition/conversation/cognitiveservices/v1?language=en-US";
export const restClip = "remind-me.wav";
const contentType = "audio/wav; codecs=audio/pcm; samplerate=16000";

const body = readFileSync(`${root}fixtures/audio/${restClip}`);
/** Bytes each request posts. */
export const restBodyBytes = body.length;
const headers = { [keyHeader]: devKey, "Content-Type": contentType };

/** Fails unless the server answers one recognition with a 200 (and, from speechmock, the clip's text). */
export async function checkRest(baseUrl: string, displayText?: string): Promise<void> {
  const probe = await fetch(`${baseUrl}${restPath}`, { method: "POST", headers, body });
  const text = await probe.text();
  if (probe.status !== 200) throw new Error(`REST probe of ${baseUrl} got ${probe.status}: ${text.slice(0, 200)}`);
  if (displayText !== undefined && (JSON.parse(text) as { DisplayText?: string }).DisplayText !== displayText) {
    throw new Error(`REST probe of ${baseUrl} heard ${text.slice(0, 200)}, expected ${JSON.stringify(displayText)}`);
  }
}

export async function loadRest(server: Server, connections: number, seconds: number): Promise<HttpSample> {
  const cpuBefore = cpuTimeMs(server.pid);
  const r = await autocannon({
    url: `${server.url}${restPath}`,
    method: "POST",
    headers,
    body,
    connections,
    duration: seconds,
    timeout: 10,
  });
  return sampleOf(r, server, cpuBefore);
}
