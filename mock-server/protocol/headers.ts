/**
 * Header blocks of speech protocol messages: lines `Name: value` joined by CRLF. Names are
 * case-insensitive on lookup (the SDK lower-cases them) but keep their spelling for output.
 */
import { headerMissing, ProtocolError } from "./errors.ts";

export const CRLF = "\r\n";

/** The headers the protocol names, spelled as the SDK and the service write them. */
export const HeaderName = {
  path: "Path",
  requestId: "X-RequestId",
  timestamp: "X-Timestamp",
  contentType: "Content-Type",
} as const;

export type HeaderInit = MessageHeaders | Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

// An HTTP token (RFC 9110 section 5.6.2): what a header name may be.
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Whether `text` has a control character other than horizontal tab (CR and LF included). */
const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if ((unit < 0x20 && unit !== 0x09) || unit === 0x7f) return true;
  }
  return false;
};
const edgeSpace = /^[ \t]|[ \t]$/;

/** Why `name: value` is not a valid header line, or undefined when it is. */
const lineProblem = (name: string, value: string, quote: (text: string) => string = JSON.stringify): string | undefined => {
  if (!token.test(name)) return `name ${quote(name)} is not a token (letters, digits and !#$%&'*+-.^_\`|~)`;
  if (hasControl(value)) return `value of ${quote(name)} ${quote(value)} contains a control character (CR, LF or other)`;
  return undefined;
};

/** An ordered, immutable set of headers with case-insensitive lookup and no duplicate names. */
export class MessageHeaders implements Iterable<readonly [string, string]> {
  readonly #entries: ReadonlyArray<readonly [string, string]>;
  readonly #byName = new Map<string, string>();

  /** Throws `TypeError` for an invalid name or value (so output can always be parsed back) or a duplicate name. */
  constructor(init: HeaderInit = [], checked?: typeof alreadyChecked) {
    if (checked === alreadyChecked) {
      // From parseHeaderBlock, which has validated every line already: this runs per audio chunk.
      this.#entries = init as ReadonlyArray<readonly [string, string]>;
      for (const [name, value] of this.#entries) this.#byName.set(name.toLowerCase(), value);
      return;
    }
    const source = init instanceof MessageHeaders ? init : isIterable(init) ? init : Object.entries(init);
    const entries: (readonly [string, string])[] = [];
    for (const [name, value] of source) {
      const problem =
        lineProblem(name, value) ??
        (edgeSpace.test(value) ? `value of ${name} ${JSON.stringify(value)} begins or ends with whitespace` : undefined);
      if (problem) throw new TypeError(`Cannot create header: ${problem}`);
      const key = name.toLowerCase();
      if (this.#byName.has(key)) throw new TypeError(`Cannot create header: name ${JSON.stringify(name)} is given twice`);
      this.#byName.set(key, value);
      entries.push([name, value]);
    }
    this.#entries = entries;
  }

  /** The value of `name`, compared case-insensitively, or undefined. */
  get(name: string): string | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.#byName.has(name.toLowerCase());
  }

  get size(): number {
    return this.#entries.length;
  }

  [Symbol.iterator](): Iterator<readonly [string, string]> {
    return this.#entries[Symbol.iterator]();
  }

  get path(): string | undefined {
    return this.get(HeaderName.path);
  }

  get requestId(): string | undefined {
    return this.get(HeaderName.requestId);
  }

  get timestamp(): string | undefined {
    return this.get(HeaderName.timestamp);
  }

  get contentType(): string | undefined {
    return this.get(HeaderName.contentType);
  }
}

/** Lets parseHeaderBlock hand over lines it has validated, and nobody else. */
const alreadyChecked: unique symbol = Symbol("already checked");

const isIterable = (value: object): value is Iterable<readonly [string, string]> => Symbol.iterator in value;

/**
 * The value of a header the protocol requires. Throws the documented 1002 error
 * `Missing/Empty header. {name}.` when it is absent or empty.
 */
export const requireHeader = (headers: MessageHeaders, name: string): string => {
  const value = headers.get(name);
  if (value === undefined || value === "") throw headerMissing(name);
  return value;
};

/**
 * Parses a header block. One trailing CRLF is allowed (the SDK ends every line of a binary
 * message's block with one); an empty block has no headers. Optional spaces and tabs around a
 * value are dropped, as the SDK does. Stricter than the SDK on purpose: a line without a colon, a
 * name that is not a token, a control character, a blank line or a repeated name is an error.
 * (`decodeBinaryMessage` drops one blank line at the end of a block first, and reports it.)
 */
export const parseHeaderBlock = (block: string): MessageHeaders => {
  const text = block.endsWith(CRLF) ? block.slice(0, -CRLF.length) : block;
  if (text === "") return new MessageHeaders();
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const line of text.split(CRLF)) {
    const colon = line.indexOf(":");
    if (colon === -1) throw syntax(`line ${quoteClipped(line)} has no colon`);
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    const problem = lineProblem(name, value, quoteClipped);
    if (problem) throw syntax(problem);
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw new ProtocolError("ERR_HEADER_DUPLICATE", `Cannot parse headers: name ${quoteClipped(name)} appears more than once`);
    }
    seen.add(key);
    entries.push([name, value]);
  }
  return new MessageHeaders(entries, alreadyChecked);
};

/** Header lines joined by CRLF, without a trailing CRLF. Throws `TypeError` for what `MessageHeaders` refuses. */
export const serializeHeaderBlock = (headers: HeaderInit): string => {
  const valid = headers instanceof MessageHeaders ? headers : new MessageHeaders(headers);
  let out = "";
  for (const [name, value] of valid) out += `${out === "" ? "" : CRLF}${name}: ${value}`;
  return out;
};

const syntax = (problem: string) => new ProtocolError("ERR_HEADER_SYNTAX", `Cannot parse headers: ${problem}`);

/** Client-supplied text quoted in a message, cut so one bad line cannot flood a log. */
const clip = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max)}…` : text);
const quoteClipped = (text: string): string => JSON.stringify(clip(text));
