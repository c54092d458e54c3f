import t from "tap";
import { oggCrc } from "./ogg-serial.ts";
import { preSkip } from "./opus.ts";
import { oggSerial, opusStream } from "./opus-stream.ts";

/** `seconds` of a 300 Hz tone at `rate`. */
const tone = (rate: number, seconds: number): Int16Array => {
  const pcm = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / rate));
  return pcm;
};

const collect = async (stream: AsyncGenerator<Uint8Array>): Promise<{ chunks: number; bytes: Uint8Array }> => {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return { chunks: parts.length, bytes: Buffer.concat(parts) };
};

interface Page {
  type: number;
  granule: bigint;
  serial: number;
  crcOk: boolean;
  body: Uint8Array;
}

/** The pages of an Ogg stream (RFC 3533 6), each with its CRC checked. */
function pages(bytes: Uint8Array): Page[] {
  const out: Page[] = [];
  for (let at = 0; at < bytes.length; ) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at);
    if (String.fromCharCode(...bytes.subarray(at, at + 4)) !== "OggS") throw new Error(`No page at byte ${at}`);
    const segments = bytes[at + 26] as number;
    const bodyBytes = [...bytes.subarray(at + 27, at + 27 + segments)].reduce((a, b) => a + b, 0);
    const size = 27 + segments + bodyBytes;
    const copy = new Uint8Array(bytes.subarray(at, at + size)); // a copy, even of a Buffer
    new DataView(copy.buffer).setUint32(22, 0, true);
    out.push({
      type: bytes[at + 5] as number,
      granule: view.getBigUint64(6, true),
      serial: view.getUint32(14, true),
      crcOk: view.getUint32(22, true) === oggCrc(copy),
      body: bytes.subarray(at + 27 + segments, at + size),
    });
    at += size;
  }
  return out;
}

t.test("Ogg Opus (RFC 7845): OpusHead then OpusTags, pages of at most a chunk, the end trimmed to the samples", async (t) => {
  for (const rate of [16000, 24000, 48000]) {
    const samples = Math.round(rate * 1.234);
    const { bytes, chunks } = await collect(opusStream("ogg", tone(rate, 1.234), rate, 64, rate / 10));
    const all = pages(bytes);
    t.ok(
      all.every((p) => p.serial === oggSerial && p.crcOk),
      `${rate} Hz: every page has the pinned serial and a valid CRC`,
    );
    const [first, second] = all as [Page, Page];
    const head = first.body;
    const view = new DataView(head.buffer, head.byteOffset);
    t.equal(first.type, 2, "the first page begins the stream");
    t.same(
      [String.fromCharCode(...head.subarray(0, 8)), head[8], head[9], view.getUint16(10, true), view.getUint32(12, true)],
      ["OpusHead", 1, 1, preSkip, rate],
      `${rate} Hz: OpusHead: version 1, mono, the pre-skip, the input rate`,
    );
    t.equal(String.fromCharCode(...second.body.subarray(0, 8)), "OpusTags");
    t.equal(all.at(-1)?.type, 4, "the last page ends the stream");
    t.equal(all.at(-1)?.granule, BigInt(preSkip + (samples * 48000) / rate), `${rate} Hz: the last granule: pre-skip + samples at 48 kHz`);
    t.ok(all.length - 2 >= 12, `${rate} Hz: ${all.length - 2} audio pages for 1.2 s: at most 0.1 s each`);
    t.ok(chunks >= 10, `${rate} Hz: streamed in pieces (${chunks})`);
  }
});

t.test("WebM: an EBML header, DocType webm, an A_OPUS track whose CodecPrivate is the OpusHead", async (t) => {
  const { bytes, chunks } = await collect(opusStream("webm", tone(24000, 1), 24000, 24, 2400));
  const text = Buffer.from(bytes);
  t.same([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], "the EBML magic");
  t.ok(text.includes("webm") && text.includes("A_OPUS"), "DocType webm, codec A_OPUS");
  const head = text.indexOf("OpusHead");
  t.equal(text.readUInt32LE(head + 12), 24000, "OpusHead input rate");
  t.ok(chunks >= 5, `streamed in pieces (${chunks}): a live stream, written in order`);
});

t.test("deterministic: the same samples, the same bytes, in Ogg and WebM", async (t) => {
  for (const container of ["ogg", "webm"] as const) {
    const [a, b] = await Promise.all([0, 1].map(() => collect(opusStream(container, tone(16000, 0.5), 16000, 32, 1600))));
    t.ok(Buffer.from(a?.bytes as Uint8Array).equals(Buffer.from(b?.bytes as Uint8Array)), container);
  }
});

t.test("no samples still make a stream a decoder opens: the look-ahead's packet of silence", async (t) => {
  const { bytes } = await collect(opusStream("ogg", new Int16Array(0), 24000, 48, 2400));
  t.equal(pages(bytes).at(-1)?.type, 4);
});

t.test("a stream left early cancels its muxer and frees its encoder", async (t) => {
  const stream = opusStream("webm", tone(48000, 2), 48000, 96, 4800);
  await stream.next();
  await stream.return(undefined);
  const { bytes } = await collect(opusStream("webm", tone(48000, 0.2), 48000, 96, 4800));
  t.ok(bytes.length > 100, "the next stream is whole");
});
