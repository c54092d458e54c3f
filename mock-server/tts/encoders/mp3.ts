/**
 * MP3 at a constant bit rate, with LAME compiled to WebAssembly (`wasm-media-encoders`: an MIT
 * wrapper around LGPL LAME, loaded from node_modules, never bundled). Loaded the first time an MP3
 * is asked for, so a mock that never makes one never compiles it. LAME is deterministic: the same
 * samples give the same bytes, on Node and on Deno.
 */
import type { WasmMediaEncoder } from "wasm-media-encoders";

type Mp3Encoder = WasmMediaEncoder<"audio/mpeg">;
type ConfigureParams = Parameters<Mp3Encoder["configure"]>[0];

/**
 * Encoders not in use. An encoder is a WebAssembly instance (compiling one costs ~10 ms), and
 * `configure` starts a fresh LAME stream in it, so one is reused, one synthesis at a time.
 */
const idle: Mp3Encoder[] = [];
/** Idle encoders kept for the next bursts of parallel syntheses; more are made, then dropped. */
const maxIdle = 4;

let library: Promise<typeof import("wasm-media-encoders")> | undefined;

async function acquire(): Promise<Mp3Encoder> {
  const ready = idle.pop();
  if (ready) return ready;
  library ??= import("wasm-media-encoders").catch((err: unknown) => {
    library = undefined; // not kept: the next request tries again
    throw err;
  });
  return (await library).createMp3Encoder();
}

function release(encoder: Mp3Encoder): void {
  if (idle.length < maxIdle) idle.push(encoder);
}

/** Samples as LAME takes them: floats in [-1, 1). */
function floats(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = (pcm[i] as number) / 32768;
  return out;
}

/**
 * 16-bit mono samples as an MP3 stream at `kbps` (CBR), coded `blockSamples` at a time: each
 * non-empty piece as LAME gives it: whole frames, the stream up to about 0.1 s longer than the samples
 * (LAME's delay at the start, the last frame's padding), which a CBR stream without a LAME tag cannot mark.
 */
export async function* mp3Stream(pcm: Int16Array, sampleRate: number, kbps: number, blockSamples: number): AsyncGenerator<Uint8Array> {
  const encoder = await acquire();
  let broken = false;
  try {
    encoder.configure({ channels: 1, sampleRate, bitrate: kbps } as ConfigureParams);
    for (let at = 0; at < pcm.length; at += blockSamples) {
      // The result is a view into the instance's memory, overwritten by the next call: copied.
      const out = encoder.encode([floats(pcm.subarray(at, at + blockSamples))]);
      if (out.byteLength > 0) yield out.slice();
    }
    const tail = encoder.finalize();
    if (tail.byteLength > 0) yield tail.slice();
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    // One left mid-stream (the client went away) is reused too: `configure` resets it. A failed one is dropped.
    if (!broken) release(encoder);
  }
}
