import type { Logger, MockEvent } from "../events.ts";
import type { LogFormat } from "./args.ts";

/** One line per event, for people reading a terminal. Secrets are already reduced to prefixes. */
export function prettyLine(event: MockEvent, time: Date): string {
  const hhmmss = time.toISOString().slice(11, 23);
  switch (event.type) {
    case "sts.request":
      return `${hhmmss} sts       ${event.status} ${event.reason.padEnd(26)} ${event.method} ${event.path} region=${event.region}${event.key ? ` key=${event.key}` : ""}`;
    case "handshake": {
      const cred =
        event.credential.kind === "none" ? "none" : `${event.credential.kind}(${event.credential.source}) ${event.credential.value}`;
      return `${hhmmss} handshake ${event.status} ${event.reason.padEnd(26)} ${event.path} region=${event.region} credential=${cred}`;
    }
    case "rest.request": {
      const cred =
        event.credential.kind === "none" ? "none" : `${event.credential.kind}(${event.credential.source}) ${event.credential.value}`;
      const heard = event.recognitionStatus ? ` ${event.recognitionStatus} audio=${event.audioMs}ms` : "";
      return `${hhmmss} rest      ${event.status} ${event.reason.padEnd(26)} ${event.method} ${event.path} region=${event.region} credential=${cred}${heard}`;
    }
    case "tts.request": {
      const made = event.audioMs === undefined ? "" : ` ${event.voice ?? "-"} ${event.format ?? "-"} audio=${event.audioMs}ms`;
      return `${hhmmss} tts       ${event.status} ${event.reason.padEnd(26)} ${event.method} ${event.path} region=${event.region}${made}`;
    }
    case "request.unrouted":
      return `${hhmmss} unrouted  ${event.status} ${event.method} ${event.host ?? "-"} ${event.path} body=${event.bodyBytes}B`;
    case "socket.close":
      return `${hhmmss} close     ${event.code} ${event.reason || "-"} by ${event.initiator} connection=${event.connectionId ?? "-"}${event.error ? ` ${event.error.code}: ${event.error.message}` : ""}`;
    case "fault":
      return `${hhmmss} fault     ${event.target} ${event.action}${event.status ? ` ${event.status}` : ""} rule=${event.rule}${event.resource ? ` resource=${event.resource}` : ""}${event.connectionId ? ` connection=${event.connectionId}` : ""}`;
    case "turn":
      return `${hhmmss} turn      ${event.status} ${event.mode} audio=${event.audioMs}ms phrases=${event.phrases} ${event.scripted ? "scripted" : "fallback"} request=${event.requestId} connection=${event.connectionId}`;
    case "control.refused":
      return `${hhmmss} control   ${event.status} ${event.code} ${event.method} ${event.path} host=${JSON.stringify(event.host ?? null)} origin=${JSON.stringify(event.origin ?? null)}`;
    case "shutdown":
      return `${hhmmss} shutdown  ${event.signal}`;
    case "error":
      return `${hhmmss} error     ${event.message}`;
  }
}

/** A logger writing JSON lines (or pretty lines, or nothing) through `write`. */
export function createLogger(format: LogFormat, write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  if (format === "none") return () => {};
  if (format === "pretty") return (event) => write(prettyLine(event, now()));
  return (event) => {
    const { type, ...rest } = event;
    write(JSON.stringify({ time: now().toISOString(), level: type === "error" ? "error" : "info", event: type, ...rest }));
  };
}
