/**
 * Test support: a whole clip heard at once, as the recognizer's detector and hash see it: its
 * speech segments, its length and its SHA-256. The mock itself decides per utterance
 * (stt/recognize.ts); tests use this to state what the fixture clips hold.
 */
import { jsSha256, type PcmHasher } from "../../mock-server/stt/pcm-hash.ts";
import type { HeardAudio, Segment } from "../../mock-server/stt/responses.ts";
import { EnergyVad, type VadOptions } from "../../mock-server/stt/vad.ts";

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
