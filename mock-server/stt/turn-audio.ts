import { sha256 } from "@noble/hashes/sha2.js";
import { EnergyVad, type VadOptions } from "./vad.ts";

/** One stretch of speech, in 100 ns ticks from the start of its turn's audio. */
export interface Segment {
  readonly start: number;
  readonly end: number;
}

/** What a turn's audio turned out to hold once it ended. */
export interface HeardAudio {
  readonly segments: readonly Segment[];
  /** Length of the PCM, in ticks. */
  readonly audioTicks: number;
  /** Lower-case hex SHA-256 of the PCM (the bytes after the RIFF header): the key of the transcripts file. */
  readonly sha256: string;
}

/** An incremental SHA-256: the PCM arrives in chunks, and Web Crypto's digest is one-shot. */
export interface PcmHasher {
  update(pcm: Uint8Array): void;
  /** The digest as lower-case hex; called once. */
  hex(): string;
}

export type PcmHasherFactory = () => PcmHasher;

/** A `node:crypto` Hash (Node's, or Deno's compatible one) as a PcmHasher. */
export const nodeStyleHasher = (hash: { update(data: Uint8Array): unknown; digest(encoding: "hex"): string }): PcmHasher => ({
  update: (pcm) => {
    hash.update(pcm);
  },
  hex: () => hash.digest("hex"),
});

/**
 * SHA-256 in JavaScript (`@noble/hashes`), runtime-free. The runtime adapters hand in their
 * native hash instead, about ten times faster (a 2 s clip: ~600 µs here, ~55 µs native).
 */
export const jsSha256: PcmHasherFactory = () => {
  const hash = sha256.create();
  return {
    update: (pcm) => {
      hash.update(pcm);
    },
    hex: () => {
      let hex = "";
      for (const byte of hash.digest()) hex += byte.toString(16).padStart(2, "0");
      return hex;
    },
  };
};

/**
 * The PCM of one turn, taken in as it streams: the voice activity detector finds its segments and
 * an incremental SHA-256 identifies the clip. Nothing is buffered, so a turn costs the same memory
 * however long its audio.
 */
export class TurnAudio {
  readonly #vad: EnergyVad;
  readonly #hash: PcmHasher;
  readonly #segments: Segment[] = [];
  #openStart: number | undefined;

  constructor(vad: Partial<VadOptions>, hasher: PcmHasher = jsSha256()) {
    this.#vad = new EnergyVad(vad);
    this.#hash = hasher;
  }

  push(pcm: Uint8Array): void {
    this.#hash.update(pcm);
    for (const event of this.#vad.push(pcm)) this.#take(event.type, event.offsetTicks);
  }

  /** Audio so far, in ticks. */
  get audioTicks(): number {
    return this.#vad.audioTicks;
  }

  /** Whether any speech has started so far. */
  get heardSpeech(): boolean {
    return this.#segments.length > 0 || this.#openStart !== undefined;
  }

  end(): HeardAudio {
    for (const event of this.#vad.end()) this.#take(event.type, event.offsetTicks);
    return { segments: this.#segments, audioTicks: this.#vad.audioTicks, sha256: this.#hash.hex() };
  }

  #take(type: "speechStart" | "speechEnd", offset: number): void {
    if (type === "speechStart") this.#openStart = offset;
    else {
      this.#segments.push({ start: this.#openStart ?? 0, end: offset });
      this.#openStart = undefined;
    }
  }
}
