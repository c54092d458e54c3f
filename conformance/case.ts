/**
 * A conformance case is data: a stable dotted id, a level, a title, the spec section it tests,
 * what the client must do (its plan), how the mock is set up, and a judge that reads the evidence
 * from both sides: the mock's journal and the client's own report.
 */
import type { FaultRuleInput } from "../mock-server/faults/rules.ts";
import type { JournalEntry } from "../mock-server/journal.ts";
import type { MockServer } from "../mock-server/start.ts";
import type { Capability, ClientEvent } from "./contract.ts";

/** RFC 2119 levels: a failed MUST fails the run; a failed SHOULD or MAY is NON-STRICT. */
export type Level = "MUST" | "SHOULD" | "MAY";

export type Clip = "remind-me" | "hello" | "silence" | "two-utterances";

/** What the client is asked to do; it reaches the client as environment variables. */
export interface Plan {
  clip: Clip;
  sessions: number;
  turns: number;
  /**
   * When each session starts, in minutes of the mock's (scaled) clock from the client's start,
   * whatever the sessions before took (one that is late starts as soon as the one before ends).
   * Sessions beyond the list start right after the one before.
   */
  startsAtMinutes: readonly number[];
  /** The API the client recognizes with (`SPEECHMOCK_API`). */
  api: "websocket" | "rest";
  /**
   * The WebSocket path the client is given: `conversation` (recognizeOnce and continuous alike,
   * the turn ends at the end of the audio) or `interactive` (the service ends the turn by itself
   * after the first utterance, while a live client is still streaming).
   */
  endpoint: "conversation" | "interactive";
  mode: "single" | "continuous";
  format: "simple" | "detailed";
  pace: "fast" | "real-time";
  /** What each turn does (`SPEECHMOCK_TASK`): recognize the clip, synthesize `text`, or list the voices. */
  task: "recognize" | "synthesize" | "voices";
  /** The text a synthesis speaks (plain text; the client escapes it into SSML). */
  text: string;
  /** The voice a synthesis asks for, by short name. */
  voice: string;
  /** The `X-Microsoft-OutputFormat` a synthesis asks for. */
  outputFormat: string;
}

export interface Setup {
  /** The key the client is given: a valid one (default) or one no resource has. */
  key?: "valid" | "unknown";
  /** Fault rules added before the client starts. */
  faults?: FaultRuleInput[];
  /** Runs beside the client: it may watch the journal and move the clock. Returns a cleanup. */
  during?: (mock: MockServer) => () => void;
}

/** Everything the judge sees. */
export interface Evidence {
  journal: readonly JournalEntry[];
  events: readonly ClientEvent[];
  /** The transcript the mock scripts for the plan's clip ("" for silence): its phrases joined. */
  expectedText: string;
  /** The clip's scripted phrases, in order. */
  expectedPhrases: readonly ExpectedPhrase[];
  /** How long the plan's clip lasts, in milliseconds of audio. */
  clipMs: number;
  /** Milliseconds of the mock's clock per millisecond of wall time. */
  speed: number;
}

/** One thing the judge checked; `ok: false` with a message that says what was seen. */
export interface Check {
  ok: boolean;
  what: string;
  /** What was seen instead, when it failed. */
  seen?: string;
  /** When it failed: the journal entries the judgement rests on, for the report. */
  journal?: readonly JournalEntry[];
}

export interface Case {
  id: string;
  level: Level;
  title: string;
  /** Where the rule comes from: a section of the spec or a documented SDK behaviour. */
  spec: string;
  /** Capabilities a client may declare it lacks; the case is SKIPPED for such a client. */
  requires?: Capability[];
  plan?: Partial<Plan>;
  setup?: Setup;
  /**
   * Runs this case's clock this many times slower than the run's time scale: a case that
   * compares delays needs them long enough that scheduling jitter does not decide it.
   */
  slowdown?: number;
  judge(evidence: Evidence): Check[];
}

export const defaultPlan: Plan = {
  clip: "remind-me",
  sessions: 1,
  turns: 1,
  startsAtMinutes: [],
  api: "websocket",
  endpoint: "conversation",
  mode: "single",
  format: "simple",
  pace: "fast",
  task: "recognize",
  text: "Remind me to buy 5 pencils.",
  voice: "en-US-JennyNeural",
  outputFormat: "riff-24khz-16bit-mono-pcm",
};

/** A phrase the mock hears in a clip, as the transcripts fixture scripts it. */
export interface ExpectedPhrase {
  display: string;
  lexical: string;
  confidence?: number;
}

/**
 * A check from a condition, with what was seen when it fails and, optionally, the journal
 * entries behind it (a function, when finding them costs something).
 */
export const check = (
  ok: boolean,
  what: string,
  seen?: () => string,
  journal?: readonly JournalEntry[] | (() => readonly JournalEntry[]),
): Check => {
  if (ok) return { ok, what };
  const entries = typeof journal === "function" ? journal() : journal;
  return { ok, what, seen: seen?.(), ...(entries && entries.length > 0 ? { journal: entries } : {}) };
};
