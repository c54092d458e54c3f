/**
 * Ogg pages re-stamped with a fixed serial number. The muxer (mediabunny) gives each stream a
 * random serial, so the same synthesis would differ from one request to the next; the serial is
 * only a label within the file, so a fixed one changes nothing a player sees. Each page's CRC is
 * computed again (RFC 3533 6: CRC-32, polynomial 0x04C11DB7, over the page with the CRC field zero).
 */

/** "OggS": a page's capture pattern. */
const capture = [0x4f, 0x67, 0x67, 0x53];
/** A page header before its segment table: 27 bytes. */
const headerBytes = 27;

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg CRC-32 of bytes: MSB first, initial value 0, no final XOR. */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (crcTable[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  return crc;
}

/** Thrown when what goes through is not Ogg pages: a bug of the muxer's or of ours, never a client's. */
export class OggPageError extends Error {
  override name = "OggPageError";
}

/**
 * Re-stamps the pages of an Ogg stream as they go by. A write may end mid-page: the rest of that
 * page waits for the next `push`.
 */
export class OggSerialPin {
  readonly #serial: number;
  #pending: Uint8Array = new Uint8Array(0);

  constructor(serial: number) {
    this.#serial = serial >>> 0;
  }

  /** The whole pages `bytes` completes, re-stamped; a trailing part of a page is kept. */
  push(bytes: Uint8Array): Uint8Array {
    const data = this.#pending.byteLength === 0 ? bytes : concat(this.#pending, bytes);
    let at = 0;
    while (data.byteLength - at >= headerBytes) {
      if (capture.some((b, i) => data[at + i] !== b)) throw new OggPageError(`Cannot re-stamp an Ogg page: no "OggS" at byte ${at}`);
      const segments = data[at + 26] as number;
      if (data.byteLength - at < headerBytes + segments) break;
      let size = headerBytes + segments;
      for (let i = 0; i < segments; i++) size += data[at + headerBytes + i] as number;
      if (data.byteLength - at < size) break;
      const page = data.subarray(at, at + size);
      const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
      view.setUint32(14, this.#serial, true);
      view.setUint32(22, 0, true);
      view.setUint32(22, oggCrc(page), true);
      at += size;
    }
    this.#pending = data.slice(at);
    return data.subarray(0, at);
  }

  /** The stream has ended: nothing may be left half a page. */
  end(): void {
    if (this.#pending.byteLength > 0)
      throw new OggPageError(`Cannot end an Ogg stream mid-page: ${this.#pending.byteLength} bytes left over`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
