/**
 * What the dashboard shows of a journal entry, as text: pure functions, tested without a browser.
 * The entry shapes are the journal's (`journal.ts`), read loosely: the page must not break on a
 * field a newer mock adds or an older one lacks.
 */

/** A journal entry as the page receives it over the stream. */
export type Entry = Record<string, unknown> & { seq: number; type: string; at: number; time?: string; connectionId?: string };

/** `ms` before (or after) now, as a person says it: `just now`, `12 s ago`, `3 min ago`, `in 2 h`. */
export function relativeTime(ms: number): string {
  const ahead = ms < 0;
  const abs = Math.abs(ms);
  if (abs < 1000) return "just now";
  const [value, unit] =
    abs < 60_000
      ? [Math.floor(abs / 1000), "s"]
      : abs < 3_600_000
        ? [Math.floor(abs / 60_000), "min"]
        : abs < 86_400_000
          ? [Math.floor(abs / 3_600_000), "h"]
          : [Math.floor(abs / 86_400_000), "d"];
  return ahead ? `in ${value} ${unit}` : `${value} ${unit} ago`;
}

/** An entry's time in ISO 8601 (the journal's `time`, or from `at` for an older mock). */
export const isoOf = (entry: Entry): string => (typeof entry.time === "string" ? entry.time : new Date(entry.at).toISOString());

/** 66244 -> `64.7 KiB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** 2069 -> `2.07 s`; 250 -> `250 ms`. */
export const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

/** The entries that are requests rather than a connection's life: listed in the requests table. */
export const requestTypes = new Set([
  "sts.request",
  "handshake",
  "rest.request",
  "tts.request",
  "request.unrouted",
  "request.refused",
  "fault",
]);

/** How a request entry came out: `accept`/`reject` for handshakes, `ok`/`refused` for the others, by status. */
export function outcomeOf(entry: Entry): "ok" | "refused" | "fault" {
  if (entry.type === "fault") return "fault";
  if (entry.type === "handshake") return entry.decision === "accept" ? "ok" : "refused";
  const status = typeof entry.status === "number" ? entry.status : 0;
  return status >= 200 && status < 400 ? "ok" : "refused";
}

/** One line of a request entry: what was asked, and what the mock decided and why. */
export function requestSummary(entry: Entry): { what: string; decision: string; reason: string } {
  switch (entry.type) {
    case "sts.request":
      return {
        what: `token ${str(entry.method) ?? ""} ${str(entry.region) ?? ""}`.trim(),
        decision: str(entry.status) ?? "",
        reason: str(entry.reason) ?? "",
      };
    case "handshake":
      return {
        what: `handshake ${str(entry.region) ?? ""} ${str(entry.path) ?? ""}`.trim(),
        decision: `${str(entry.decision) ?? ""} ${str(entry.status) ?? ""}`.trim(),
        reason: [str(entry.reason), ...(Array.isArray(entry.notices) ? entry.notices.map(String) : [])].filter(Boolean).join(", "),
      };
    case "rest.request":
      return {
        what: `REST ${str(entry.region) ?? ""} ${str(entry.language) ?? ""}`.trim(),
        decision: `${str(entry.status) ?? ""} ${str(entry.recognitionStatus) ?? ""}`.trim(),
        reason: [str(entry.reason), str(entry.text) && `"${str(entry.text)}"`, str(entry.match)].filter(Boolean).join(", "),
      };
    case "tts.request":
      return {
        what: `TTS ${str(entry.region) ?? ""} ${str(entry.voice) ?? ""} ${str(entry.format) ?? ""}`.trim(),
        decision: str(entry.status) ?? "",
        reason: [str(entry.reason), entry.audioMs === undefined ? undefined : `${str(entry.audioMs)} ms`].filter(Boolean).join(", "),
      };
    case "fault":
      return {
        what: `fault ${str(entry.rule) ?? ""} on ${str(entry.target) ?? ""}`,
        decision: `fired: ${str(entry.action) ?? ""} ${str(entry.status) ?? str(entry.code) ?? ""}`.trim(),
        reason: "fault.injected",
      };
    case "request.refused":
      return {
        what: `${str(entry.method) ?? ""} ${str(entry.path) ?? ""}`,
        decision: str(entry.status) ?? "",
        reason: str(entry.reason) ?? "",
      };
    default:
      return {
        what: `${str(entry.method) ?? ""} ${str(entry.path) ?? ""}`,
        decision: str(entry.status) ?? "",
        reason: str(entry.reason) ?? "",
      };
  }
}

/** A turn's audio: `2.07 s · 23 messages · 64.7 KiB`. */
export function audioSummary(end: Entry): string {
  const parts: string[] = [];
  if (typeof end.audioMs === "number") parts.push(duration(end.audioMs));
  if (typeof end.audioMessages === "number") parts.push(`${end.audioMessages} message${end.audioMessages === 1 ? "" : "s"}`);
  if (typeof end.audioBytes === "number") parts.push(bytes(end.audioBytes));
  return parts.join(" · ");
}

/** What a turn heard: its text, or its status when nothing was recognised. */
export const turnText = (end: Entry): string => str(end.text) ?? `(${str(end.status) ?? "no answer"})`;

/** Who closed a connection and why: `server closed: 1007 Quota exceeded.`. */
export const closeSummary = (close: Entry): string =>
  `${str(close.initiator) ?? "?"} closed: ${str(close.code) ?? ""}${close.reason ? ` ${str(close.reason)}` : ""}`;

/** The filter the page applies, as the query of `GET <admin>/journal/stream`. */
export interface Filter {
  type?: string;
  outcome?: string;
  connectionId?: string;
  allMessages?: boolean;
}

export function streamQuery(filter: Filter, since?: number): string {
  const params = new URLSearchParams();
  if (filter.type) params.set("type", filter.type);
  if (filter.outcome) params.set("outcome", filter.outcome);
  if (filter.connectionId) params.set("connectionId", filter.connectionId);
  if (filter.allMessages) params.set("messages", "all");
  if (since !== undefined) params.set("since", String(since));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
