/**
 * What the service answers once it knows what a turn's audio held: the messages between
 * `turn.start` and `turn.end` (spec section 4), as paths and JSON bodies. Pure: the same audio,
 * transcript and settings always give the same messages.
 */

import type { Transcript } from "../transcripts/lookup.ts";
import type { Phrase } from "../transcripts/schema.ts";
import type { TurnMode } from "./endpoints.ts";
import { applyProfanity } from "./profanity.ts";
import type { OutputFormat, ProfanityOption } from "./recognition-settings.ts";
import { msToTicks } from "./ticks.ts";

export type { TurnMode } from "./endpoints.ts";

export interface ResponseSettings {
  readonly mode: TurnMode;
  readonly format: OutputFormat;
  readonly profanity: ProfanityOption;
  readonly profaneWords: ReadonlySet<string>;
  readonly initialSilenceTimeoutMs: number;
}

export interface ServiceMessage {
  readonly path: string;
  /** JSON text, or "" for an empty body. */
  readonly body: string;
}

/** One stretch of speech, in 100 ns ticks from the start of its turn's audio. */
export interface Segment {
  readonly start: number;
  readonly end: number;
}

/** What a turn's audio turned out to hold once it ended. */
export interface HeardAudio {
  readonly segments: readonly Segment[];
  /** Length of the PCM, in ticks. */
  readonly audioTicks: number;
  /** Lower-case hex SHA-256 of the PCM (the bytes after the RIFF header): the key of the transcripts file. */
  readonly sha256: string;
}

export type RecognitionStatus = "Success" | "NoMatch" | "InitialSilenceTimeout" | "EndOfDictation";

/** A hypothesis about every 300 ms of audio (spec section 4). */
export const hypothesisIntervalTicks = msToTicks(300);

/** Confidence reported for a phrase whose transcript names none. */
export const defaultConfidence = 0.9;

/** A stretch of speech and what it is heard as (no phrase: NoMatch). */
export type Span = Segment & { readonly phrase?: Phrase };

/** Messages from `speech.startDetected` to `speech.endDetected` for one turn. */
export function recognitionMessages(heard: HeardAudio, transcript: Transcript, settings: ResponseSettings): ServiceMessage[] {
  const all = spansOf(heard, transcript);
  const spans = settings.mode === "interactive" ? all.slice(0, 1) : all;
  const out: ServiceMessage[] = [];
  const first = spans[0];
  if (first === undefined) {
    // Nothing was said: the service reports silence, and never a start of speech.
    const timedOut = heard.audioTicks >= msToTicks(settings.initialSilenceTimeoutMs);
    const duration = timedOut ? msToTicks(settings.initialSilenceTimeoutMs) : heard.audioTicks;
    out.push(phrase({ RecognitionStatus: timedOut ? "InitialSilenceTimeout" : "NoMatch", Offset: 0, Duration: duration }));
  } else {
    out.push({ path: "speech.startDetected", body: JSON.stringify({ Offset: first.start }) });
    for (const span of spans) {
      if (span.phrase === undefined) {
        out.push(phrase({ RecognitionStatus: "NoMatch", Offset: span.start, Duration: span.end - span.start }));
      } else {
        out.push(...hypotheses(span, span.phrase, settings), recognized(span, span.phrase, settings));
      }
    }
  }
  if (settings.mode === "dictation") {
    out.push(phrase({ RecognitionStatus: "EndOfDictation", Offset: heard.audioTicks, Duration: 0 }));
  }
  const endOffset = settings.mode === "interactive" && first !== undefined ? first.end : heard.audioTicks;
  out.push({ path: "speech.endDetected", body: JSON.stringify({ Offset: endOffset }) });
  return out;
}

/** The phrases of the transcript laid over the speech the detector found. */
export function spansOf(heard: HeardAudio, transcript: Transcript): Span[] {
  const { segments } = heard;
  if (transcript.kind === "noMatch") return [...segments];
  if (transcript.kind === "text") {
    const lexical = lexicalOf(transcript.text);
    const fixed: Phrase = { display: transcript.text, lexical, itn: lexical, maskedItn: lexical };
    return segments.map((s) => ({ ...s, phrase: fixed }));
  }
  const { phrases } = transcript;
  if (segments.length === phrases.length) return segments.map((s, i) => ({ ...s, phrase: phrases[i] as Phrase }));
  // The detector and the script disagree (a quiet clip, a pause inside a sentence): share the
  // speech out among the phrases by their number of words, so each still gets its own result.
  const from = segments[0]?.start ?? 0;
  const to = segments.at(-1)?.end ?? heard.audioTicks;
  const words = phrases.map((p) => Math.max(1, p.lexical.split(" ").length));
  const total = words.reduce((a, b) => a + b, 0);
  let done = 0;
  return phrases.map((p, i) => {
    const start = from + Math.round(((to - from) * done) / total);
    done += words[i] as number;
    return { start, end: from + Math.round(((to - from) * done) / total), phrase: p };
  });
}

/** Hypotheses that grow word by word, one for about every 300 ms of the phrase's audio. */
export function hypotheses(span: Segment, p: Phrase, settings: ResponseSettings): ServiceMessage[] {
  const words = applyProfanity(p.itn, settings.profanity, settings.profaneWords).split(" ").filter(Boolean);
  const duration = span.end - span.start;
  const steps = Math.max(1, Math.floor(duration / hypothesisIntervalTicks));
  const out: ServiceMessage[] = [];
  let shown = 0;
  for (let step = 1; step <= steps; step++) {
    const count = Math.ceil((step * words.length) / steps);
    if (count === shown) continue;
    shown = count;
    const body = {
      Text: words.slice(0, count).join(" "),
      Offset: span.start,
      Duration: Math.min(step * hypothesisIntervalTicks, duration),
    };
    out.push({ path: "speech.hypothesis", body: JSON.stringify(body) });
  }
  return out;
}

export function recognized(span: Segment, p: Phrase, settings: ResponseSettings): ServiceMessage {
  const clean = (text: string) => applyProfanity(text, settings.profanity, settings.profaneWords);
  const display = clean(p.display);
  const timing = { Offset: span.start, Duration: span.end - span.start };
  if (settings.format === "simple") return phrase({ RecognitionStatus: "Success", DisplayText: display, ...timing });
  return phrase({
    RecognitionStatus: "Success",
    ...timing,
    DisplayText: display,
    NBest: [
      {
        Confidence: p.confidence ?? defaultConfidence,
        Lexical: clean(p.lexical),
        ITN: clean(p.itn),
        // MaskedITN is masked whatever the profanity parameter says: that is what it is for.
        MaskedITN: applyProfanity(p.maskedItn, "masked", settings.profaneWords),
        Display: display,
      },
    ],
  });
}

export const phrase = (body: { RecognitionStatus: RecognitionStatus } & Record<string, unknown>): ServiceMessage => ({
  path: "speech.phrase",
  body: JSON.stringify(body),
});

/** A fixed fallback text's lexical form: lower case, punctuation dropped. */
export const lexicalOf = (text: string): string => (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).join(" ");
