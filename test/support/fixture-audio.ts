/** Test support: the fixture clips' PCM, and bytes joined end to end. */
import { readFileSync } from "node:fs";
import { concatBytes as joinBytes } from "../../mock-server/bytes.ts";
import { RIFF_HEADER_BYTES } from "../../mock-server/protocol/riff.ts";
import { root } from "./spawn.ts";

/** The PCM of `fixtures/audio/<clip>`: the bytes after its 44-byte WAV header, as the SDK streams them. */
export const fixturePcm = (clip: string): Uint8Array =>
  new Uint8Array(readFileSync(`${root}fixtures/audio/${clip}`)).subarray(RIFF_HEADER_BYTES);

/** The parts, one after another, in one new array. */
export const concatBytes = (...parts: readonly Uint8Array[]): Uint8Array => joinBytes(parts);
