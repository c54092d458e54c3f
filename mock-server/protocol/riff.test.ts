import fc from "fast-check";
import t from "tap";
import { parseRiffHeader, RIFF_HEADER_BYTES, speechPcmFormat, writeRiffHeader } from "./riff.ts";

const hex = (text: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array((text.replace(/\s+/g, "").match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16)));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");

// The header the JS SDK sends for 16 kHz, 16-bit, mono PCM, sizes 0.
const sdkHeader = [
  "52 49 46 46", // ChunkID "RIFF"
  "00 00 00 00", // ChunkSize 0
  "57 41 56 45", // Format "WAVE"
  "66 6d 74 20", // Subchunk1ID "fmt "
  "10 00 00 00", // Subchunk1Size 16
  "01 00", // AudioFormat 1 (PCM)
  "01 00", // NumChannels 1
  "80 3e 00 00", // SampleRate 16000
  "00 7d 00 00", // ByteRate 32000
  "02 00", // BlockAlign 2
  "10 00", // BitsPerSample 16
  "64 61 74 61", // Subchunk2ID "data"
  "00 00 00 00", // Subchunk2Size 0
].join(" ");

/** The SDK header with `replacement` written at `offset`. */
const patched = (offset: number, replacement: string): Uint8Array => {
  const bytes = hex(sdkHeader);
  bytes.set(hex(replacement), offset);
  return bytes;
};

t.test("parseRiffHeader", async (t) => {
  t.test("accepts the SDK's header, with RIFF and data sizes of 0", async (t) => {
    t.strictSame(parseRiffHeader(hex(sdkHeader)), {
      ok: true,
      header: {
        format: { audioFormat: 1, numChannels: 1, sampleRate: 16000, byteRate: 32000, blockAlign: 2, bitsPerSample: 16 },
        chunkSize: 0,
        dataSize: 0,
        dataOffset: 44,
      },
    });
  });

  t.test("accepts and reports real sizes, as a file's header has", async (t) => {
    // ChunkSize 36 + 32000 = 0x7d24, Subchunk2Size 32000 = 0x7d00
    const bytes = patched(40, "00 7d 00 00");
    bytes.set(hex("24 7d 00 00"), 4);
    t.match(parseRiffHeader(bytes), { ok: true, header: { chunkSize: 32036, dataSize: 32000 } });
    t.match(parseRiffHeader(patched(4, "ff ff ff ff")), { ok: true, header: { chunkSize: 0xffffffff } });
  });

  t.test("reads only the first 44 bytes, leaving the PCM after them", async (t) => {
    t.match(parseRiffHeader(hex(`${sdkHeader} 01 00 ff 7f`)), { ok: true, header: { dataOffset: 44 } });
  });

  t.test("reads a header inside a larger buffer", async (t) => {
    const outer = hex(`aa bb ${sdkHeader}`);
    t.match(parseRiffHeader(outer.subarray(2)), { ok: true });
  });

  t.test("refuses fewer than 44 bytes", async (t) => {
    const result = parseRiffHeader(hex(sdkHeader).subarray(0, 43));
    t.match(result, {
      ok: false,
      error: {
        name: "ProtocolError",
        code: "ERR_RIFF_INVALID",
        message: "Cannot parse RIFF header: 43 bytes is shorter than the 44-byte header",
        closeCode: 1007,
        closeReason: "Unsupported audio format.",
        problem: { field: "length", expected: 44, actual: 43 },
      },
    });
  });

  const wrong: [string, number, string, string | number, string | number][] = [
    ["ChunkID", 0, "52 49 46 58", "RIFF", "RIFX"],
    ["Format", 8, "41 56 49 20", "WAVE", "AVI "],
    ["Subchunk1ID", 12, "4c 49 53 54", "fmt ", "LIST"],
    ["Subchunk1Size", 16, "12 00 00 00", 16, 18],
    ["AudioFormat", 20, "03 00", 1, 3],
    ["NumChannels", 22, "02 00", 1, 2],
    ["SampleRate", 24, "44 ac 00 00", 16000, 44100],
    ["ByteRate", 28, "80 3e 00 00", 32000, 16000],
    ["BlockAlign", 32, "04 00", 2, 4],
    ["BitsPerSample", 34, "08 00", 16, 8],
    ["Subchunk2ID", 36, "66 61 63 74", "data", "fact"],
  ];
  for (const [field, offset, bytes, expected, actual] of wrong) {
    t.test(`refuses a wrong ${field}, naming the field, the value found and the one expected`, async (t) => {
      const show = (value: string | number) => (typeof value === "string" ? JSON.stringify(value) : `${value}`);
      t.match(parseRiffHeader(patched(offset, bytes)), {
        ok: false,
        error: {
          code: "ERR_RIFF_INVALID",
          message: `Cannot parse RIFF header: ${field} is ${show(actual)}, expected ${show(expected)}`,
          closeCode: 1007,
          closeReason: "Unsupported audio format.",
          problem: { field, expected, actual },
        },
      });
    });
  }

  t.test("refuses a stereo 44.1 kHz header on its first wrong field", async (t) => {
    const result = parseRiffHeader(patched(22, "02 00 44 ac 00 00 10 b1 02 00 04 00"));
    t.match(result, { ok: false, error: { problem: { field: "NumChannels" } } });
  });
});

t.test("writeRiffHeader", async (t) => {
  t.test("writes the SDK's 44-byte header with sizes 0 by default", async (t) => {
    t.equal(toHex(writeRiffHeader()), toHex(hex(sdkHeader)));
    t.equal(writeRiffHeader().length, RIFF_HEADER_BYTES);
  });

  t.test("writes given sizes little-endian", async (t) => {
    const bytes = writeRiffHeader({ chunkSize: 32036, dataSize: 32000 });
    t.equal(toHex(bytes.subarray(4, 8)), "24 7d 00 00");
    t.equal(toHex(bytes.subarray(40, 44)), "00 7d 00 00");
  });
});

t.test("any sizes written read back the same, with the speech format", async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (chunkSize, dataSize) => {
        const result = parseRiffHeader(writeRiffHeader({ chunkSize, dataSize }));
        if (!result.ok) throw result.error;
        if (result.header.chunkSize !== chunkSize || result.header.dataSize !== dataSize) throw new Error("sizes read back differently");
        if (JSON.stringify(result.header.format) !== JSON.stringify(speechPcmFormat)) throw new Error("format read back differently");
      }),
    ),
  );
});

t.test("any 44 bytes either parse or give an ERR_RIFF_INVALID result, never throw", async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 60 }), (bytes) => {
        const result = parseRiffHeader(bytes);
        if (!result.ok && result.error.code !== "ERR_RIFF_INVALID") throw new Error(`unexpected code ${result.error.code}`);
      }),
    ),
  );
});
