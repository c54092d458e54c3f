import t from "tap";
import { CloseCode, headerMissing, ProtocolError, type ProtocolErrorCode } from "./errors.ts";

t.test("each code closes with its close code and reason, the documented ones word for word", async (t) => {
  const expected: Record<ProtocolErrorCode, [number, string]> = {
    ERR_FRAME_TRUNCATED: [1007, "Incorrect message format. Binary message has invalid header size prefix."],
    ERR_FRAME_HEADER_SIZE: [1007, "Incorrect message format. Binary message has invalid header size prefix."],
    ERR_HEADER_NOT_ASCII: [1007, "Incorrect message format. Binary message headers are not US-ASCII."],
    ERR_HEADER_SYNTAX: [1007, "Incorrect message format. Malformed header line."],
    ERR_HEADER_DUPLICATE: [1007, "Incorrect message format. Duplicate header."],
    ERR_HEADER_MISSING: [1002, "Missing/Empty header."],
    ERR_TEXT_NO_SEPARATOR: [1007, "Incorrect message format. Text message has no blank line after its headers."],
    ERR_TEXT_NOT_UTF8: [1007, "Incorrect message format. Text message is not valid UTF-8."],
    ERR_MESSAGE_TOO_LARGE: [1009, "Message too big."],
    ERR_RIFF_INVALID: [1007, "Unsupported audio format."],
    ERR_AUDIO_CONTENT_TYPE: [1007, "Unsupported audio format."],
    ERR_CONFIG_NOT_FIRST: [1002, "Invalid request. speech.config must be the first message."],
    ERR_REQUEST_ID_FORMAT: [1002, "Invalid request. X-RequestId header value was not specified in no-dash UUID format."],
    ERR_REQUEST_ID_REUSED: [1002, "Invalid request. Reuse of request identifiers is not allowed."],
    ERR_REQUEST_ID_MISMATCH: [1002, "Invalid request. X-RequestId does not match the turn in progress."],
    ERR_BODY_NOT_JSON: [1007, "Incorrect message format. Body is not a JSON object."],
    ERR_QUOTA_EXCEEDED: [1007, "Quota exceeded."],
  };
  for (const [code, [closeCode, closeReason]] of Object.entries(expected)) {
    const error = new ProtocolError(code as ProtocolErrorCode, "m");
    t.strictSame([error.closeCode, error.closeReason], [closeCode, closeReason], code);
    // A close frame's reason may be at most 123 bytes of UTF-8.
    t.ok(new TextEncoder().encode(closeReason).length <= 123, `${code} reason fits a close frame`);
  }
});

t.test("a ProtocolError is an Error named ProtocolError with its code, message and cause", async (t) => {
  const cause = new Error("inner");
  const error = new ProtocolError("ERR_HEADER_SYNTAX", "Cannot parse headers: x", { cause });
  t.ok(error instanceof Error);
  t.equal(error.name, "ProtocolError");
  t.equal(error.code, "ERR_HEADER_SYNTAX");
  t.equal(error.message, "Cannot parse headers: x");
  t.equal(error.cause, cause);
  t.equal(error.problem, undefined);
  t.notOk("cause" in new ProtocolError("ERR_HEADER_SYNTAX", "m"));
});

t.test("headerMissing gives the documented 1002 reason with the header's name", async (t) => {
  const error = headerMissing("Path");
  t.strictSame([error.code, error.closeCode, error.closeReason], ["ERR_HEADER_MISSING", 1002, "Missing/Empty header. Path."]);
  t.equal(error.message, 'Cannot accept message: header "Path" is missing or empty');
});

t.test("CloseCode names the codes the service and the mock's limits use", async (t) => {
  t.strictSame(CloseCode, {
    normal: 1000,
    protocolError: 1002,
    invalidPayload: 1007,
    policyViolation: 1008,
    messageTooBig: 1009,
    internalError: 1011,
  });
});
