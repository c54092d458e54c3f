import fc from "fast-check";
import t from "tap";
import { ProtocolError } from "./errors.ts";
import { HeaderName, MessageHeaders, parseHeaderBlock, requireHeader, serializeHeaderBlock } from "./headers.ts";

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof ProtocolError ? error.code : `not a ProtocolError: ${error}`;
  }
  return undefined;
};

t.test("parseHeaderBlock", async (t) => {
  t.test("reads CRLF-separated Name: value lines in order, keeping the names' spelling", async (t) => {
    const headers = parseHeaderBlock(
      "Path: speech.config\r\nX-RequestId: 0123456789abcdef0123456789abcdef\r\nContent-Type: application/json",
    );
    t.strictSame(
      [...headers],
      [
        ["Path", "speech.config"],
        ["X-RequestId", "0123456789abcdef0123456789abcdef"],
        ["Content-Type", "application/json"],
      ],
    );
    t.equal(headers.size, 3);
  });

  t.test("looks names up case-insensitively", async (t) => {
    const headers = parseHeaderBlock("x-requestid: abc\r\nPATH: audio");
    t.equal(headers.get("X-RequestId"), "abc");
    t.equal(headers.get("path"), "audio");
    t.ok(headers.has("X-REQUESTID"));
    t.notOk(headers.has("X-Timestamp"));
    t.equal(headers.get("X-Timestamp"), undefined);
  });

  t.test("names the protocol's headers with getters", async (t) => {
    const headers = parseHeaderBlock("path: audio\r\nx-requestid: r\r\nx-timestamp: 2024-01-01T00:00:00.000Z\r\ncontent-type: audio/x-wav");
    t.strictSame(
      [headers.path, headers.requestId, headers.timestamp, headers.contentType],
      ["audio", "r", "2024-01-01T00:00:00.000Z", "audio/x-wav"],
    );
    t.strictSame([new MessageHeaders().path, new MessageHeaders().requestId], [undefined, undefined]);
    t.strictSame(HeaderName, { path: "Path", requestId: "X-RequestId", timestamp: "X-Timestamp", contentType: "Content-Type" });
  });

  t.test("drops spaces and tabs around a value but keeps those inside it", async (t) => {
    t.equal(parseHeaderBlock("Path:\t  a b \t").get("Path"), "a b");
    t.equal(parseHeaderBlock("Path:x").get("Path"), "x");
  });

  t.test("keeps colons after the first inside the value", async (t) => {
    t.equal(parseHeaderBlock("X-Timestamp: 2024-01-01T00:00:00Z").timestamp, "2024-01-01T00:00:00Z");
  });

  t.test("accepts an empty value", async (t) => {
    t.equal(parseHeaderBlock("Path:").get("Path"), "");
    t.equal(parseHeaderBlock("Path: ").get("Path"), "");
  });

  t.test("accepts one trailing CRLF, as the SDK writes in binary messages", async (t) => {
    t.strictSame([...parseHeaderBlock("Path: audio\r\n")], [["Path", "audio"]]);
  });

  t.test("reads an empty block, or a lone CRLF, as no headers", async (t) => {
    t.equal(parseHeaderBlock("").size, 0);
    t.equal(parseHeaderBlock("\r\n").size, 0);
  });

  t.test("accepts UTF-8 text in a value", async (t) => {
    t.equal(parseHeaderBlock("X-Note: café 😀").get("x-note"), "café 😀");
  });

  t.test("refuses a line without a colon", async (t) => {
    t.throws(() => parseHeaderBlock("Path: audio\r\nX-RequestId abc"), {
      name: "ProtocolError",
      code: "ERR_HEADER_SYNTAX",
      message: 'Cannot parse headers: line "X-RequestId abc" has no colon',
      closeCode: 1007,
      closeReason: "Incorrect message format. Malformed header line.",
    });
  });

  t.test("refuses an empty name, or a name with a space or a non-token character", async (t) => {
    t.throws(() => parseHeaderBlock(": v"), { code: "ERR_HEADER_SYNTAX", message: /name "" is not a token/ });
    t.throws(() => parseHeaderBlock("Path : v"), { code: "ERR_HEADER_SYNTAX", message: /name "Path " is not a token/ });
    t.throws(() => parseHeaderBlock(" Path: v"), { code: "ERR_HEADER_SYNTAX" });
    t.throws(() => parseHeaderBlock("Pa(th): v"), { code: "ERR_HEADER_SYNTAX" });
    t.throws(() => parseHeaderBlock("Pâth: v"), { code: "ERR_HEADER_SYNTAX" });
  });

  t.test("refuses a lone CR, a lone LF or another control character in a value", async (t) => {
    t.throws(() => parseHeaderBlock("Path: a\rb"), {
      code: "ERR_HEADER_SYNTAX",
      message: 'Cannot parse headers: value of "Path" "a\\rb" contains a control character (CR, LF or other)',
    });
    t.throws(() => parseHeaderBlock("Path: a\nX: b"), { code: "ERR_HEADER_SYNTAX" });
    t.throws(() => parseHeaderBlock("Path: a\u0000"), { code: "ERR_HEADER_SYNTAX" });
    t.throws(() => parseHeaderBlock("Path: a\u007f"), { code: "ERR_HEADER_SYNTAX" });
  });

  t.test("refuses a blank line inside the block and a second trailing CRLF", async (t) => {
    t.equal(
      codeOf(() => parseHeaderBlock("Path: a\r\n\r\nX: b")),
      "ERR_HEADER_SYNTAX",
    );
    t.equal(
      codeOf(() => parseHeaderBlock("Path: a\r\n\r\n")),
      "ERR_HEADER_SYNTAX",
    );
  });

  t.test("refuses a name given twice, whatever its case", async (t) => {
    t.throws(() => parseHeaderBlock("X-RequestId: a\r\nx-requestid: b"), {
      code: "ERR_HEADER_DUPLICATE",
      message: 'Cannot parse headers: name "x-requestid" appears more than once',
      closeCode: 1007,
      closeReason: "Incorrect message format. Duplicate header.",
    });
  });

  t.test("cuts a long offending line to 80 characters in the message", async (t) => {
    const error = t.throws(() => parseHeaderBlock("x".repeat(5000))) as Error;
    t.equal(error.message, `Cannot parse headers: line "${"x".repeat(80)}…" has no colon`);
  });
});

t.test("serializeHeaderBlock", async (t) => {
  t.test("writes Name: value lines joined by CRLF with no trailing CRLF", async (t) => {
    t.equal(
      serializeHeaderBlock([
        ["Path", "turn.end"],
        ["X-RequestId", "ab"],
      ]),
      "Path: turn.end\r\nX-RequestId: ab",
    );
    t.equal(serializeHeaderBlock({ Path: "turn.end", "X-RequestId": "ab" }), "Path: turn.end\r\nX-RequestId: ab");
    t.equal(serializeHeaderBlock(new MessageHeaders({ Path: "p" })), "Path: p");
  });

  t.test("writes an empty value after a colon and a space, and no headers as an empty string", async (t) => {
    t.equal(serializeHeaderBlock({ Path: "" }), "Path: ");
    t.equal(serializeHeaderBlock([]), "");
  });

  t.test("refuses CR or LF in a value, and names that are not tokens", async (t) => {
    t.throws(() => serializeHeaderBlock({ Path: "a\r\nX-Injected: 1" }), TypeError);
    t.throws(() => serializeHeaderBlock({ Path: "a\n" }), { name: "TypeError", message: /contains a control character/ });
    t.throws(() => serializeHeaderBlock({ "Bad Name": "v" }), {
      name: "TypeError",
      message: 'Cannot create header: name "Bad Name" is not a token' + " (letters, digits and !#$%&'*+-.^_`|~)",
    });
    t.throws(() => serializeHeaderBlock({ "": "v" }), TypeError);
  });

  t.test("refuses a value with leading or trailing whitespace, which would not read back the same", async (t) => {
    t.throws(() => serializeHeaderBlock({ Path: " a" }), {
      name: "TypeError",
      message: 'Cannot create header: value of Path " a" begins or ends with whitespace',
    });
    t.throws(() => serializeHeaderBlock({ Path: "a\t" }), TypeError);
  });

  t.test("refuses a name given twice, whatever its case", async (t) => {
    t.throws(
      () =>
        serializeHeaderBlock([
          ["Path", "a"],
          ["path", "b"],
        ]),
      { name: "TypeError", message: 'Cannot create header: name "path" is given twice' },
    );
  });
});

t.test("requireHeader", async (t) => {
  t.test("returns a present, non-empty value", async (t) => {
    t.equal(requireHeader(parseHeaderBlock("path: audio"), "Path"), "audio");
  });

  t.test("refuses an absent or empty header with the documented 1002 close", async (t) => {
    for (const block of ["", "X-RequestId: "]) {
      t.throws(() => requireHeader(parseHeaderBlock(block), "X-RequestId"), {
        name: "ProtocolError",
        code: "ERR_HEADER_MISSING",
        message: 'Cannot accept message: header "X-RequestId" is missing or empty',
        closeCode: 1002,
        closeReason: "Missing/Empty header. X-RequestId.",
      });
    }
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

t.test("any valid header set serialises and parses back to the same entries", async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(headerEntries, (entries) => {
        const back = [...parseHeaderBlock(serializeHeaderBlock(entries))];
        if (JSON.stringify(back) !== JSON.stringify(entries)) throw new Error(`read back ${JSON.stringify(back)}`);
      }),
    ),
  );
});
