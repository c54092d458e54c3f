/** Views of the journal and the client's events that the cases judge by. */
import type { JournalEntry } from "../mock-server/journal.ts";
import type { Evidence } from "./case.ts";
import type { ClientEvent } from "./contract.ts";

export type StsRequest = Extract<JournalEntry, { type: "sts.request" }>;
export type Handshake = Extract<JournalEntry, { type: "handshake" }>;
export type Message = Extract<JournalEntry, { type: "message" }>;
export type Close = Extract<JournalEntry, { type: "close" }>;
export type RestRequest = Extract<JournalEntry, { type: "rest.request" }>;
export type Fault = Extract<JournalEntry, { type: "fault" }>;
export type TtsRequest = Extract<JournalEntry, { type: "tts.request" }>;
export type Synthesis = Extract<JournalEntry, { type: "synthesis" }>;
export type ErrorEvent = Extract<ClientEvent, { event: "error" }>;
export type Recognized = Extract<ClientEvent, { event: "recognized" }>;
export type SynthesizedEvent = Extract<ClientEvent, { event: "synthesized" }>;
export type VoicesEvent = Extract<ClientEvent, { event: "voices" }>;

export const stsRequests = (e: Evidence) => e.journal.filter((j): j is StsRequest => j.type === "sts.request");
export const issued = (e: Evidence) => stsRequests(e).filter((r) => r.status === 200);
export const handshakes = (e: Evidence) => e.journal.filter((j): j is Handshake => j.type === "handshake");
export const accepted = (e: Evidence) => handshakes(e).filter((h) => h.decision === "accept");
/** Messages the client sent, on one connection or all. */
export const sent = (e: Evidence, connectionId?: string) =>
  e.journal.filter(
    (j): j is Message => j.type === "message" && j.direction === "in" && (connectionId === undefined || j.connectionId === connectionId),
  );
export const faultsFired = (e: Evidence) => e.journal.filter((j): j is Fault => j.type === "fault");
/** Requests to the REST API the mock answered itself. */
export const restRequests = (e: Evidence) => e.journal.filter((j): j is RestRequest => j.type === "rest.request");
/** Every request to the REST API, a fault rule's answers included, in order. */
export const restAttempts = (e: Evidence) =>
  e.journal.filter((j): j is RestRequest | Fault => j.type === "rest.request" || (j.type === "fault" && j.target === "rest"));
/** Requests to the text-to-speech REST API (syntheses and the voices list) the mock answered itself. */
export const ttsRequests = (e: Evidence) => e.journal.filter((j): j is TtsRequest => j.type === "tts.request");
/** Every request to the text-to-speech REST API, a fault rule's answers included, in order. */
export const ttsAttempts = (e: Evidence) =>
  e.journal.filter((j): j is TtsRequest | Fault => j.type === "tts.request" || (j.type === "fault" && j.target === "tts"));
/** Speaks the text-to-speech WebSocket answered to their `turn.end`. */
export const syntheses = (e: Evidence) => e.journal.filter((j): j is Synthesis => j.type === "synthesis");
/** Messages the mock sent, on one connection or all. */
export const received = (e: Evidence, connectionId?: string) =>
  e.journal.filter(
    (j): j is Message => j.type === "message" && j.direction === "out" && (connectionId === undefined || j.connectionId === connectionId),
  );
export const closes = (e: Evidence) => e.journal.filter((j): j is Close => j.type === "close");
/** Request ids of the turns the mock started, in order. */
export const turns = (e: Evidence) =>
  e.journal.flatMap((j) => (j.type === "turn" && j.phase === "start" ? [{ connectionId: j.connectionId, requestId: j.requestId }] : []));
export const turnEnds = (e: Evidence) => e.journal.filter((j) => j.type === "turn" && j.phase === "end");

export const errors = (e: Evidence) => e.events.filter((v): v is ErrorEvent => v.event === "error");
export const recognized = (e: Evidence) => e.events.filter((v): v is Recognized => v.event === "recognized");
export const synthesized = (e: Evidence) => e.events.filter((v): v is SynthesizedEvent => v.event === "synthesized");
export const voicesRead = (e: Evidence) => e.events.filter((v): v is VoicesEvent => v.event === "voices");

/** A short, readable account of a list for a failed check. */
export const list = (items: readonly unknown[]) =>
  items.length === 0 ? "none" : items.map((i) => (typeof i === "string" ? i : JSON.stringify(i))).join(", ");
export const describeErrors = (e: Evidence) => `client errors: ${list(errors(e).map(({ event: _, ...rest }) => rest))}`;
const keyNames = ["ocp-apim-subscription-key", "subscription-key"];
/** Where handshakes carried the subscription key (`header Ocp-Apim-Subscription-Key`, `query subscription-key`): a token's place. */
export const keyLeaks = (hs: readonly Handshake[]): string[] =>
  hs.flatMap((h) => [
    ...Object.keys(h.headers ?? {})
      .filter((n) => keyNames.includes(n.toLowerCase()))
      .map((n) => `header ${n}`),
    ...Object.keys(h.query ?? {})
      .filter((n) => keyNames.includes(n.toLowerCase()))
      .map((n) => `query ${n}`),
  ]);
/** Connection ids that appear on more than one handshake: every handshake must carry a new one. */
export const reusedConnectionIds = (e: Evidence): string[] => {
  const ids = handshakes(e).map((h) => h.connectionId?.toLowerCase());
  return [...new Set(ids.filter((id, i) => id !== undefined && ids.indexOf(id) !== i))] as string[];
};

/** Minutes of the mock's clock between two journal entries. */
export const minutesBetween = (a: JournalEntry, b: JournalEntry) => (b.at - a.at) / 60_000;
