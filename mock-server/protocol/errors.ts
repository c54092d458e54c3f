/**
 * Errors raised while decoding what a client sent. Each carries a stable `code`, the WebSocket
 * close code to send and the reason text to send with it (websockets/ws does the same: the error
 * knows how the connection must end). Mistakes in the mock's own outgoing messages are programmer
 * errors and throw built-in `TypeError` / `RangeError` instead.
 */

/** WebSocket close codes the speech service uses (RFC 6455 section 7.4.1; spec section 5). */
export const CloseCode = {
  normal: 1000,
  protocolError: 1002,
  invalidPayload: 1007,
  messageTooBig: 1009,
  policyViolation: 1008,
  internalError: 1011,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export type ProtocolErrorCode =
  /** A binary message is shorter than its 2-byte prefix, or than the header block the prefix announces. */
  | "ERR_FRAME_TRUNCATED"
  /** A binary message's header size prefix exceeds the header block limit. */
  | "ERR_FRAME_HEADER_SIZE"
  /** A binary message's header block has a byte outside US-ASCII. */
  | "ERR_HEADER_NOT_ASCII"
  /** A header line is not `Name: value` (no colon, bad name, control character, blank line). */
  | "ERR_HEADER_SYNTAX"
  /** The same header name (compared case-insensitively) appears twice in one message. */
  | "ERR_HEADER_DUPLICATE"
  /** A header the protocol requires is absent or empty. */
  | "ERR_HEADER_MISSING"
  /** A text message has no blank line (CRLFCRLF) between its headers and its body. */
  | "ERR_TEXT_NO_SEPARATOR"
  /** A text message given as bytes is not valid UTF-8. */
  | "ERR_TEXT_NOT_UTF8"
  /** A message exceeds its size limit. */
  | "ERR_MESSAGE_TOO_LARGE"
  /** The first audio of a turn is not a canonical 16 kHz, 16-bit, mono PCM RIFF/WAVE header. */
  | "ERR_RIFF_INVALID"
  /** The first audio of a turn has a `Content-Type` other than `audio/x-wav`. */
  | "ERR_AUDIO_CONTENT_TYPE"
  /** A message other than `speech.config` came first on the connection. */
  | "ERR_CONFIG_NOT_FIRST"
  /** A second `speech.config` on one connection. */
  /** `X-RequestId` is not a UUID without dashes (32 hex digits). */
  | "ERR_REQUEST_ID_FORMAT"
  /** A turn starts with the request id of an earlier turn. */
  | "ERR_REQUEST_ID_REUSED"
  /** Audio or `speech.context` with another request id while a turn's audio is still open. */
  | "ERR_REQUEST_ID_MISMATCH"
  /** The body of `speech.config` or `speech.context` is not a JSON object. */
  | "ERR_BODY_NOT_JSON"
  /** The connection's resource is out of call volume quota. */
  | "ERR_QUOTA_EXCEEDED";

/** The documented reason for invalid binary framing (spec section 5). */
const invalidPrefix = "Incorrect message format. Binary message has invalid header size prefix.";

/**
 * How each code closes the socket. Reasons marked "documented" are the service's own texts (spec
 * section 5); the others are speechmock's wording in the same style, since the service's text for
 * those cases is not public. All stay under the 123-byte limit of a close frame's reason.
 */
const closes: Record<ProtocolErrorCode, { code: CloseCode; reason: string }> = {
  ERR_FRAME_TRUNCATED: { code: CloseCode.invalidPayload, reason: invalidPrefix }, // documented
  ERR_FRAME_HEADER_SIZE: { code: CloseCode.invalidPayload, reason: invalidPrefix }, // documented
  ERR_HEADER_NOT_ASCII: { code: CloseCode.invalidPayload, reason: "Incorrect message format. Binary message headers are not US-ASCII." },
  ERR_HEADER_SYNTAX: { code: CloseCode.invalidPayload, reason: "Incorrect message format. Malformed header line." },
  ERR_HEADER_DUPLICATE: { code: CloseCode.invalidPayload, reason: "Incorrect message format. Duplicate header." },
  // documented as "Missing/Empty header. {name}."; headerMissing() fills in the name.
  ERR_HEADER_MISSING: { code: CloseCode.protocolError, reason: "Missing/Empty header." },
  ERR_TEXT_NO_SEPARATOR: {
    code: CloseCode.invalidPayload,
    reason: "Incorrect message format. Text message has no blank line after its headers.",
  },
  ERR_TEXT_NOT_UTF8: { code: CloseCode.invalidPayload, reason: "Incorrect message format. Text message is not valid UTF-8." },
  ERR_MESSAGE_TOO_LARGE: { code: CloseCode.messageTooBig, reason: "Message too big." },
  ERR_RIFF_INVALID: { code: CloseCode.invalidPayload, reason: "Unsupported audio format." }, // documented
  ERR_AUDIO_CONTENT_TYPE: { code: CloseCode.invalidPayload, reason: "Unsupported audio format." }, // documented
  ERR_CONFIG_NOT_FIRST: { code: CloseCode.protocolError, reason: "Invalid request. speech.config must be the first message." },
  ERR_REQUEST_ID_FORMAT: {
    code: CloseCode.protocolError,
    reason: "Invalid request. X-RequestId header value was not specified in no-dash UUID format.", // documented
  },
  ERR_REQUEST_ID_REUSED: { code: CloseCode.protocolError, reason: "Invalid request. Reuse of request identifiers is not allowed." }, // documented
  ERR_REQUEST_ID_MISMATCH: {
    code: CloseCode.protocolError,
    reason: "Invalid request. X-RequestId does not match the turn in progress.",
  },
  ERR_BODY_NOT_JSON: { code: CloseCode.invalidPayload, reason: "Incorrect message format. Body is not a JSON object." },
  ERR_QUOTA_EXCEEDED: { code: CloseCode.invalidPayload, reason: "Quota exceeded." }, // documented
};

/** What a RIFF error names: the field, the value found and the value expected. */
export interface FieldProblem {
  readonly field: string;
  readonly expected: string | number;
  readonly actual: string | number;
}

export class ProtocolError extends Error {
  override name = "ProtocolError";
  readonly code: ProtocolErrorCode;
  /** The WebSocket close code to end the connection with. */
  readonly closeCode: CloseCode;
  /** The close frame's reason text. */
  readonly closeReason: string;
  /** Set when the error is about one field of a structure (the RIFF header). */
  readonly problem: FieldProblem | undefined;

  constructor(code: ProtocolErrorCode, message: string, options?: { closeReason?: string; problem?: FieldProblem; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.closeCode = closes[code].code;
    this.closeReason = options?.closeReason ?? closes[code].reason;
    this.problem = options?.problem;
  }
}

/** The documented 1002 error for a required header that is absent or empty: `Missing/Empty header. {name}.` */
export const headerMissing = (name: string): ProtocolError =>
  new ProtocolError("ERR_HEADER_MISSING", `Cannot accept message: header "${name}" is missing or empty`, {
    closeReason: `Missing/Empty header. ${name}.`,
  });
