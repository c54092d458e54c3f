/**
 * SSML as the synthesis service reads it (tts-and-timing.md 1.4), parsed with saxes (a maintained
 * streaming XML parser that runs anywhere and reports line and column) into a flat list of tokens:
 * words with their voice and speaking rate, punctuation, breaks, bookmarks and sentence ends.
 * Voice names are checked against the registry later, in `synthesize`.
 */
import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from "saxes";

/** Why SSML was refused. */
export type SsmlErrorCode = "ssml.invalid" | "ssml.voice_missing" | "ssml.voice_name_missing";

/** SSML the service would refuse; `message` is the one-line reason to send (REST body, WebSocket close reason). */
export class SsmlError extends Error {
  override name = "SsmlError";
  readonly code: SsmlErrorCode;
  constructor(code: SsmlErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export type SsmlToken =
  /** A word: `text` as written (for boundary events), `voice` as named in SSML, `rate` the prosody multiplier. */
  | { kind: "word"; text: string; voice: string | undefined; rate: number; textOffset: number }
  | { kind: "punctuation"; text: string; voice: string | undefined; textOffset: number }
  | { kind: "break"; durationMs: number }
  | { kind: "bookmark"; mark: string }
  | { kind: "sentence-end" };

export interface ParsedSsml {
  /** The SSML as received: event text offsets point into it. */
  source: string;
  /** The `xml:lang` of `speak`, when given. */
  lang?: string;
  /** The `name` of every `voice`, in order, as written. */
  voiceNames: string[];
  tokens: SsmlToken[];
  /** Characters of text to speak (whitespace runs count as one). */
  textLength: number;
}

/** The pause of each `break strength` [D-SSML]; `medium` is the default of a bare `<break/>`. */
export const breakStrengthMs: Readonly<Record<string, number>> = {
  none: 0,
  "x-weak": 250,
  weak: 500,
  medium: 750,
  strong: 1000,
  "x-strong": 1250,
};

/** The longest `break` (and `mstts:silence`): longer ones are cut to it [D-SSML]. */
export const maxBreakMs = 20_000;

/** `prosody rate` keywords as multipliers [D-SSML]. */
const rateKeywords: Readonly<Record<string, number>> = { "x-slow": 0.5, slow: 0.64, medium: 1, fast: 1.55, "x-fast": 2, default: 1 };

/** The rate a `prosody rate` value sets, relative to `current`; `undefined` when unreadable (ignored, as the service ignores it). */
export function parseRate(value: string, current: number): number | undefined {
  const v = value.trim().toLowerCase();
  const keyword = rateKeywords[v];
  let rate: number | undefined;
  if (keyword !== undefined) rate = keyword;
  else if (/^[+-]?\d+(\.\d+)?%$/.test(v)) rate = current * (1 + Number.parseFloat(v) / 100);
  else if (/^[+-]\d+(\.\d+)?$/.test(v))
    rate = current * (1 + Number.parseFloat(v)); // relative, as `+0.5`
  else if (/^\d+(\.\d+)?$/.test(v)) rate = Number.parseFloat(v);
  if (rate === undefined || !Number.isFinite(rate)) return undefined;
  return Math.min(2, Math.max(0.5, rate)); // the documented range, 0.5 to 2
}

/** The milliseconds of a `break time` value (`500ms`, `2s`, `1.5s`), or `undefined` when unreadable. */
export function parseBreakTime(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/i.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * ((m[2] as string).toLowerCase() === "s" ? 1000 : 1);
  return Math.min(maxBreakMs, Math.round(ms));
}

/** Words (letters and digits, joined by apostrophes, hyphens or dots) and single punctuation marks. */
const tokenPattern = /[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}'’.-]*[\p{L}\p{N}\p{M}])?|[^\s\p{L}\p{N}\p{M}]/gu;
const sentenceEnders = new Set([".", "!", "?", "。", "！", "？"]);
/** `&` that starts no entity or character reference: the service names it in its own words (2.6). */
const bareAmpersand = /&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);)/;

interface Scope {
  voice: string | undefined;
  rate: number;
  /** `say-as` spelling: every character a word of its own. */
  spell: boolean;
  /** Inside `sub` (its `alias` is spoken instead) or an element whose text is not spoken. */
  silent: boolean;
}

const attr = (tag: SaxesTagNS, local: string): string | undefined => {
  for (const a of Object.values(tag.attributes) as SaxesAttributeNS[]) if (a.local === local && a.prefix !== "xmlns") return a.value;
  return undefined;
};

/**
 * Parses SSML. Throws `SsmlError` for what the service refuses: ill-formed XML (with the service's
 * own words for a bare `&`), a root other than `speak`, no `voice`, a `voice` without `name`.
 */
export function parseSsml(source: string): ParsedSsml {
  const amp = bareAmpersand.exec(source);
  if (amp) {
    throw new SsmlError("ssml.invalid", `Invalid char '&' at position ${amp.index} found in SSML. Please escape it before use.`);
  }
  const parser = new SaxesParser({ xmlns: true, position: true });
  const tokens: SsmlToken[] = [];
  const voiceNames: string[] = [];
  const stack: Scope[] = [];
  let root: SaxesTagNS | undefined;
  let lang: string | undefined;
  let cursor = 0; // where the text after the last tag starts
  let textLength = 0;

  const scope = (): Scope => stack[stack.length - 1] ?? { voice: undefined, rate: 1, spell: false, silent: false };
  const sentenceEnd = () => {
    if (tokens.length > 0 && tokens[tokens.length - 1]?.kind !== "sentence-end") tokens.push({ kind: "sentence-end" });
  };
  const speak = (text: string, start: number, fromSource: boolean) => {
    const s = scope();
    const collapsed = text.replace(/\s+/g, " ").trim();
    if (collapsed === "") return;
    textLength += (textLength > 0 ? 1 : 0) + collapsed.length;
    let from = start;
    for (const m of text.matchAll(tokenPattern)) {
      const word = m[0];
      // Offsets point into the SSML; an entity (`&amp;`) makes the text longer there, so search.
      const at = fromSource ? source.indexOf(word, from) : -1;
      const textOffset = at >= 0 ? at : from;
      if (at >= 0) from = at + word.length;
      if (/^[\p{L}\p{N}\p{M}]/u.test(word)) {
        const parts = s.spell ? [...word].filter((ch) => /[\p{L}\p{N}]/u.test(ch)) : [word];
        let offset = textOffset;
        for (const part of parts) {
          tokens.push({ kind: "word", text: part, voice: s.voice, rate: s.rate, textOffset: offset });
          offset += part.length;
        }
      } else {
        tokens.push({ kind: "punctuation", text: word, voice: s.voice, textOffset });
        if (sentenceEnders.has(word)) sentenceEnd();
      }
    }
  };

  parser.on("error", (err) => {
    throw new SsmlError("ssml.invalid", `SSML is invalid: ${err.message.replace(/\s+/g, " ")}`);
  });
  parser.on("opentag", (tag) => {
    const parent = scope();
    const next: Scope = { ...parent };
    if (root === undefined) {
      root = tag;
      if (tag.local !== "speak") {
        throw new SsmlError("ssml.invalid", `SSML is invalid: the root element is <${tag.name}>, expected <speak>`);
      }
      lang = attr(tag, "lang");
    }
    switch (tag.local) {
      case "voice": {
        const name = attr(tag, "name");
        if (name === undefined || name.trim() === "") {
          throw new SsmlError("ssml.voice_name_missing", `SSML is invalid: <voice> at line ${parser.line} has no name attribute`);
        }
        voiceNames.push(name);
        next.voice = name;
        next.rate = 1;
        sentenceEnd();
        break;
      }
      case "prosody": {
        const rate = attr(tag, "rate");
        const parsed = rate === undefined ? undefined : parseRate(rate, parent.rate);
        if (parsed !== undefined) next.rate = parsed;
        break;
      }
      case "break": {
        const time = attr(tag, "time");
        const strength = attr(tag, "strength");
        const ms = (time === undefined ? undefined : parseBreakTime(time)) ?? breakStrengthMs[strength ?? "medium"] ?? 750;
        tokens.push({ kind: "break", durationMs: ms });
        break;
      }
      case "bookmark": {
        const mark = attr(tag, "mark");
        if (mark !== undefined) tokens.push({ kind: "bookmark", mark });
        break;
      }
      case "say-as": {
        const as = (attr(tag, "interpret-as") ?? "").toLowerCase();
        next.spell = ["characters", "spell-out", "letters", "digits", "number_digit", "telephone"].includes(as);
        break;
      }
      case "sub": {
        const alias = attr(tag, "alias");
        if (alias !== undefined) speak(alias, cursor, false);
        next.silent = true;
        break;
      }
      case "s":
      case "p":
        sentenceEnd();
        break;
      // Not spoken: pronunciation lexicons, and the metadata of `mstts:` elements.
      case "lexicon":
      case "audioduration":
      case "backgroundaudio":
      case "viseme":
        next.silent = true;
        break;
    }
    stack.push(next);
    cursor = parser.position;
  });
  parser.on("closetag", (tag) => {
    stack.pop();
    if (tag.local === "s" || tag.local === "p" || tag.local === "voice") sentenceEnd();
    cursor = parser.position;
  });
  const onText = (text: string) => {
    if (stack.length > 0 && !scope().silent) speak(text, cursor, true);
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.write(source).close();

  if (voiceNames.length === 0) throw new SsmlError("ssml.voice_missing", "SSML is invalid: <speak> has no <voice> element");
  sentenceEnd();
  return { source, ...(lang === undefined ? {} : { lang }), voiceNames, tokens, textLength };
}
