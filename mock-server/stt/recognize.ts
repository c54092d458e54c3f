/**
 * The recognition pipeline of one turn, as the audio is spoken: PCM in, service messages out.
 * Pure and runtime-free, shared by the WebSocket session and the REST API.
 *
 * The voice activity detector decides per utterance, in audio time: `speech.startDetected` when
 * speech starts, hypotheses while it goes on, and the phrase once its trailing silence has lasted
 * the segmentation silence (spec tts-and-timing 3.3, 3.4, 3.6). An utterance is heard as the
 * scripted-next transcript, else the words it carries when it is speechmock's own synthesized
 * speech (see synthetic-speech/decode.ts), else the known utterance its fingerprint matches. The
 * decoded words come before fingerprints because they are exact (checksummed) where a fingerprint
 * is a likeness, and no recording looks like synthesized speech. One that matches
 * nothing waits (`holding`) for the end of the audio, where the whole clip's SHA-256 gets its say
 * (so a clip streamed faster than real time is still answered from a hash-only transcripts file),
 * or until the transport's hold runs out, and is then heard as the fallback.
 *
 * Interactive turns are over after their first utterance, their initial silence or their audio
 * cap (`finished`); the transport then sends `turn.end` while the client may still be streaming.
 */
import { hearSynthesized } from "../synthetic-speech/decode.ts";
import { type Transcript, transcriptFor } from "../transcripts/lookup.ts";
import type { Phrase, Transcripts } from "../transcripts/schema.ts";
import type { TurnMode } from "./endpoints.ts";
import { UtteranceFeatures } from "./fingerprint.ts";
import { jsSha256, type PcmHasher } from "./pcm-hash.ts";
import { applyProfanity } from "./profanity.ts";
import type { OutputFormat, ProfanityOption } from "./recognition-settings.ts";
import {
  hypotheses,
  hypothesisIntervalTicks,
  lexicalOf,
  phrase,
  type RecognitionStatus,
  type ResponseSettings,
  recognized,
  type ServiceMessage,
  type Span,
  spansOf,
} from "./responses.ts";
import { msToTicks } from "./ticks.ts";
import { UtterancePcm } from "./utterance-pcm.ts";
import { EnergyVad, type VadOptions, vadFrameMs } from "./vad.ts";

export interface RecognizerSettings {
  readonly mode: TurnMode;
  readonly format: OutputFormat;
  readonly profanity: ProfanityOption;
  readonly initialSilenceTimeoutMs: number;
  /** Silence after speech that ends an utterance. */
  readonly segmentationSilenceMs: number;
  /** An interactive turn is answered after at most this much audio ("up to 15 seconds"). */
  readonly interactiveMaxAudioMs: number;
  /**
   * Hypotheses while someone speaks (default true). REST answers only the phrase, so it saves
   * the prefix matching; a phrase's hypotheses are then built when it is decided.
   */
  readonly liveHypotheses?: boolean;
}

export interface RecognizerDeps {
  readonly transcripts: Transcripts;
  /** A script the control plane queued for the next turn; taken once, at the turn's first decision. */
  readonly nextScripted?: () => Transcript | undefined;
  readonly hasher?: PcmHasher;
  readonly vad?: Partial<VadOptions>;
}

/**
 * How an answer was decided: the control plane's script for the next turn (`script`), the whole
 * clip's PCM SHA-256 (`sha256`), the words decoded from speechmock's own synthesized speech
 * (`synthesized`), the utterance's fingerprint (`fingerprint`), the transcripts file's fallback,
 * text or NoMatch (`fallback`), or no speech at all (`silence`).
 */
export type MatchKind = "script" | "sha256" | "synthesized" | "fingerprint" | "fallback" | "silence";

/** One answer of a turn: its status, the display text sent (profanity applied), and how it was decided. */
export interface TurnResult {
  readonly status: RecognitionStatus;
  readonly text?: string;
  readonly match: MatchKind;
}

/** What a turn turned out to be, for the journal and the log. */
export interface TurnSummary {
  readonly audioTicks: number;
  /** The first phrase's status other than EndOfDictation. */
  readonly status: RecognitionStatus;
  /** Phrases recognised with text. */
  readonly phrases: number;
  readonly scripted: boolean;
  /** Every answer sent, in order (EndOfDictation left out). */
  readonly results: readonly TurnResult[];
}

interface Utterance {
  readonly index: number;
  readonly start: number;
  end?: number;
  fingerprint?: ReturnType<UtteranceFeatures["fingerprint"]>;
  /** The text it carries when it is synthesized speech, decoded once when it closes. */
  synthesized?: string;
  /** Text of the last hypothesis sent live, if any; the phrase it was taken from; its word count. */
  lastHypothesis?: string;
  guess?: Phrase;
  words?: number;
  /** How long the guessed utterance lasts, in ticks, as its fingerprint says. */
  guessTicks?: number;
  nextHypothesisAt: number;
}

const frameTicks = msToTicks(vadFrameMs);
/**
 * Prefix matching for live hypotheses gives up here: a known utterance's start is recognised
 * within half a second, so speech that matched none by then is not one.
 */
const maxPrefixTicks = msToTicks(1500);

export class Recognizer {
  readonly #settings: RecognizerSettings;
  readonly #response: ResponseSettings;
  readonly #deps: RecognizerDeps;
  readonly #vad: EnergyVad;
  readonly #hasher: PcmHasher;
  readonly #features = new UtteranceFeatures();
  readonly #pcm = new UtterancePcm();
  #open: Utterance | undefined;
  /** Closed utterances still waiting for a decision, oldest first. */
  readonly #waiting: Utterance[] = [];
  #count = 0;
  #answered = 0;
  #startSent = false;
  /** The scripted-next transcript, once taken (null: there was none). */
  #script: Transcript | null | undefined;
  #finished = false;
  #status: RecognitionStatus | undefined;
  #phrases = 0;
  /** Utterances answered from a transcript (script, hash or fingerprint) rather than the fallback. */
  #known = 0;
  readonly #results: TurnResult[] = [];

  constructor(settings: RecognizerSettings, deps: RecognizerDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#response = {
      mode: settings.mode,
      format: settings.format,
      profanity: settings.profanity,
      profaneWords: deps.transcripts.profaneWords,
      initialSilenceTimeoutMs: settings.initialSilenceTimeoutMs,
    };
    this.#vad = new EnergyVad({ ...deps.vad, segmentationSilenceMs: settings.segmentationSilenceMs });
    this.#hasher = deps.hasher ?? jsSha256();
  }

  /** The turn has its answer (interactive); later audio is the transport's to ignore. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Utterances that matched nothing wait for the end of the audio or for `expireHold`. */
  get holding(): boolean {
    return !this.#finished && this.#waiting.length > 0;
  }

  get audioTicks(): number {
    return this.#vad.audioTicks;
  }

  summary(): TurnSummary {
    return {
      audioTicks: this.#vad.audioTicks,
      status: this.#status ?? "NoMatch",
      phrases: this.#phrases,
      scripted: this.#known > 0,
      results: [...this.#results],
    };
  }

  /** PCM as it arrives (no RIFF header); returns the messages it settles, in order. */
  push(pcm: Uint8Array): ServiceMessage[] {
    if (this.#finished) return [];
    const out: ServiceMessage[] = [];
    this.#hasher.update(pcm);
    this.#features.push(pcm);
    this.#pcm.push(pcm);
    for (const event of this.#vad.push(pcm)) {
      if (event.type === "speechStart") this.#speechStart(event.offsetTicks, out);
      else this.#speechEnd(event.offsetTicks, out);
      if (this.#finished) return out;
    }
    this.#liveHypothesis(out);
    this.#checkInteractiveLimits(out);
    if (this.#open === undefined) {
      // Keep a little before now: speech is dated back to the first of its voiced frames.
      this.#features.forgetBefore(Math.max(0, this.#vad.audioTicks - msToTicks(200)));
      this.#pcm.forgetBefore(Math.max(0, this.#vad.audioTicks - msToTicks(200)));
    }
    return out;
  }

  /** The client's end of audio: everything still open or waiting is decided now. */
  end(): ServiceMessage[] {
    if (this.#finished) return [];
    const out: ServiceMessage[] = [];
    for (const event of this.#vad.end()) {
      if (event.type === "speechStart") this.#speechStart(event.offsetTicks, out);
      else this.#closeUtterance(event.offsetTicks);
    }
    this.#decideAtEnd(this.#hasher.hex(), out);
    if (!this.#finished) this.#finish(this.#vad.audioTicks, out);
    return out;
  }

  /** The hold ran out: what still waits is heard as the script or the fallback. */
  expireHold(): ServiceMessage[] {
    const out: ServiceMessage[] = [];
    while (!this.#finished && this.#waiting.length > 0) this.#answer(this.#waiting.shift() as Utterance, this.#fallbackFor(), out);
    return out;
  }

  #speechStart(offset: number, out: ServiceMessage[]): void {
    this.#takeScript();
    this.#open = { index: this.#count++, start: offset, nextHypothesisAt: offset + hypothesisIntervalTicks };
    if (!this.#startSent) {
      this.#startSent = true;
      out.push({ path: "speech.startDetected", body: JSON.stringify({ Offset: offset }) });
    }
  }

  #speechEnd(offset: number, out: ServiceMessage[]): void {
    const utterance = this.#closeUtterance(offset);
    if (utterance === undefined) return;
    // Decisions go out in order: one that waits holds back those after it.
    while (!this.#finished && this.#waiting.length > 0) {
      const next = this.#waiting[0] as Utterance;
      const heard = this.#heardNow(next);
      if (heard === undefined) return;
      this.#waiting.shift();
      this.#answer(next, heard, out);
    }
  }

  #closeUtterance(offset: number): Utterance | undefined {
    const utterance = this.#open;
    if (utterance === undefined) return undefined;
    this.#open = undefined;
    utterance.end = offset;
    utterance.fingerprint = this.#features.fingerprint(utterance.start, offset);
    const samples = this.#pcm.samples(utterance.start, offset);
    utterance.synthesized = samples && hearSynthesized(samples)?.text;
    this.#waiting.push(utterance);
    return utterance;
  }

  /** Live hypotheses: the speech so far matched against the start of every known utterance. */
  #liveHypothesis(out: ServiceMessage[]): void {
    const open = this.#open;
    if (open === undefined || this.#settings.liveHypotheses === false) return;
    const now = Math.floor(this.#vad.audioTicks / frameTicks) * frameTicks;
    if (now < open.nextHypothesisAt) return;
    while (open.nextHypothesisAt <= now) open.nextHypothesisAt += hypothesisIntervalTicks;
    // Hypotheses of one utterance extend each other, as clients expect: the first guess sticks,
    // and from then on only the time spoken says how much of it has been heard.
    const guess =
      open.guess !== undefined
        ? { phrase: open.guess, fraction: open.guessTicks ? (now - open.start) / open.guessTicks : 1 }
        : (this.#scriptedGuess(open.index) ?? (now - open.start <= maxPrefixTicks ? this.#prefixGuess(open, now) : undefined));
    if (guess === undefined) return;
    if (open.guess === undefined && guess.fraction > 0) open.guessTicks = (now - open.start) / guess.fraction;
    open.guess = guess.phrase;
    const words = this.#clean(guess.phrase.itn).split(" ").filter(Boolean);
    open.words = Math.max(open.words ?? 0, 1, Math.ceil(guess.fraction * words.length));
    const text = words.slice(0, open.words).join(" ");
    if (text === open.lastHypothesis) return;
    open.lastHypothesis = text;
    // Up to the last voiced frame: the silence that may yet end the utterance is not part of it.
    const duration = Math.max(this.#vad.lastVoicedEnd, open.start) - open.start;
    out.push({ path: "speech.hypothesis", body: JSON.stringify({ Text: text, Offset: open.start, Duration: duration }) });
  }

  #prefixGuess(open: Utterance, now: number): { phrase: Phrase; fraction: number } | undefined {
    const found = this.#deps.transcripts.byFingerprint.matchPrefix(this.#features.fingerprint(open.start, now));
    return found && { phrase: found.value, fraction: Math.min(1, found.fraction) };
  }

  /** A scripted turn's hypotheses show its phrase whole: how long it will be spoken is unknown. */
  #scriptedGuess(index: number): { phrase: Phrase; fraction: number } | undefined {
    const p = this.#script ? phraseOf(this.#script, index) : undefined;
    return p && { phrase: p, fraction: 1 };
  }

  /** The scripted-next transcript, taken once per turn: at its first speech or its first decision. */
  #takeScript(): Transcript | null {
    if (this.#script === undefined) this.#script = this.#deps.nextScripted?.() ?? null;
    return this.#script;
  }

  /**
   * What an utterance is heard as, from what is known before the audio ends: the script's phrase
   * (null for NoMatch), else the known utterance it matches; undefined while nothing says.
   */
  #heardNow(utterance: Utterance): Heard | undefined {
    const script = this.#takeScript();
    if (script !== null) return { phrase: phraseOf(script, utterance.index) ?? null, known: script.kind === "phrases", match: "script" };
    return this.#matched(utterance);
  }

  #matched(utterance: Utterance): Heard | undefined {
    if (utterance.synthesized !== undefined) return { phrase: fixedPhrase(utterance.synthesized), known: true, match: "synthesized" };
    if (utterance.fingerprint === undefined) return undefined;
    const found = this.#deps.transcripts.byFingerprint.match(utterance.fingerprint, utterance.guess);
    return found && { phrase: found.value, known: true, match: "fingerprint" };
  }

  /** What an utterance nothing recognised is heard as: the file's fixed text, or NoMatch. */
  #fallbackFor(): Heard {
    return { phrase: fallbackPhrase(this.#deps.transcripts), known: false, match: "fallback" };
  }

  #decideAtEnd(sha256: string, out: ServiceMessage[]): void {
    const byHash = transcriptFor(this.#deps.transcripts, sha256);
    const script = this.#takeScript();
    const whole: Transcript | undefined = script ?? (byHash.kind === "phrases" ? byHash : undefined);
    const match: MatchKind = script !== null ? "script" : "sha256";
    if (whole !== undefined && this.#answered === 0 && this.#waiting.length > 0) {
      // The exact clip, nothing answered yet: the transcript's phrases shared out over the
      // speech as a whole, even where the detector found more or fewer utterances than it names.
      const waiting = this.#waiting.splice(0);
      const spans = spansOf({ segments: waiting.map(segmentOf), audioTicks: this.#vad.audioTicks, sha256 }, whole);
      // Spans are the utterances unless the speech was shared out anew; then live hypotheses stand for all.
      const sentLive = (i: number) =>
        spans.length === waiting.length ? waiting[i]?.lastHypothesis !== undefined : waiting.some((u) => u.lastHypothesis !== undefined);
      for (const [i, span] of spans.entries()) {
        this.#emit(span, { phrase: span.phrase ?? null, known: whole.kind === "phrases", match }, sentLive(i), out);
        if (this.#settings.mode === "interactive") {
          this.#finish(span.end, out);
          return;
        }
      }
      return;
    }
    while (!this.#finished && this.#waiting.length > 0) {
      const next = this.#waiting.shift() as Utterance;
      const fromWhole: Heard | undefined = whole && { phrase: phraseOf(whole, next.index) ?? null, known: whole.kind === "phrases", match };
      this.#answer(next, fromWhole ?? this.#matched(next) ?? this.#fallbackFor(), out);
    }
  }

  /** Interactive turns end by themselves: on initial silence, or at the audio cap. */
  #checkInteractiveLimits(out: ServiceMessage[]): void {
    if (this.#settings.mode !== "interactive" || this.#finished) return;
    const audio = this.#vad.audioTicks;
    const heardSpeech = this.#count > 0;
    if (!heardSpeech && audio >= msToTicks(this.#settings.initialSilenceTimeoutMs)) {
      this.#takeScript();
      this.#finish(audio, out);
      return;
    }
    if (audio < msToTicks(this.#settings.interactiveMaxAudioMs)) return;
    this.#closeUtterance(audio);
    const first = this.#waiting.shift();
    if (first === undefined) this.#finish(audio, out);
    else this.#answer(first, this.#heardNow(first) ?? this.#fallbackFor(), out);
  }

  /** One utterance's answer: catch-up hypotheses if none went out live, then its phrase. */
  #answer(utterance: Utterance, heard: Heard, out: ServiceMessage[]): void {
    const span: Span = { start: utterance.start, end: utterance.end ?? utterance.start };
    this.#emit(span, heard, utterance.lastHypothesis !== undefined, out);
    if (this.#settings.mode === "interactive") this.#finish(span.end, out);
  }

  #emit(span: Span, heard: Heard, hypothesesSent: boolean, out: ServiceMessage[]): void {
    this.#answered += 1;
    const p = heard.phrase;
    if (heard.known) this.#known += 1;
    if (p === null) {
      this.#status ??= "NoMatch";
      this.#results.push({ status: "NoMatch", match: heard.match });
      out.push(phrase({ RecognitionStatus: "NoMatch", Offset: span.start, Duration: span.end - span.start }));
      return;
    }
    if (!hypothesesSent) out.push(...hypotheses(span, p, this.#response));
    out.push(recognized(span, p, this.#response));
    this.#results.push({ status: "Success", text: this.#clean(p.display), match: heard.match });
    this.#status ??= "Success";
    this.#phrases += 1;
  }

  /** Silence only: NoMatch, or InitialSilenceTimeout once the initial silence has passed. */
  #silence(): ServiceMessage {
    const initial = msToTicks(this.#settings.initialSilenceTimeoutMs);
    const audio = this.#vad.audioTicks;
    const status = audio >= initial ? "InitialSilenceTimeout" : "NoMatch";
    this.#status ??= status;
    this.#results.push({ status, match: "silence" });
    return phrase({ RecognitionStatus: status, Offset: 0, Duration: Math.min(audio, initial) });
  }

  /** The turn's last messages before `turn.end`. */
  #finish(endOffset: number, out: ServiceMessage[]): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#answered === 0) out.push(this.#silence());
    if (this.#settings.mode === "dictation") {
      out.push(phrase({ RecognitionStatus: "EndOfDictation", Offset: this.#vad.audioTicks, Duration: 0 }));
    }
    const offset = this.#settings.mode === "interactive" ? endOffset : this.#vad.audioTicks;
    out.push({ path: "speech.endDetected", body: JSON.stringify({ Offset: offset }) });
  }

  #clean(text: string): string {
    return applyProfanity(text, this.#response.profanity, this.#response.profaneWords);
  }
}

/** What an utterance is heard as (null: NoMatch), whether a transcript said so, and which. */
interface Heard {
  readonly phrase: Phrase | null;
  readonly known: boolean;
  readonly match: MatchKind;
}

const segmentOf = (u: Utterance) => ({ start: u.start, end: u.end ?? u.start });

/** A transcript's phrase for the utterance at `index`; undefined past its last phrase or for NoMatch. */
function phraseOf(transcript: Transcript, index: number): Phrase | undefined {
  if (transcript.kind === "phrases") return transcript.phrases[index];
  if (transcript.kind === "text") return fixedPhrase(transcript.text);
  return undefined;
}

function fallbackPhrase(transcripts: Transcripts): Phrase | null {
  const { fallback } = transcripts;
  return fallback.kind === "text" ? fixedPhrase(fallback.text) : null;
}

const fixedPhrase = (text: string): Phrase => {
  const lexical = lexicalOf(text);
  return { display: text, lexical, itn: lexical, maskedItn: lexical };
};
