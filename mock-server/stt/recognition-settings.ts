import type { RecognitionMode, TurnMode } from "./endpoints.ts";

export type OutputFormat = "simple" | "detailed";
export type ProfanityOption = "masked" | "removed" | "raw";

/** How one connection's turns are recognized, read from its handshake URL. */
export interface RecognitionSettings {
  /** From the path; `universal` becomes a mode per turn from `speech.context` (interactive if it names none). */
  readonly mode: RecognitionMode;
  readonly language: string;
  readonly format: OutputFormat;
  readonly profanity: ProfanityOption;
  /** Silence-only audio this long ends with `InitialSilenceTimeout` (interactive: as soon as it is reached). */
  readonly initialSilenceTimeoutMs: number;
  /** `segmentationSilenceTimeoutMs`: silence that ends an utterance, in every mode. */
  readonly segmentationSilenceTimeoutMs?: number;
  /** `endSilenceTimeoutMs`: silence that ends an interactive turn's one utterance. */
  readonly endSilenceTimeoutMs?: number;
}

export const recognitionDefaults = {
  format: "simple",
  profanity: "masked",
  /** The service's documented default for the initial silence timeout. */
  initialSilenceTimeoutMs: 5000,
  /** The service's default segmentation silence. */
  segmentationSilenceMs: 500,
} as const satisfies Partial<RecognitionSettings> & { segmentationSilenceMs: number };

/** Bounds the service documents for `segmentationSilenceTimeoutMs`; the mock uses them for every silence parameter. */
const silenceRange = { min: 100, max: 5000 } as const;

export type SettingsResult =
  | { readonly ok: true; readonly settings: RecognitionSettings }
  | { readonly ok: false; readonly detail: string };

const oneOf = <T extends string>(url: URL, name: string, values: readonly T[], fallback: T): T | { detail: string } => {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = raw.toLowerCase();
  if ((values as readonly string[]).includes(value)) return value as T;
  return { detail: `Invalid ${name} ${JSON.stringify(raw.slice(0, 64))}: expected one of ${values.join(", ")}` };
};

const milliseconds = (url: URL, name: string, range: { min: number; max: number }): number | undefined | { detail: string } => {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < range.min || Number(raw) > range.max) {
    return { detail: `Invalid ${name} ${JSON.stringify(raw.slice(0, 64))}: expected whole milliseconds from ${range.min} to ${range.max}` };
  }
  return Number(raw);
};

const isProblem = (value: unknown): value is { detail: string } => typeof value === "object" && value !== null;

/**
 * The recognition parameters of a handshake URL (spec section 3). `language` is checked by the
 * handshake itself; here only the parameters that shape results. An unknown value is refused
 * rather than ignored, so a typo in a client shows up at once.
 */
export function parseRecognitionSettings(url: URL, mode: RecognitionMode): SettingsResult {
  const format = oneOf<OutputFormat>(url, "format", ["simple", "detailed"], recognitionDefaults.format);
  const profanity = oneOf<ProfanityOption>(url, "profanity", ["masked", "removed", "raw"], recognitionDefaults.profanity);
  const initial = milliseconds(url, "initialSilenceTimeoutMs", { min: 1, max: 60_000 });
  const end = milliseconds(url, "endSilenceTimeoutMs", silenceRange);
  const segmentation = milliseconds(url, "segmentationSilenceTimeoutMs", silenceRange);
  for (const value of [format, profanity, initial, end, segmentation]) if (isProblem(value)) return { ok: false, detail: value.detail };
  const settings: RecognitionSettings = {
    mode,
    language: url.searchParams.get("language") ?? "",
    format: format as OutputFormat,
    profanity: profanity as ProfanityOption,
    initialSilenceTimeoutMs: (initial as number | undefined) ?? recognitionDefaults.initialSilenceTimeoutMs,
    ...(segmentation === undefined ? {} : { segmentationSilenceTimeoutMs: segmentation as number }),
    ...(end === undefined ? {} : { endSilenceTimeoutMs: end as number }),
  };
  return { ok: true, settings };
}

/**
 * The silence that ends an utterance in a turn of this mode: the segmentation silence if given;
 * for an interactive turn, else its end silence; else the service's default. Per turn, because on
 * the universal endpoint only `speech.context` says which mode a turn is.
 */
export const silenceMsFor = (settings: RecognitionSettings, mode: TurnMode): number =>
  settings.segmentationSilenceTimeoutMs ??
  (mode === "interactive" ? settings.endSilenceTimeoutMs : undefined) ??
  recognitionDefaults.segmentationSilenceMs;

/** The timeouts one turn runs with. */
export interface TurnTimeouts {
  readonly initialSilenceTimeoutMs: number;
  /** Silence after speech that ends an utterance. */
  readonly segmentationSilenceMs: number;
}

/**
 * A turn's timeouts. The SDK sends them twice, in the handshake's query and in `speech.context`
 * (`phraseDetection.initialSilenceTimeout`, `.trailingSilenceTimeout`, and
 * `.<mode>.segmentation.segmentationSilenceTimeoutMs`); the JSON wins (spec tts-and-timing 3.1). A
 * JSON value out of the documented range is ignored rather than refused: the service's own checks
 * are not public, and the query has been validated already.
 */
export function turnTimeouts(settings: RecognitionSettings, mode: TurnMode, context?: Record<string, unknown>): TurnTimeouts {
  const detection = objectAt(context, "phraseDetection");
  const segmentation = objectAt(objectAt(detection, mode), "segmentation");
  const json = {
    initial: msAt(detection, "initialSilenceTimeout", { min: 1, max: 60_000 }),
    trailing: msAt(detection, "trailingSilenceTimeout", silenceRange),
    segmentation: msAt(segmentation, "segmentationSilenceTimeoutMs", silenceRange),
  };
  const fromQuery = silenceMsFor(settings, mode);
  return {
    initialSilenceTimeoutMs: json.initial ?? settings.initialSilenceTimeoutMs,
    segmentationSilenceMs:
      json.segmentation ??
      (settings.segmentationSilenceTimeoutMs === undefined && mode === "interactive" ? json.trailing : undefined) ??
      fromQuery,
  };
}

const objectAt = (value: unknown, key: string): Record<string, unknown> | undefined => {
  const inner = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof inner === "object" && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
};

const msAt = (value: Record<string, unknown> | undefined, key: string, range: { min: number; max: number }): number | undefined => {
  const raw = value?.[key];
  return typeof raw === "number" && Number.isInteger(raw) && raw >= range.min && raw <= range.max ? raw : undefined;
};
