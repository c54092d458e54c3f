/**
 * Test support: Ogg Opus files built byte by byte (RFC 3533 pages, RFC 7845 headers), with
 * deterministic placeholder packets. The mock never decodes Opus (it knows such audio by the
 * SHA-256 of its bytes and times it by its granule positions), so what matters is the container.
 */
import { oggCrc } from "../../mock-server/tts/encoders/ogg-serial.ts";
import { concatBytes } from "./fixture-audio.ts";

/** One page holding whole packets (each under 255 bytes * 255 segments). */
function page(packets: readonly Uint8Array[], granule: number, sequence: number, flags: number): Uint8Array {
  const lacing: number[] = [];
  for (const p of packets) {
    let left = p.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
  }
  const payload = packets.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(27 + lacing.length + payload);
  const view = new DataView(bytes.buffer);
  bytes.set([0x4f, 0x67, 0x67, 0x53], 0); // "OggS"
  bytes[5] = flags;
  view.setUint32(6, granule % 2 ** 32, true);
  view.setUint32(10, Math.floor(granule / 2 ** 32), true);
  view.setUint32(14, 0x5eec4d0c, true); // serial number
  view.setUint32(18, sequence, true);
  bytes[26] = lacing.length;
  bytes.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of packets) {
    bytes.set(p, at);
    at += p.length;
  }
  view.setUint32(22, oggCrc(bytes), true);
  return bytes;
}

const ascii = (text: string): number[] => Array.from(text, (ch) => ch.charCodeAt(0));

export interface OggOpusOptions {
  /** Length of the audio, in milliseconds (whole 20 ms frames). */
  ms: number;
  channels?: number;
  /** Samples at 48 kHz the decoder drops at the start (RFC 7845 recommends 3840). */
  preSkip?: number;
  /** Varies the packets' bytes, so two files of the same length hash differently. */
  seed?: number;
  /** The first packet's magic; anything but "OpusHead" makes the file not Opus. */
  magic?: string;
}

/** An Ogg Opus file of `ms` milliseconds of 20 ms frames, one second of them per page. */
export function oggOpusFile(options: OggOpusOptions): Uint8Array {
  const { ms, channels = 1, preSkip = 3840, seed = 1, magic = "OpusHead" } = options;
  const head = new Uint8Array(19);
  head.set(ascii(magic.padEnd(8).slice(0, 8)), 0);
  head[8] = 1;
  head[9] = channels;
  new DataView(head.buffer).setUint16(10, preSkip, true);
  new DataView(head.buffer).setUint32(12, 16_000, true); // the input's rate: informational
  const vendor = ascii("speechmock test");
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  tags.set(ascii("OpusTags"), 0);
  new DataView(tags.buffer).setUint32(8, vendor.length, true);
  tags.set(vendor, 12);
  const pages = [page([head], 0, 0, 0x02), page([tags], 0, 1, 0)];
  const frames = Math.round(ms / 20);
  let granule = preSkip;
  for (let first = 0, sequence = 2; first < frames || sequence === 2; first += 50, sequence++) {
    const packets: Uint8Array[] = [];
    for (let f = first; f < Math.min(frames, first + 50); f++) {
      const packet = new Uint8Array(40);
      packet[0] = 0xf8; // TOC: CELT fullband 20 ms, one frame
      for (let i = 1; i < packet.length; i++) packet[i] = (f * 31 + i * 7 + seed * 13) & 0xff;
      packets.push(packet);
      granule += 960;
    }
    const last = first + 50 >= frames;
    pages.push(page(packets, granule, sequence, last ? 0x04 : 0));
    if (last) break;
  }
  return concatBytes(...pages);
}
