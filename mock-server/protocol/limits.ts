/**
 * Every size limit of the protocol codecs, in one place. The WebSocket layer's own cap (`ws`'s
 * `maxPayload`, 1 MiB) is a transport backstop; these are the service's limits, with its close
 * reasons, enforced by the codecs whatever the transport.
 */
export interface ProtocolLimits {
  /**
   * Largest header block of a binary message, in bytes. 8192 is the documented maximum (spec
   * section 4); the 2-byte prefix itself could announce up to 65535.
   */
  readonly headerBlockBytes: number;
  /**
   * Largest payload of one binary (audio) message, in bytes. The 2017 document caps audio chunks
   * at 8192 bytes and the JS SDK sends 3200 (100 ms of 16 kHz 16-bit mono). The default, 64 KiB,
   * is deliberately looser than the document: the service is not known to enforce 8192, other
   * clients may send larger chunks, and refusing them would be the mock's invention. It still
   * bounds what one message can make the server hold.
   */
  readonly binaryPayloadBytes: number;
  /**
   * Largest text message, in UTF-8 bytes (headers and body). No limit is documented. The SDK's
   * largest messages are `speech.config` and `speech.context` (one or two KiB, more with a phrase
   * list) and `telemetry` (a few KiB); 64 KiB leaves ample room for those while bounding memory.
   */
  readonly textMessageBytes: number;
}

export const defaultLimits: ProtocolLimits = Object.freeze({
  headerBlockBytes: 8192,
  binaryPayloadBytes: 64 * 1024,
  textMessageBytes: 64 * 1024,
});

/** The most a binary message's 2-byte big-endian prefix can express. */
export const maxHeaderPrefix = 0xffff;

/** Defaults filled in and every value checked; throws `RangeError` on nonsense. */
export const resolveLimits = (overrides: Partial<ProtocolLimits> = {}): ProtocolLimits => {
  const limits = { ...defaultLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Cannot use protocol limit ${name}: ${JSON.stringify(value)} is not a positive integer`);
    }
  }
  if (limits.headerBlockBytes > maxHeaderPrefix) {
    throw new RangeError(
      `Cannot use protocol limit headerBlockBytes: ${limits.headerBlockBytes} exceeds the 2-byte prefix maximum ${maxHeaderPrefix}`,
    );
  }
  return Object.freeze(limits);
};
