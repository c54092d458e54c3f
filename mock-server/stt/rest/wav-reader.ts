/**
 * A WAV file read as it streams in: its RIFF chunks are walked to the `data` chunk, and every byte
 * after that chunk's header is PCM, to the end of the body, as the Speech SDK reads a file (see
 * `transcripts/wav-file.ts`, whose hash of those bytes is a clip's key). Real files have real
 * sizes and may carry other chunks (`LIST`, `fact`) before `data`; streaming clients write size 0.
 * Only the chunk headers are buffered, never the audio.
 */
import { speechPcmFormat } from "../../protocol/riff.ts";
import { samplesPerMs } from "../ticks.ts";
import { AudioError, maxAudioMs, tooLong } from "./audio-error.ts";

/** The most bytes read before the `data` chunk: a header, a format and some metadata are far less. */
export const maxWavHeaderBytes = 1 << 20;

/** A `fmt ` chunk larger than this is not a format description (WAVE_FORMAT_EXTENSIBLE's is 40 bytes). */
const maxFmtBytes = 1024;

const extensible = 0xfffe;

/** PCM bytes in `ms` milliseconds of 16 kHz, 16-bit mono audio. */
export const pcmBytesOf = (ms: number): number => ms * samplesPerMs * 2;

const fourCC = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
const printable = (tag: string): string => JSON.stringify(tag.replace(/[^\x20-\x7e]/g, "?"));

type State = "riff" | "chunk" | "fmt" | "data";

export class WavReader {
  readonly #maxAudioMs: number;
  readonly #maxPcmBytes: number;
  #state: State = "riff";
  /** The header being gathered, and how many of its bytes are in. */
  #head = new Uint8Array(12);
  #filled = 0;
  /** Bytes of a chunk the reader steps over (`LIST`, `fact`...), still to come. */
  #skip = 0;
  #fmtSeen = false;
  #headerBytes = 0;
  #pcmBytes = 0;

  constructor(maxAudio = maxAudioMs) {
    this.#maxAudioMs = maxAudio;
    this.#maxPcmBytes = pcmBytesOf(maxAudio);
  }

  /** PCM bytes read so far. */
  get pcmBytes(): number {
    return this.#pcmBytes;
  }

  /** Audio read so far, in milliseconds, rounded as the WebSocket's turns report it. */
  get audioMs(): number {
    return Math.round(this.#pcmBytes / 2 / samplesPerMs);
  }

  /** Takes the next bytes of the body; returns the PCM among them. Throws `AudioError`. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#state === "data") {
        const pcm = at === 0 ? chunk : chunk.subarray(at);
        this.#pcmBytes += pcm.length;
        if (this.#pcmBytes > this.#maxPcmBytes) throw tooLong(this.audioMs, this.#maxAudioMs);
        out.push(pcm);
        break;
      }
      const n = this.#skip > 0 ? Math.min(this.#skip, chunk.length - at) : Math.min(this.#head.length - this.#filled, chunk.length - at);
      if (this.#skip > 0) this.#skip -= n;
      else {
        this.#head.set(chunk.subarray(at, at + n), this.#filled);
        this.#filled += n;
      }
      at += n;
      this.#headerBytes += n;
      if (this.#headerBytes > maxWavHeaderBytes) {
        throw new AudioError("request.audio_invalid", `Invalid WAV file: no data chunk in its first ${maxWavHeaderBytes} bytes`);
      }
      if (this.#skip === 0 && this.#filled === this.#head.length) this.#step();
    }
    return out;
  }

  /** The body ended: throws unless the audio started. */
  end(): void {
    if (this.#state === "data") return;
    if (this.#headerBytes === 0) throw new AudioError("request.audio_invalid", "The body is empty: expected a WAV file");
    const where = this.#fmtSeen ? "after its fmt chunk, before any data chunk" : "before its fmt chunk";
    throw new AudioError("request.audio_invalid", `Invalid WAV file: it ends ${where} (${this.#headerBytes} bytes)`);
  }

  /** A whole header is in: read it and decide what comes next. */
  #step(): void {
    const head = this.#head;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    switch (this.#state) {
      case "riff": {
        if (fourCC(head, 0) !== "RIFF" || fourCC(head, 8) !== "WAVE") {
          throw new AudioError(
            "request.audio_invalid",
            `Invalid WAV file: expected "RIFF" and "WAVE" in its first 12 bytes, found ${printable(fourCC(head, 0))} and ${printable(fourCC(head, 8))}`,
          );
        }
        this.#expect("chunk", 8);
        return;
      }
      case "chunk": {
        const id = fourCC(head, 0);
        const size = view.getUint32(4, true);
        if (id === "data") {
          if (!this.#fmtSeen) throw new AudioError("request.audio_invalid", "Invalid WAV file: the data chunk comes before any fmt chunk");
          this.#state = "data";
          return;
        }
        if (id === "fmt ") {
          if (size < 16 || size > maxFmtBytes) {
            throw new AudioError(
              "request.audio_invalid",
              `Invalid WAV file: its fmt chunk is ${size} bytes, expected 16 to ${maxFmtBytes}`,
            );
          }
          this.#expect("fmt", size + (size % 2));
          return;
        }
        // Chunks are padded to an even length.
        this.#skip = size + (size % 2);
        this.#expect("chunk", 8);
        return;
      }
      case "fmt": {
        let format = view.getUint16(0, true);
        // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
        if (format === extensible && head.length >= 26) format = view.getUint16(24, true);
        const channels = view.getUint16(2, true);
        const rate = view.getUint32(4, true);
        const bits = view.getUint16(14, true);
        const wanted = speechPcmFormat;
        if (
          format !== wanted.audioFormat ||
          channels !== wanted.numChannels ||
          rate !== wanted.sampleRate ||
          bits !== wanted.bitsPerSample
        ) {
          const kind = format === 1 ? "integer PCM" : `format ${format}`;
          throw new AudioError(
            "request.audio_format_unsupported",
            `Unsupported WAV audio: ${rate} Hz, ${bits}-bit, ${channels} channel(s), ${kind}; expected 16000 Hz, 16-bit, mono integer PCM`,
          );
        }
        this.#fmtSeen = true;
        this.#expect("chunk", 8);
        return;
      }
      case "data":
        return;
    }
  }

  #expect(state: State, bytes: number): void {
    this.#state = state;
    if (this.#head.length !== bytes) this.#head = new Uint8Array(bytes);
    this.#filled = 0;
  }
}
