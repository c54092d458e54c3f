/** Fault rules the page adds in one click: the README's examples, each safe to fire once. */
export interface FaultTemplate {
  id: string;
  label: string;
  rule: Record<string, unknown>;
}

export const faultTemplates: readonly FaultTemplate[] = [
  {
    id: "sts-429",
    label: "Token service: the next request gets 429 with Retry-After: 2",
    rule: { target: "sts", times: 1, action: { kind: "respond", status: 429, headers: { "Retry-After": "2" } } },
  },
  {
    id: "sts-503",
    label: "Token service: the next 3 requests get 503",
    rule: { target: "sts", times: 3, action: { kind: "respond", status: 503 } },
  },
  {
    id: "handshake-503",
    label: "Speech WebSocket: the next handshake is refused with 503",
    rule: { target: "handshake", times: 1, action: { kind: "refuse", status: 503 } },
  },
  {
    id: "audio-1007",
    label: "Speech WebSocket: close the next connection mid-audio with 1007",
    rule: { target: "message", path: "audio", after: 4, times: 1, action: { kind: "close", code: 1007, reason: "Injected." } },
  },
  {
    id: "rest-500",
    label: "REST API: the next request gets 500",
    rule: { target: "rest", times: 1, action: { kind: "respond", status: 500 } },
  },
];
