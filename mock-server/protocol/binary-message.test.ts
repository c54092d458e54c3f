import fc from "fast-check";
import t from "tap";
import { decodeBinaryMessage, encodeBinaryMessage } from "./binary-message.ts";
import { resolveLimits } from "./limits.ts";

/** Bytes from hex, whitespace ignored: `hex("00 0d 50")`. */
const hex = (text: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array((text.replace(/\s+/g, "").match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16)));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");

// "Path: audio\r\n" is 13 (0x0d) bytes.
const pathAudio = "50 61 74 68 3a 20 61 75 64 69 6f 0d 0a";

t.test("decodeBinaryMessage", async (t) => {
  t.test("reads the big-endian header length, the headers and the payload", async (t) => {
    const message = decodeBinaryMessage(hex(`00 0d ${pathAudio} 01 02 ff`));
    t.strictSame([...message.headers], [["Path", "audio"]]);
    t.equal(toHex(message.payload), "01 02 ff");
  });

  t.test("reads the SDK's first audio message: Path, X-RequestId, X-Timestamp, Content-Type", async (t) => {
    const block =
      "Path: audio\r\nX-RequestId: 0123456789abcdef0123456789abcdef\r\nX-Timestamp: 2024-05-01T10:00:00.000Z\r\nContent-Type: audio/x-wav\r\n";
    t.equal(block.length, 0x7e);
    const bytes = new Uint8Array([0x00, 0x7e, ...Array.from(block, (c) => c.charCodeAt(0)), 0x52, 0x49, 0x46, 0x46]);
    const message = decodeBinaryMessage(bytes);
    t.strictSame(
      [message.headers.path, message.headers.requestId, message.headers.timestamp, message.headers.contentType],
      ["audio", "0123456789abcdef0123456789abcdef", "2024-05-01T10:00:00.000Z", "audio/x-wav"],
    );
    t.equal(toHex(message.payload), "52 49 46 46");
  });

  t.test("reports no trailing blank line for a block that ends with one CRLF, as the SDK writes it", async (t) => {
    t.equal(decodeBinaryMessage(hex(`00 0d ${pathAudio} 01`)).trailingBlankLine, false);
    t.equal(decodeBinaryMessage(hex("00 00 01")).trailingBlankLine, false);
  });

  t.test("reads a block ending with a blank line (CRLF CRLF inside the prefix), as 2017 Node clients wrote it, and says so", async (t) => {
    // "path:audio\r\n\r\n" is 14 (0x0e) bytes: lower-case, no space after the colon, then a blank line.
    const message = decodeBinaryMessage(hex("00 0e 70 61 74 68 3a 61 75 64 69 6f 0d 0a 0d 0a 52 49"));
    t.strictSame([...message.headers], [["path", "audio"]]);
    t.equal(message.trailingBlankLine, true);
    t.equal(toHex(message.payload), "52 49");
  });

  t.test("reads a block that is only a blank line as no headers, and says so", async (t) => {
    const message = decodeBinaryMessage(hex("00 04 0d 0a 0d 0a ff"));
    t.equal(message.headers.size, 0);
    t.equal(message.trailingBlankLine, true);
    t.equal(toHex(message.payload), "ff");
  });

  t.test("still refuses two blank lines at the end, or a blank line before another header", async (t) => {
    // "Path: audio\r\n\r\n\r\n"
    t.throws(() => decodeBinaryMessage(hex(`00 11 ${pathAudio} 0d 0a 0d 0a`)), {
      code: "ERR_HEADER_SYNTAX",
      message: 'Cannot parse headers: line "" has no colon',
      closeCode: 1007,
      closeReason: "Incorrect message format. Malformed header line.",
    });
    // "Path: audio\r\n\r\nP: a\r\n"
    t.throws(() => decodeBinaryMessage(hex(`00 15 ${pathAudio} 0d 0a 50 3a 20 61 0d 0a`)), { code: "ERR_HEADER_SYNTAX", closeCode: 1007 });
  });

  t.test("reads a header length above 255 from both prefix bytes", async (t) => {
    const block = `X-Pad: ${"a".repeat(291)}`; // 298 = 0x012a bytes
    const bytes = new Uint8Array([0x01, 0x2a, ...Array.from(block, (c) => c.charCodeAt(0)), 0x07]);
    const message = decodeBinaryMessage(bytes);
    t.equal(message.headers.get("x-pad")?.length, 291);
    t.equal(toHex(message.payload), "07");
  });

  t.test("reads a payload of zero bytes, which ends a turn's audio", async (t) => {
    const message = decodeBinaryMessage(hex(`00 0d ${pathAudio}`));
    t.equal(message.headers.path, "audio");
    t.equal(message.payload.byteLength, 0);
  });

  t.test("reads a zero header length as no headers", async (t) => {
    const message = decodeBinaryMessage(hex("00 00 aa bb"));
    t.equal(message.headers.size, 0);
    t.equal(toHex(message.payload), "aa bb");
  });

  t.test("accepts an ArrayBuffer and a view into a larger buffer", async (t) => {
    t.equal(decodeBinaryMessage(hex(`00 0d ${pathAudio} 09`).buffer).headers.path, "audio");
    const outer = hex(`ff ff 00 0d ${pathAudio} 09 ff`);
    const message = decodeBinaryMessage(outer.subarray(2, outer.length - 1));
    t.equal(message.headers.path, "audio");
    t.equal(toHex(message.payload), "09");
  });

  t.test("returns the payload as a view into the message, not a copy", async (t) => {
    const bytes = hex(`00 0d ${pathAudio} 01`);
    const { payload } = decodeBinaryMessage(bytes);
    t.equal(payload.buffer, bytes.buffer);
    t.equal(payload.byteOffset, 15);
  });

  t.test("refuses a message shorter than the 2-byte prefix with the documented 1007 close", async (t) => {
    for (const bytes of [hex(""), hex("00")]) {
      t.throws(() => decodeBinaryMessage(bytes), {
        name: "ProtocolError",
        code: "ERR_FRAME_TRUNCATED",
        message: `Cannot parse binary message: ${bytes.length} bytes is shorter than the 2-byte header size prefix`,
        closeCode: 1007,
        closeReason: "Incorrect message format. Binary message has invalid header size prefix.",
      });
    }
  });

  t.test("refuses a prefix announcing more header bytes than follow", async (t) => {
    t.throws(() => decodeBinaryMessage(hex("00 0e 50 61 74 68 3a 20 61 75 64 69 6f 0d 0a")), {
      code: "ERR_FRAME_TRUNCATED",
      message: "Cannot parse binary message: header size prefix 14 exceeds the 13 bytes that follow it",
      closeCode: 1007,
      closeReason: "Incorrect message format. Binary message has invalid header size prefix.",
    });
  });

  t.test("refuses a prefix over 8192 bytes before reading further", async (t) => {
    t.throws(() => decodeBinaryMessage(hex("23 28")), {
      code: "ERR_FRAME_HEADER_SIZE",
      message: "Cannot parse binary message: header size prefix 9000 exceeds 8192 bytes",
      closeCode: 1007,
      closeReason: "Incorrect message format. Binary message has invalid header size prefix.",
    });
    t.throws(() => decodeBinaryMessage(hex("ff ff")), { code: "ERR_FRAME_HEADER_SIZE", message: /prefix 65535 exceeds 8192/ });
  });

  t.test("accepts a header block of exactly 8192 bytes", async (t) => {
    const block = `X-Pad: ${"a".repeat(8192 - 7)}`;
    const bytes = new Uint8Array([0x20, 0x00, ...Array.from(block, (c) => c.charCodeAt(0))]);
    t.equal(decodeBinaryMessage(bytes).headers.get("X-Pad")?.length, 8185);
  });

  t.test("refuses a header byte outside US-ASCII", async (t) => {
    // "P: é" with é as UTF-8 c3 a9
    t.throws(() => decodeBinaryMessage(hex("00 05 50 3a 20 c3 a9")), {
      name: "ProtocolError",
      code: "ERR_HEADER_NOT_ASCII",
      message: "Cannot parse binary message: header byte 0xc3 at offset 5 is not US-ASCII",
      closeCode: 1007,
      closeReason: "Incorrect message format. Binary message headers are not US-ASCII.",
    });
  });

  t.test("refuses malformed header lines", async (t) => {
    // "Path audio" (no colon)
    t.throws(() => decodeBinaryMessage(hex("00 0a 50 61 74 68 20 61 75 64 69 6f")), { code: "ERR_HEADER_SYNTAX", closeCode: 1007 });
    // "P: a\r\np: b"
    t.throws(() => decodeBinaryMessage(hex("00 0a 50 3a 20 61 0d 0a 70 3a 20 62")), { code: "ERR_HEADER_DUPLICATE", closeCode: 1007 });
  });

  t.test("refuses a payload over the limit with 1009", async (t) => {
    const limits = resolveLimits({ binaryPayloadBytes: 3 });
    t.equal(decodeBinaryMessage(hex("00 00 01 02 03"), limits).payload.length, 3);
    t.throws(() => decodeBinaryMessage(hex("00 00 01 02 03 04"), limits), {
      name: "ProtocolError",
      code: "ERR_MESSAGE_TOO_LARGE",
      message: "Cannot accept binary message: payload 4 bytes exceeds 3 bytes",
      closeCode: 1009,
      closeReason: "Message too big.",
    });
  });

  t.test("allows a 64 KiB payload by default", async (t) => {
    const bytes = new Uint8Array(2 + 64 * 1024);
    t.equal(decodeBinaryMessage(bytes).payload.length, 64 * 1024);
    t.throws(() => decodeBinaryMessage(new Uint8Array(3 + 64 * 1024)), { code: "ERR_MESSAGE_TOO_LARGE" });
  });
});

t.test("encodeBinaryMessage", async (t) => {
  t.test("writes the big-endian header length, CRLF-terminated header lines and the payload, as the SDK does", async (t) => {
    t.equal(toHex(encodeBinaryMessage({ headers: { Path: "audio" }, payload: hex("01 02 ff") })), `00 0d ${pathAudio} 01 02 ff`);
  });

  t.test("writes a message with no payload, which ends a turn's audio", async (t) => {
    t.equal(toHex(encodeBinaryMessage({ headers: { Path: "audio" } })), `00 0d ${pathAudio}`);
  });

  t.test("writes no headers as a zero length", async (t) => {
    t.equal(toHex(encodeBinaryMessage({ headers: [], payload: hex("aa") })), "00 00 aa");
  });

  t.test("writes a header block of exactly 8192 bytes and refuses one byte more", async (t) => {
    const value = "a".repeat(8192 - 9); // "X-Pad: " + value + CRLF
    t.strictSame(Array.from(encodeBinaryMessage({ headers: { "X-Pad": value } }).subarray(0, 2)), [0x20, 0x00]);
    t.throws(() => encodeBinaryMessage({ headers: { "X-Pad": `${value}a` } }), {
      name: "RangeError",
      message: "Cannot encode binary message: header block 8193 bytes exceeds 8192 bytes",
    });
  });

  t.test("refuses a header that is not US-ASCII", async (t) => {
    t.throws(() => encodeBinaryMessage({ headers: { Path: "café" } }), {
      name: "TypeError",
      message: 'Cannot encode binary message: header block character "é" at index 9 is not US-ASCII',
    });
  });

  t.test("refuses a header value containing CR or LF", async (t) => {
    t.throws(() => encodeBinaryMessage({ headers: { Path: "audio\r\nX-Evil: 1" } }), TypeError);
  });
});

const asciiName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/);
const asciiValue = fc.stringMatching(/^[\t\x20-\x7e]{0,40}$/).map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ""));
const headerEntries = fc.uniqueArray(fc.tuple(asciiName, asciiValue), { selector: ([name]) => name.toLowerCase(), maxLength: 8 });

t.test("any ASCII headers and payload encode and decode back to the same message", async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(headerEntries, fc.uint8Array({ maxLength: 4096 }), (headers, payload) => {
        const message = decodeBinaryMessage(encodeBinaryMessage({ headers, payload }));
        if (JSON.stringify([...message.headers]) !== JSON.stringify(headers))
          throw new Error(`headers read back ${JSON.stringify([...message.headers])}`);
        if (toHex(message.payload) !== toHex(payload)) throw new Error("payload read back differently");
      }),
    ),
  );
});

t.test("any bytes either decode or fail with a ProtocolError, never another error", async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 2, maxLength: 2 }), (tail, prefix) => {
        // Small prefixes make the header block land inside the tail often.
        const bytes = new Uint8Array([0, (prefix[0] as number) % 64, ...tail]);
        try {
          decodeBinaryMessage(bytes);
        } catch (error) {
          if ((error as Error).name !== "ProtocolError") throw error;
        }
      }),
    ),
  );
});
