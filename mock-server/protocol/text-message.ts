/**
 * Text messages: header lines, a blank line (CRLFCRLF), then the UTF-8 body.
 * `Path: turn.end\r\nX-RequestId: ...\r\n\r\n{...}`
 */
import { ProtocolError } from "./errors.ts";
import { type HeaderInit, type MessageHeaders, parseHeaderBlock, serializeHeaderBlock } from "./headers.ts";
import { defaultLimits, type ProtocolLimits } from "./limits.ts";

export const HEADER_BODY_SEPARATOR = "\r\n\r\n";

export interface TextMessage {
  readonly headers: MessageHeaders;
  readonly body: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes a text message, given as the string a WebSocket delivers or as its UTF-8 bytes. Splits
 * at the FIRST CRLFCRLF, as the SDK does; the body is everything after it.
 */
export const decodeTextMessage = (data: string | Uint8Array, limits: ProtocolLimits = defaultLimits): TextMessage => {
  const text = typeof data === "string" ? checkStringSize(data, limits) : decodeBytes(data, limits);
  const split = text.indexOf(HEADER_BODY_SEPARATOR);
  if (split === -1) {
    throw new ProtocolError("ERR_TEXT_NO_SEPARATOR", "Cannot parse text message: no blank line (CRLFCRLF) ends its headers");
  }
  return { headers: parseHeaderBlock(text.slice(0, split)), body: text.slice(split + HEADER_BODY_SEPARATOR.length) };
};

/**
 * Encodes a text message. Throws `TypeError` for a body containing CRLFCRLF (the SDK would cut
 * the body there) and for header names or values `MessageHeaders` refuses (CR or LF in a value).
 */
export const encodeTextMessage = (message: { readonly headers: HeaderInit; readonly body?: string }): string => {
  const body = message.body ?? "";
  const at = body.indexOf(HEADER_BODY_SEPARATOR);
  if (at !== -1) {
    throw new TypeError(`Cannot encode text message: body contains CRLFCRLF at index ${at}, where the SDK would cut it`);
  }
  return `${serializeHeaderBlock(message.headers)}${HEADER_BODY_SEPARATOR}${body}`;
};

/** Checks a string's UTF-8 size, counting it only when cheap bounds cannot decide. */
const checkStringSize = (text: string, limits: ProtocolLimits): string => {
  const limit = limits.textMessageBytes;
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes (a surrogate pair, two units, is 4 bytes).
  if (text.length * 3 <= limit) return text;
  if (text.length > limit) throw tooLarge(`at least ${text.length}`, limits);
  const bytes = utf8Length(text);
  if (bytes > limit) throw tooLarge(`${bytes}`, limits);
  return text;
};

const decodeBytes = (bytes: Uint8Array, limits: ProtocolLimits): string => {
  if (bytes.byteLength > limits.textMessageBytes) throw tooLarge(`${bytes.byteLength}`, limits);
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new ProtocolError("ERR_TEXT_NOT_UTF8", "Cannot parse text message: its bytes are not valid UTF-8", { cause });
  }
};

const utf8Length = (text: string): number => {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3; // includes a lone surrogate, which a WebSocket sends as U+FFFD (3 bytes)
  }
  return bytes;
};

const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

const tooLarge = (size: string, limits: ProtocolLimits) =>
  new ProtocolError("ERR_MESSAGE_TOO_LARGE", `Cannot accept text message: size ${size} bytes exceeds ${limits.textMessageBytes} bytes`);
