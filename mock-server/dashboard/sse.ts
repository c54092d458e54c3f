/**
 * Server-sent events read with `fetch`, not `EventSource`: `EventSource` cannot send the admin
 * token's `Authorization` header, and a token in the URL would end up in logs and history.
 */

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Splits a text/event-stream into events as its chunks arrive (the WHATWG parsing rules, minus retry). */
export class SseParser {
  #buffer = "";

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk.replace(/\r\n?/g, "\n");
    const out: SseEvent[] = [];
    for (let end = this.#buffer.indexOf("\n\n"); end !== -1; end = this.#buffer.indexOf("\n\n")) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event: SseEvent | undefined;
      for (const line of block.split("\n")) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        event ??= { event: "message", data: "" };
        if (field === "event") event.event = value;
        else if (field === "id") event.id = value;
        else if (field === "data") event.data = event.data === "" ? value : `${event.data}\n${value}`;
      }
      if (event) out.push(event);
    }
    return out;
  }
}

/**
 * Reads `url` as an event stream until it ends or `signal` aborts; resolves with the response's
 * status (a refusal's, such as 401, without reading on).
 */
export async function readStream(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent) => void,
  signal: AbortSignal,
): Promise<number> {
  const res = await fetch(url, { headers: { ...headers, Accept: "text/event-stream" }, signal });
  if (res.status !== 200 || res.body === null) return res.status;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return 200;
    for (const event of parser.push(value)) onEvent(event);
  }
}
