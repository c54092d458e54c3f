/**
 * Stable codes for every error speechmock raises to its callers. Wire errors (the bodies the
 * mock sends to clients) are data in `sts/bodies.ts`; these are for the people running the mock.
 */
export type MockErrorCode =
  /** A command-line flag is unknown, missing its value or has a bad value. */
  | "ERR_USAGE"
  /** A programmatic option has a bad value. */
  | "ERR_OPTION_INVALID"
  /** A fixtures file cannot be read. */
  | "ERR_FIXTURE_UNREADABLE"
  /** A fixtures file is not valid JSON or does not match its schema. */
  | "ERR_FIXTURE_INVALID"
  /** The server could not listen on the requested address. */
  | "ERR_LISTEN"
  /** A conformance expected-failures file is not valid JSON, does not match its schema, or names no case. */
  | "ERR_EXPECTATIONS_INVALID"
  /** A conformance report file (--junit, --json) cannot be written. */
  | "ERR_REPORT_UNWRITABLE"
  /** The TLS directory (--tls-dir) cannot be created, read or written. */
  | "ERR_TLS_DIR"
  /** The local CA in the TLS directory is corrupt, incomplete, mismatched or expired. */
  | "ERR_TLS_CA_INVALID"
  /** A --tls-cert or --tls-key file cannot be read, or is not a PEM certificate / private key, or they do not match. */
  | "ERR_TLS_CERT_INVALID";

/** The exit status the CLI uses for each code: 2 for bad input, 1 for failures at run time. */
export const exitCodeOf = (code: MockErrorCode): number => (code === "ERR_LISTEN" ? 1 : 2);

export class MockError extends Error {
  override name = "MockError";
  readonly code: MockErrorCode;

  constructor(code: MockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
