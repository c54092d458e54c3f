/**
 * An Ogg Opus stream read as it streams in, without decoding: the mock identifies such audio by the
 * SHA-256 of the whole body, so all it needs is to know the body is Ogg Opus (RFC 7845: the first
 * packet is `OpusHead`) and how long it lasts (the last page's granule position, in 48 kHz
 * samples, less the pre-skip). Only page headers are buffered. CRCs are not checked: the service's
 * decoder would catch a damaged page, the mock has none.
 */
import { AudioError, maxAudioMs, tooLong } from "./audio-error.ts";

/** Opus granule positions count 48 kHz samples, whatever the input rate. */
const granuleRate = 48;

/** A page header before its segment table: "OggS", version, type, granule, serial, sequence, CRC, segment count. */
const pageHeaderBytes = 27;

/** The start of `OpusHead`: magic (8), version (1), channels (1), pre-skip (2). */
const opusHeadBytes = 12;

type State = "header" | "segments" | "payload";

export class OggReader {
  readonly #maxAudioMs: number;
  #state: State = "header";
  #head = new Uint8Array(pageHeaderBytes);
  #filled = 0;
  /** Payload bytes of the current page still to come. */
  #payloadLeft = 0;
  #pages = 0;
  /** The first bytes of the first page's payload, for `OpusHead`. */
  #first = new Uint8Array(opusHeadBytes);
  #firstFilled = 0;
  #preSkip: number | undefined;
  #granule = 0;
  #bytes = 0;

  constructor(maxAudio = maxAudioMs) {
    this.#maxAudioMs = maxAudio;
  }

  /** Audio so far by the last complete page's granule position, in whole milliseconds. */
  get audioMs(): number {
    return Math.max(0, Math.floor((this.#granule - (this.#preSkip ?? 0)) / granuleRate));
  }

  /** Takes the next bytes of the body. Throws `AudioError`. */
  push(chunk: Uint8Array): void {
    let at = 0;
    this.#bytes += chunk.length;
    while (at < chunk.length) {
      if (this.#state === "payload") {
        const n = Math.min(this.#payloadLeft, chunk.length - at);
        if (this.#pages === 1 && this.#firstFilled < opusHeadBytes) {
          const take = Math.min(n, opusHeadBytes - this.#firstFilled);
          this.#first.set(chunk.subarray(at, at + take), this.#firstFilled);
          this.#firstFilled += take;
          if (this.#firstFilled === opusHeadBytes) this.#readOpusHead();
        }
        this.#payloadLeft -= n;
        at += n;
        if (this.#payloadLeft === 0) this.#pageDone();
        continue;
      }
      const n = Math.min(this.#head.length - this.#filled, chunk.length - at);
      this.#head.set(chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#head.length) this.#step();
    }
  }

  /** The body ended: throws unless it held an Opus stream and ended on a page boundary. */
  end(): void {
    if (this.#bytes === 0) throw new AudioError("request.audio_invalid", "The body is empty: expected an Ogg Opus file");
    if (this.#preSkip === undefined) throw new AudioError("request.audio_invalid", "Invalid Ogg Opus file: no OpusHead packet");
    if (this.#state !== "header" || this.#filled !== 0) {
      const page = this.#state === "header" ? this.#pages + 1 : this.#pages;
      throw new AudioError("request.audio_invalid", `Invalid Ogg file: it ends in the middle of page ${page}`);
    }
  }

  #step(): void {
    const head = this.#head;
    if (this.#state === "header") {
      const magic = String.fromCharCode(...head.subarray(0, 4));
      if (magic !== "OggS") {
        throw new AudioError("request.audio_invalid", `Invalid Ogg file: page ${this.#pages + 1} does not start with "OggS"`);
      }
      const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
      const low = view.getUint32(6, true);
      const high = view.getUint32(10, true);
      // -1 (all ones): no packet ends on this page.
      if (!(low === 0xffffffff && high === 0xffffffff)) this.#granule = high * 2 ** 32 + low;
      const segments = head[26] as number;
      this.#pages++;
      this.#expect("segments", segments);
      if (segments === 0) this.#pageDone();
      return;
    }
    // The segment table: the payload is the sum of its lacing values.
    let payload = 0;
    for (const lacing of head) payload += lacing;
    this.#payloadLeft = payload;
    this.#state = "payload";
    if (payload === 0) this.#pageDone();
  }

  #readOpusHead(): void {
    const first = this.#first;
    if (String.fromCharCode(...first.subarray(0, 8)) !== "OpusHead") {
      throw new AudioError("request.audio_invalid", "Invalid Ogg Opus file: its first packet is not OpusHead (is it Vorbis?)");
    }
    const channels = first[9] as number;
    if (channels !== 1) {
      throw new AudioError("request.audio_format_unsupported", `Unsupported Opus audio: ${channels} channels; expected mono`);
    }
    this.#preSkip = (first[10] as number) | ((first[11] as number) << 8);
  }

  #pageDone(): void {
    if (this.#pages === 1 && this.#preSkip === undefined) {
      throw new AudioError("request.audio_invalid", "Invalid Ogg Opus file: its first page holds no OpusHead packet");
    }
    if (this.audioMs > this.#maxAudioMs) throw tooLong(this.audioMs, this.#maxAudioMs);
    this.#expect("header", pageHeaderBytes);
  }

  #expect(state: State, bytes: number): void {
    this.#state = state;
    if (this.#head.length !== bytes) this.#head = new Uint8Array(bytes);
    this.#filled = 0;
  }
}
