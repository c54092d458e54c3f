/**
 * What a `synthesis.context` message asks for: which metadata the client wants and the output
 * format. The JS SDK sends three of the switches as the strings "true"/"false" and three as
 * booleans (tts-and-timing.md 2.2: `PropertyCollection.getProperty` stringifies its defaults), so
 * each switch takes both. Pure: a test gives it the parsed body.
 */

/** The metadata a turn sends, each only when asked for. */
export interface MetadataOptions {
  readonly wordBoundary: boolean;
  readonly punctuationBoundary: boolean;
  readonly sentenceBoundary: boolean;
  readonly bookmark: boolean;
  readonly viseme: boolean;
  readonly sessionEnd: boolean;
}

export interface SynthesisContext {
  readonly metadata: MetadataOptions;
  /** The requested output format as sent (a `raw-*` one for the SDK's `riff-*`), or undefined when none was named. */
  readonly outputFormat: string | undefined;
}

/**
 * Without a `synthesis.context`: no boundaries, but `SessionEnd`, which the SDK asks for by
 * default (its `sessionEndEnabled` is `true` unless turned off). UNCONFIRMED for the service;
 * the mock's default.
 */
export const defaultMetadata: MetadataOptions = Object.freeze({
  wordBoundary: false,
  punctuationBoundary: false,
  sentenceBoundary: false,
  bookmark: false,
  viseme: false,
  sessionEnd: true,
});

/** The format a turn gets when its context names none: what the SDK on Node requests by default (UNCONFIRMED for the service). */
export const defaultOutputFormat = "raw-16khz-16bit-mono-pcm";

/** A switch as the SDK sends it: `true`, `"true"` (any case) or their opposites; anything else is the default. */
export function readSwitch(value: unknown, fallback: boolean): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  return fallback;
}

const objectAt = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** Reads a `synthesis.context` body (already a JSON object); fields it lacks keep their defaults. */
export function parseSynthesisContext(body: Record<string, unknown>): SynthesisContext {
  const audio = objectAt(objectAt(body.synthesis)?.audio);
  const options = objectAt(audio?.metadataOptions) ?? {};
  const d = defaultMetadata;
  const wordBoundary = readSwitch(options.wordBoundaryEnabled, d.wordBoundary);
  const metadata: MetadataOptions = {
    wordBoundary,
    // An older SDK sends only wordBoundaryEnabled; punctuation then follows it, as today's SDK sets both together.
    punctuationBoundary: readSwitch(options.punctuationBoundaryEnabled, wordBoundary),
    sentenceBoundary: readSwitch(options.sentenceBoundaryEnabled, d.sentenceBoundary),
    bookmark: readSwitch(options.bookmarkEnabled, d.bookmark),
    viseme: readSwitch(options.visemeEnabled, d.viseme),
    sessionEnd: readSwitch(options.sessionEndEnabled, d.sessionEnd),
  };
  const format = audio?.outputFormat;
  return { metadata, outputFormat: typeof format === "string" && format !== "" ? format : undefined };
}
