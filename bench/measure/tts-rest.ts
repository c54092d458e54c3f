/**
 * Text to speech over REST with autocannon: every request posts the same short SSML with a key to
 * `POST /cognitiveservices/v1` and reads the audio streamed back (raw 24 kHz 16-bit PCM, chunked).
 * speechmock's answer is probed first: its length is what the bare server is asked to stream, in
 * chunks of 100 ms of audio as speechmock's (`?bytes=N&chunk=C` on the bare server's path).
 */
import autocannon from "autocannon";
import { devKey, keyHeader } from "./dev-credentials.ts";
import { type HttpSample, type Server, sampleOf } from "./http-load.ts";
import { cpuTimeMs } from "./proc.ts";

export const ttsPath = "/cognitiveservices/v1";
export const ttsFormat = "raw-24khz-16bit-mono-pcm";
/** 100 ms of raw 24 kHz 16-bit mono PCM: the size of each chunk speechmock streams. */
export const ttsChunkBytes = (24_000 * 2) / 10;
export const ttsText = "Your table for two is booked for Friday at seven thirty.";
export const ttsSsml =
  '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">' +
  `<voice name="en-US-JennyNeural">${ttsText}</voice></speak>`;

const headers = { [keyHeader]: devKey, "Content-Type": "application/ssml+xml", "X-Microsoft-OutputFormat": ttsFormat };

/** The bare server's synthesis path, asking for `bytes` streamed in `ttsChunkBytes` chunks. */
export const bareTtsPath = (bytes: number): string => `${ttsPath}?bytes=${bytes}&chunk=${ttsChunkBytes}`;

/** Posts the SSML once; fails unless the answer is a 200. Resolves to the audio's length in bytes. */
export async function probeTtsRest(url: string): Promise<number> {
  const res = await fetch(url, { method: "POST", headers, body: ttsSsml });
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`TTS REST probe of ${url} got ${res.status}: ${new TextDecoder().decode(body.slice(0, 200))}`);
  return body.byteLength;
}

/** Twice (a baseline that reused a detached buffer would answer short the second time), each answer `bytes` long. */
export async function checkTtsRest(url: string, bytes: number): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const got = await probeTtsRest(url);
    if (got !== bytes) throw new Error(`TTS REST probe of ${url} streamed ${got} bytes, expected ${bytes}`);
  }
}

/** `server.url`: the full synthesis URL (path and query included). */
export async function loadTtsRest(server: Server, connections: number, seconds: number): Promise<HttpSample> {
  const cpuBefore = cpuTimeMs(server.pid);
  const r = await autocannon({ url: server.url, method: "POST", headers, body: ttsSsml, connections, duration: seconds, timeout: 10 });
  return sampleOf(r, server, cpuBefore);
}
