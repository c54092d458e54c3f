/**
 * When each word is spoken: SSML tokens to timed segments (what `renderSpeech` draws) and the
 * boundary events that mark them. Pure. A word lasts `60000 / (wordsPerMinute x rate)` ms scaled
 * by its length (an average word of 5 letters gets the plain share), and never less than the
 * synthetic speech needs to carry it; punctuation and `break`s add silence.
 */
import { minWordDurationMs, type Segment } from "../synthetic-speech/encode.ts";
import type { SsmlToken } from "./ssml.ts";
import type { Voice } from "./voices.ts";

/** Something a synthesis marks in its audio, in milliseconds from the audio's start. */
export interface SynthesisEvent {
  type: "WordBoundary" | "PunctuationBoundary" | "SentenceBoundary" | "Bookmark" | "Viseme";
  offsetMs: number;
  durationMs: number;
  /** The word, mark or sentence as written in the SSML (boundaries). */
  text?: string;
  /** Where `text` starts in the SSML, in UTF-16 code units (boundaries). */
  textOffset?: number;
  bookmark?: string;
  visemeId?: number;
}

/** Silence before the first word and after the last, as real voices leave. */
export const leadingSilenceMs = 100;
export const trailingSilenceMs = 100;
/** The pause after a comma-like mark, and after a sentence (long enough to end a recognised phrase). */
export const clausePauseMs = 150;
export const sentencePauseMs = 500;
/** Audio over ten minutes is cut to ten minutes, not refused [D-TTS]. */
export const maxAudioMs = 600_000;

const clauseMarks = new Set([",", ";", ":", "，", "、", "；", "—", "–"]);

export interface Timeline {
  segments: Segment[];
  events: SynthesisEvent[];
  durationMs: number;
}

/** The length of one word at a voice's pace: a 5-letter word gets `60000 / wpm`, longer ones more. */
export function wordDurationMs(text: string, wordsPerMinute: number, rate: number, sampleRate: number): number {
  const share = 60_000 / (wordsPerMinute * rate);
  const scale = Math.min(2.5, Math.max(0.6, ([...text].length + 2) / 7));
  return Math.max(Math.round(share * scale), minWordDurationMs(text, sampleRate));
}

/** A viseme for a word's first letter: a stable id from 1 to 21 (0 is silence). */
const visemeOf = (text: string): number => ((text.codePointAt(0) ?? 0) % 21) + 1;

/**
 * Times the tokens. `voiceOf` resolves the voice each word was written under (already checked);
 * `ssml` is the source, from which sentence texts are cut.
 */
export function buildTimeline(
  tokens: readonly SsmlToken[],
  voiceOf: (name: string | undefined) => Voice,
  sampleRate: number,
  ssml: string,
): Timeline {
  const segments: Segment[] = [];
  const events: SynthesisEvent[] = [];
  let now = 0;
  const silence = (ms: number) => {
    if (ms <= 0) return;
    const last = segments[segments.length - 1];
    if (last?.kind === "silence") last.durationMs += ms;
    else segments.push({ kind: "silence", durationMs: ms });
    now += ms;
  };
  // A sentence's text is its words and marks, spaced as in the SSML (tags between them left out).
  let sentence: { offsetMs: number; start: number; end: number; text: string } | undefined;
  const addToSentence = (text: string, textOffset: number) => {
    if (sentence === undefined) sentence = { offsetMs: now, start: textOffset, end: textOffset, text: "" };
    const adjacent = sentence.text === "" || sentence.end === textOffset || !/\s/.test(ssml.slice(sentence.end, textOffset));
    sentence.text += adjacent ? text : ` ${text}`;
    sentence.end = textOffset + text.length;
  };
  const closeSentence = () => {
    if (sentence === undefined) return;
    const { offsetMs, text, start } = sentence;
    events.push({ type: "SentenceBoundary", offsetMs, durationMs: now - offsetMs, text, textOffset: start });
    sentence = undefined;
  };

  silence(leadingSilenceMs);
  let pendingPause = 0; // a pause is only spent if something is spoken after it
  let lastWord: (SynthesisEvent & { textOffset: number }) | undefined;
  for (const token of tokens) {
    if (now + pendingPause >= maxAudioMs) break;
    switch (token.kind) {
      case "word": {
        silence(pendingPause);
        pendingPause = 0;
        const voice = voiceOf(token.voice);
        const ms = Math.min(wordDurationMs(token.text, voice.wordsPerMinute, token.rate, sampleRate), Math.max(0, maxAudioMs - now));
        if (ms < minWordDurationMs(token.text, sampleRate)) {
          now = maxAudioMs;
          break;
        }
        addToSentence(token.text, token.textOffset);
        lastWord = { type: "WordBoundary", offsetMs: now, durationMs: ms, text: token.text, textOffset: token.textOffset };
        events.push(lastWord);
        events.push({ type: "Viseme", offsetMs: now, durationMs: 0, visemeId: visemeOf(token.text) });
        segments.push({ kind: "word", text: token.text, durationMs: ms });
        now += ms;
        break;
      }
      case "punctuation": {
        // A mark written against the word before it is spoken with that word, so recognition of
        // the audio gives the text back as written ("pencils.", not "pencils").
        const last = segments[segments.length - 1];
        if (last?.kind === "word" && lastWord !== undefined && lastWord.textOffset + last.text.length === token.textOffset) {
          last.text += token.text;
          const longer = minWordDurationMs(last.text, sampleRate) - last.durationMs;
          if (longer > 0) {
            last.durationMs += longer;
            lastWord.durationMs += longer;
            now += longer;
          }
        }
        const pause = clauseMarks.has(token.text) ? clausePauseMs : 0;
        events.push({ type: "PunctuationBoundary", offsetMs: now, durationMs: 0, text: token.text, textOffset: token.textOffset });
        if (sentence !== undefined) addToSentence(token.text, token.textOffset);
        pendingPause = Math.max(pendingPause, pause);
        break;
      }
      case "sentence-end":
        closeSentence();
        pendingPause = Math.max(pendingPause, sentencePauseMs);
        break;
      case "break":
        silence(pendingPause);
        pendingPause = 0;
        silence(Math.min(token.durationMs, maxAudioMs - now));
        break;
      case "bookmark":
        events.push({ type: "Bookmark", offsetMs: now + pendingPause, durationMs: 0, text: token.mark, bookmark: token.mark });
        break;
    }
  }
  closeSentence();
  silence(Math.min(trailingSilenceMs, Math.max(0, maxAudioMs - now)));
  events.push({ type: "Viseme", offsetMs: now, durationMs: 0, visemeId: 0 });
  // Stable: same-time events keep their SSML order, but a sentence opens before its first word.
  const rank = (e: SynthesisEvent) => (e.type === "SentenceBoundary" ? 0 : 1);
  events.sort((a, b) => a.offsetMs - b.offsetMs || rank(a) - rank(b));
  return { segments, events, durationMs: now };
}
