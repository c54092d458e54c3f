/**
 * Frames that break RFC 6455, as the WebSocket layer (`ws`, on both runtimes) reports them. `ws`
 * fails the connection itself, sending the close code below with no reason, before the mock sees
 * the frame; this maps its documented error codes to the mock's stable codes, so the journal and
 * the log say what the client got and why. Runtime-free: it reads only the error's `code`.
 */
import { CloseCode } from "../protocol/errors.ts";

export type FrameErrorCode =
  | "ERR_FRAME_UNMASKED"
  | "ERR_FRAME_RSV"
  | "ERR_FRAME_OPCODE"
  | "ERR_FRAME_CONTROL"
  | "ERR_FRAME_CLOSE_CODE"
  | "ERR_TEXT_NOT_UTF8"
  | "ERR_FRAME_TOO_LARGE"
  | "ERR_PING_FLOOD";

export interface FrameFailure {
  readonly code: FrameErrorCode;
  /** The close code sent. */
  readonly closeCode: CloseCode;
  /** The close reason sent: none when `ws` failed the frame itself. */
  readonly closeReason?: string;
  readonly message: string;
}

/**
 * The error code the runtime adapter raises when a client sends pings faster than it reads the
 * pongs: more than `pingFloodBytes` of answers queued unread. `ws` would drop such a connection
 * without a close frame (after 60 unwritten pongs); the mock closes it `1008` and says why.
 */
export const pingFloodError = "SPEECHMOCK_PING_FLOOD";
export const pingFloodBytes = 1 << 20;

const failures: Record<string, FrameFailure> = {
  WS_ERR_EXPECTED_MASK: { code: "ERR_FRAME_UNMASKED", closeCode: CloseCode.protocolError, message: "A client frame was not masked" },
  WS_ERR_UNEXPECTED_MASK: {
    code: "ERR_FRAME_UNMASKED",
    closeCode: CloseCode.protocolError,
    message: "A frame was masked where it must not be",
  },
  WS_ERR_UNEXPECTED_RSV_1: {
    code: "ERR_FRAME_RSV",
    closeCode: CloseCode.protocolError,
    message: "RSV1 set without a negotiated extension",
  },
  WS_ERR_UNEXPECTED_RSV_2_3: { code: "ERR_FRAME_RSV", closeCode: CloseCode.protocolError, message: "RSV2 or RSV3 set" },
  WS_ERR_INVALID_OPCODE: { code: "ERR_FRAME_OPCODE", closeCode: CloseCode.protocolError, message: "A reserved or unexpected opcode" },
  WS_ERR_EXPECTED_FIN: { code: "ERR_FRAME_CONTROL", closeCode: CloseCode.protocolError, message: "A fragmented control frame" },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: {
    code: "ERR_FRAME_CONTROL",
    closeCode: CloseCode.protocolError,
    message: "A control frame with a payload over 125 bytes",
  },
  WS_ERR_INVALID_CLOSE_CODE: {
    code: "ERR_FRAME_CLOSE_CODE",
    closeCode: CloseCode.protocolError,
    message: "A close frame with an invalid code",
  },
  WS_ERR_INVALID_UTF8: {
    code: "ERR_TEXT_NOT_UTF8",
    closeCode: CloseCode.invalidPayload,
    message: "A text frame or close reason that is not UTF-8",
  },
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: {
    code: "ERR_FRAME_TOO_LARGE",
    closeCode: CloseCode.messageTooBig,
    message: "A frame or message over the WebSocket layer's 1 MiB limit",
  },
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: {
    code: "ERR_FRAME_TOO_LARGE",
    closeCode: CloseCode.messageTooBig,
    message: "A payload length over 2^53 - 1",
  },
  [pingFloodError]: {
    code: "ERR_PING_FLOOD",
    closeCode: CloseCode.policyViolation,
    closeReason: "Ping flood.",
    message: `Pings sent faster than their pongs are read: over ${pingFloodBytes} bytes queued unread`,
  },
  WS_ERR_TOO_MANY_BUFFERED_PARTS: {
    code: "ERR_FRAME_TOO_LARGE",
    closeCode: CloseCode.policyViolation,
    message: "A message in too many fragments, or too many chunks buffered",
  },
};

/** The failure a WebSocket layer error stands for, or `undefined` for any other error (a reset). */
export function frameFailure(error: unknown): FrameFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? failures[code] : undefined;
}
