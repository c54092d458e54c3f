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

/**
 * The PCM of one turn, taken in as it streams: the voice activity detector finds its segments and
 * an incremental SHA-256 identifies the clip. Nothing is buffered, so a turn costs the same memory
 * however long its audio (Web Crypto's digest is one-shot, hence `@noble/hashes`).
 */
export class TurnAudio {
  readonly #vad: EnergyVad;
  readonly #hash = sha256.create();
  readonly #segments: Segment[] = [];
  #openStart: number | undefined;

  constructor(vad: Partial<VadOptions>) {
    this.#vad = new EnergyVad(vad);
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
    const digest = this.#hash.digest();
    let hex = "";
    for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
    return { segments: this.#segments, audioTicks: this.#vad.audioTicks, sha256: hex };
  }

  #take(type: "speechStart" | "speechEnd", offset: number): void {
    if (type === "speechStart") this.#openStart = offset;
    else {
      this.#segments.push({ start: this.#openStart ?? 0, end: offset });
      this.#openStart = undefined;
    }
  }
}
