/**
 * Binary messages: a 2-byte big-endian length of the header block, the header block (US-ASCII,
 * at most 8192 bytes), then the payload. A payload of zero bytes is legal: it ends a turn's audio.
 * A header block that ends with a blank line (CRLF CRLF inside the prefix) is read too, and said
 * so: 2017-era Node clients wrote every block that way and the service took it (spec section 7).
 */
import { ProtocolError } from "./errors.ts";
import { CRLF, type HeaderInit, type MessageHeaders, parseHeaderBlock, serializeHeaderBlock } from "./headers.ts";
import { defaultLimits, type ProtocolLimits } from "./limits.ts";

export interface BinaryMessage {
  readonly headers: MessageHeaders;
  /** A view into the decoded message's bytes, not a copy: copy it before keeping it past the message. */
  readonly payload: Uint8Array;
  /** The header block ended with a blank line (CRLF CRLF), which the document does not foresee. */
  readonly trailingBlankLine: boolean;
}

/** How a header block with a trailing blank line ends. */
const BLANK_LINE_END = `${CRLF}${CRLF}`;

const PREFIX_BYTES = 2;

/** Decodes a binary message; limits are checked the moment each length is known. */
export const decodeBinaryMessage = (data: Uint8Array | ArrayBuffer, limits: ProtocolLimits = defaultLimits): BinaryMessage => {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < PREFIX_BYTES) {
    throw new ProtocolError(
      "ERR_FRAME_TRUNCATED",
      `Cannot parse binary message: ${bytes.byteLength} bytes is shorter than the 2-byte header size prefix`,
    );
  }
  const headerBytes = ((bytes[0] as number) << 8) | (bytes[1] as number);
  if (headerBytes > limits.headerBlockBytes) {
    throw new ProtocolError(
      "ERR_FRAME_HEADER_SIZE",
      `Cannot parse binary message: header size prefix ${headerBytes} exceeds ${limits.headerBlockBytes} bytes`,
    );
  }
  const payloadStart = PREFIX_BYTES + headerBytes;
  if (bytes.byteLength < payloadStart) {
    throw new ProtocolError(
      "ERR_FRAME_TRUNCATED",
      `Cannot parse binary message: header size prefix ${headerBytes} exceeds the ${bytes.byteLength - PREFIX_BYTES} bytes that follow it`,
    );
  }
  const payloadBytes = bytes.byteLength - payloadStart;
  if (payloadBytes > limits.binaryPayloadBytes) {
    throw new ProtocolError(
      "ERR_MESSAGE_TOO_LARGE",
      `Cannot accept binary message: payload ${payloadBytes} bytes exceeds ${limits.binaryPayloadBytes} bytes`,
    );
  }
  const block = ascii(bytes.subarray(PREFIX_BYTES, payloadStart));
  // One blank line at the end is dropped before parsing; parseHeaderBlock still refuses any other.
  const trailingBlankLine = block.endsWith(BLANK_LINE_END);
  const headers = parseHeaderBlock(trailingBlankLine ? block.slice(0, -CRLF.length) : block);
  return { headers, payload: bytes.subarray(payloadStart), trailingBlankLine };
};

/**
 * Encodes a binary message the way the SDK does: every header line ends with CRLF. Throws
 * `TypeError` for headers `MessageHeaders` refuses or that are not US-ASCII, and `RangeError` for
 * a header block over the limit. The payload is not limited, so tests can send oversized audio.
 */
export const encodeBinaryMessage = (
  message: { readonly headers: HeaderInit; readonly payload?: Uint8Array },
  limits: ProtocolLimits = defaultLimits,
): Uint8Array => {
  const block = serializeHeaderBlock(message.headers);
  const text = block === "" ? "" : `${block}${CRLF}`;
  if (text.length > limits.headerBlockBytes) {
    throw new RangeError(`Cannot encode binary message: header block ${text.length} bytes exceeds ${limits.headerBlockBytes} bytes`);
  }
  const payload = message.payload ?? new Uint8Array(0);
  const out = new Uint8Array(PREFIX_BYTES + text.length + payload.byteLength);
  out[0] = text.length >> 8;
  out[1] = text.length & 0xff;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      throw new TypeError(`Cannot encode binary message: header block character ${JSON.stringify(text[i])} at index ${i} is not US-ASCII`);
    }
    out[PREFIX_BYTES + i] = code;
  }
  out.set(payload, PREFIX_BYTES + text.length);
  return out;
};

const latin1 = new TextDecoder("latin1");

/** US-ASCII bytes as a string; any byte above 0x7F is an error. */
const ascii = (bytes: Uint8Array): string => {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte > 0x7f) {
      throw new ProtocolError(
        "ERR_HEADER_NOT_ASCII",
        `Cannot parse binary message: header byte 0x${byte.toString(16)} at offset ${PREFIX_BYTES + i} is not US-ASCII`,
      );
    }
  }
  // All below 0x80, where latin1 (windows-1252 in WHATWG terms) and ASCII agree: one call, one string.
  return latin1.decode(bytes);
};
