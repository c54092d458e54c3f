import fc from "fast-check";
import t from "tap";
import { resolveLimits } from "./limits.ts";
import { decodeTextMessage, encodeTextMessage } from "./text-message.ts";

const entries = (message: { headers: Iterable<readonly [string, string]> }) => [...message.headers];

t.test("decodeTextMessage", async (t) => {
  t.test("reads the headers before the first CRLFCRLF and the body after it", async (t) => {
    const message = decodeTextMessage(
      'Path: speech.config\r\nX-RequestId: 0123456789ABCDEF0123456789ABCDEF\r\nX-Timestamp: 2024-05-01T10:00:00.000Z\r\nContent-Type: application/json\r\n\r\n{"context":{}}',
    );
    t.strictSame(entries(message), [
      ["Path", "speech.config"],
      ["X-RequestId", "0123456789ABCDEF0123456789ABCDEF"],
      ["X-Timestamp", "2024-05-01T10:00:00.000Z"],
      ["Content-Type", "application/json"],
    ]);
    t.equal(message.body, '{"context":{}}');
    t.equal(message.headers.path, "speech.config");
  });

  t.test("keeps a later CRLFCRLF as part of the body", async (t) => {
    t.equal(decodeTextMessage("Path: telemetry\r\n\r\na\r\n\r\nb").body, "a\r\n\r\nb");
  });

  t.test("keeps a body that starts with CRLF", async (t) => {
    t.equal(decodeTextMessage("Path: x\r\n\r\n\r\nb").body, "\r\nb");
  });

  t.test("reads an empty body, as in turn.end", async (t) => {
    const message = decodeTextMessage("Path: turn.end\r\nX-RequestId: ab\r\n\r\n");
    t.equal(message.body, "");
    t.equal(message.headers.requestId, "ab");
  });

  t.test("reads a message that is only the separator as no headers and an empty body", async (t) => {
    t.strictSame(entries(decodeTextMessage("\r\n\r\n")), []);
  });

  t.test("decodes UTF-8 bytes the same as the string", async (t) => {
    // "Path: x\r\n\r\ncafé"
    const bytes = new Uint8Array([0x50, 0x61, 0x74, 0x68, 0x3a, 0x20, 0x78, 0x0d, 0x0a, 0x0d, 0x0a, 0x63, 0x61, 0x66, 0xc3, 0xa9]);
    const message = decodeTextMessage(bytes);
    t.equal(message.headers.path, "x");
    t.equal(message.body, "café");
  });

  t.test("refuses a message without a blank line after its headers", async (t) => {
    t.throws(() => decodeTextMessage("Path: speech.config\r\n{}"), {
      name: "ProtocolError",
      code: "ERR_TEXT_NO_SEPARATOR",
      message: "Cannot parse text message: no blank line (CRLFCRLF) ends its headers",
      closeCode: 1007,
      closeReason: "Incorrect message format. Text message has no blank line after its headers.",
    });
    t.throws(() => decodeTextMessage("Path: x\n\n{}"), { code: "ERR_TEXT_NO_SEPARATOR" });
    t.throws(() => decodeTextMessage(""), { code: "ERR_TEXT_NO_SEPARATOR" });
  });

  t.test("refuses malformed header lines", async (t) => {
    t.throws(() => decodeTextMessage("Path speech.config\r\n\r\n{}"), { code: "ERR_HEADER_SYNTAX", closeCode: 1007 });
    t.throws(() => decodeTextMessage("Path: a\r\npath: b\r\n\r\n"), { code: "ERR_HEADER_DUPLICATE", closeCode: 1007 });
  });

  t.test("refuses bytes that are not UTF-8", async (t) => {
    // "P: x\r\n\r\n" then 0xC3 0x28, an invalid two-byte sequence
    const bytes = new Uint8Array([0x50, 0x3a, 0x20, 0x78, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3, 0x28]);
    t.throws(() => decodeTextMessage(bytes), {
      name: "ProtocolError",
      code: "ERR_TEXT_NOT_UTF8",
      message: "Cannot parse text message: its bytes are not valid UTF-8",
      closeCode: 1007,
      closeReason: "Incorrect message format. Text message is not valid UTF-8.",
    });
  });

  t.test("refuses a message over the limit, counting UTF-8 bytes", async (t) => {
    const limits = resolveLimits({ textMessageBytes: 20 });
    const expected = (size: string) => ({
      code: "ERR_MESSAGE_TOO_LARGE",
      message: `Cannot accept text message: size ${size} bytes exceeds 20 bytes`,
      closeCode: 1009,
      closeReason: "Message too big.",
    });
    // "P: x\r\n\r\n" is 8 bytes.
    t.equal(decodeTextMessage("P: x\r\n\r\n123456789012", limits).body, "123456789012"); // exactly 20 bytes
    t.throws(() => decodeTextMessage("P: x\r\n\r\n1234567890123", limits), expected("at least 21"));
    t.equal(decodeTextMessage("P: x\r\n\r\nééé😀12", limits).body, "ééé😀12"); // 8 + 6 + 4 + 2 = 20 bytes from 15 code units
    t.throws(() => decodeTextMessage("P: x\r\n\r\nééé😀123", limits), expected("21"));
    t.throws(() => decodeTextMessage(new TextEncoder().encode("P: x\r\n\r\nééé😀123"), limits), expected("21"));
    t.equal(decodeTextMessage(new TextEncoder().encode("P: x\r\n\r\nééé😀12"), limits).body, "ééé😀12");
  });

  t.test("allows 64 KiB by default", async (t) => {
    const body = "a".repeat(64 * 1024 - 8);
    t.equal(decodeTextMessage(`P: x\r\n\r\n${body}`).body.length, body.length);
    t.throws(() => decodeTextMessage(`P: x\r\n\r\n${body}a`), { code: "ERR_MESSAGE_TOO_LARGE" });
  });
});

t.test("encodeTextMessage", async (t) => {
  t.test("writes header lines, CRLFCRLF and the body", async (t) => {
    t.equal(
      encodeTextMessage({
        headers: { Path: "turn.start", "X-RequestId": "ab", "Content-Type": "application/json; charset=utf-8" },
        body: "{}",
      }),
      "Path: turn.start\r\nX-RequestId: ab\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{}",
    );
  });

  t.test("writes an absent body as empty", async (t) => {
    t.equal(encodeTextMessage({ headers: [["Path", "turn.end"]] }), "Path: turn.end\r\n\r\n");
  });

  t.test("refuses a body containing CRLFCRLF, which the SDK would cut", async (t) => {
    t.throws(() => encodeTextMessage({ headers: { Path: "x" }, body: '{"a":\r\n\r\n1}' }), {
      name: "TypeError",
      message: "Cannot encode text message: body contains CRLFCRLF at index 5, where the SDK would cut it",
    });
  });

  t.test("accepts a body with lone CRLFs", async (t) => {
    t.equal(encodeTextMessage({ headers: { Path: "x" }, body: "a\r\nb\r\n" }), "Path: x\r\n\r\na\r\nb\r\n");
  });

  t.test("refuses a header value containing CR or LF", async (t) => {
    t.throws(() => encodeTextMessage({ headers: { Path: "x\r\nX-Evil: 1" }, body: "" }), TypeError);
    t.throws(() => encodeTextMessage({ headers: { Path: "x\r" }, body: "" }), TypeError);
  });
});

/** `text` without control characters other than tab, which a header value may not hold. */
const withoutControls = (text: string): string =>
  Array.from(text)
    .filter((c) => c === "\t" || (c.charCodeAt(0) >= 0x20 && c !== "\u007f"))
    .join("");
const tokenName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/);
const textValue = fc
  .string({ unit: fc.oneof(fc.constantFrom(" ", "\t", ":", "é", "😀"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })) })
  .map((s) => withoutControls(s).replace(/^[ \t]+|[ \t]+$/g, ""));
const headerEntries = fc.uniqueArray(fc.tuple(tokenName, textValue), { selector: ([name]) => name.toLowerCase(), maxLength: 8 });
// Bodies rich in CR and LF, so separators near the boundary are exercised.
const body = fc
  .string({
    unit: fc.oneof(fc.constantFrom("\r", "\n", "\r\n", "a", "é", "😀"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
  })
  .filter((s) => !s.includes("\r\n\r\n"));

t.test("any valid headers and body encode and decode back to the same message, as a string and as UTF-8 bytes", async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(headerEntries, body, (headers, body) => {
        const text = encodeTextMessage({ headers, body });
        for (const message of [
          decodeTextMessage(text, resolveLimits({ textMessageBytes: 1 << 20 })),
          decodeTextMessage(new TextEncoder().encode(text)),
        ]) {
          const back = JSON.stringify([[...message.headers], message.body]);
          if (back !== JSON.stringify([headers, body])) throw new Error(`read back ${back}`);
        }
      }),
    ),
  );
});
