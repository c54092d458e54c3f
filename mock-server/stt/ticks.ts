/**
 * Time in the speech protocol: every `Offset` and `Duration` is a count of 100-nanosecond ticks
 * (spec section 4). Audio is 16 kHz mono, so one sample lasts exactly 625 ticks and every offset
 * derived from a sample count is an integer.
 */

/** Ticks in one millisecond. */
export const ticksPerMs = 10_000;

/** Ticks in one second. */
export const ticksPerSecond = 10_000_000;

/** Samples per second of the only accepted audio format (16 kHz, 16-bit, mono PCM). */
export const samplesPerSecond = 16_000;

/** Samples in one millisecond (16). */
export const samplesPerMs = samplesPerSecond / 1000;

/** Ticks in one sample (625). */
export const ticksPerSample = ticksPerSecond / samplesPerSecond;

/** The offset, in ticks, of the sample at `samples` from the start. */
export const samplesToTicks = (samples: number): number => samples * ticksPerSample;

/** A duration in milliseconds as ticks. */
export const msToTicks = (ms: number): number => ms * ticksPerMs;
