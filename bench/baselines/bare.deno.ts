// The Deno baseline: bare Deno.serve answering POST /sts/v1.0/issueToken with a fixed text, and
// Deno.upgradeWebSocket accepting any upgrade. Named `*.deno.ts` so `tsc` (Node types) skips it.
// On a WebSocket it reads the same frames a speech turn sends and answers once, at the end of audio.
// On the REST API's path it reads the whole body, then answers a fixed JSON.
// Text to speech: on POST /cognitiveservices/v1?bytes=N&chunk=C it reads the whole body, then
// streams N bytes chunked, C at a time (speechmock's 100 ms of audio); on a WebSocket to
// /tts/cognitiveservices/websocket/v1?frames=K&bytes=B it answers each text message with K binary
// messages of B bytes in all, then a turn.end-shaped text.

// The same length as a speechmock token, so both servers send the same number of bytes.
const text = "x".repeat(762);
const path = "/sts/v1.0/issueToken";
const restPath = "/speech/recognition/conversation/cognitiveservices/v1";
// The length of speechmock's answer for remind-me.wav (format=simple), so both send as many bytes.
const phrase = JSON.stringify({ RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils.", Offset: 0, Duration: 17800000 });

// Async on its own, so the token path stays a synchronous handler as before.
async function answerRest(req: Request): Promise<Response> {
  let bytes = 0;
  for await (const chunk of req.body ?? []) bytes += chunk.length;
  return new Response(phrase, { status: bytes > 0 ? 200 : 400, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

const ttsPath = "/cognitiveservices/v1";
const ttsWsPath = "/tts/cognitiveservices/websocket/v1";

// The parts of one answer, by query string: `bytes` cut into parts, part i starting at `at(i)`,
// built once and shared by every request that asks for them (enqueued and sent, never detached).
const cuts = new Map<string, Uint8Array[]>();
function cut(query: string, plan: (params: URLSearchParams, bytes: number) => { count: number; at: (i: number) => number }): Uint8Array[] {
  let parts = cuts.get(query);
  if (parts === undefined) {
    const params = new URLSearchParams(query);
    const bytes = Number(params.get("bytes"));
    const { count, at } = plan(params, bytes);
    const all = new Uint8Array(bytes).fill(0x5a);
    parts = Array.from({ length: count }, (_, i) => all.subarray(at(i), i + 1 === count ? bytes : at(i + 1)));
    cuts.set(query, parts);
  }
  return parts;
}
// REST: `chunk` bytes at a time, the last part shorter (as speechmock's 100 ms chunks).
const restParts = (query: string) =>
  cut(query, (params, bytes) => {
    const chunk = Number(params.get("chunk"));
    return { count: Math.max(1, Math.ceil(bytes / chunk)), at: (i) => i * chunk };
  });
// WebSocket: exactly `frames` messages, as even as can be.
const wsParts = (query: string) =>
  cut(query, (params, bytes) => {
    const frames = Math.max(1, Number(params.get("frames")));
    return { count: frames, at: (i) => Math.floor((i * bytes) / frames) };
  });

// The body read to its end, then the parts streamed one per pull, as speechmock's audio stream does.
async function answerTts(req: Request, query: string): Promise<Response> {
  for await (const _ of req.body ?? []);
  const parts = restParts(query);
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[next++];
      if (part === undefined) controller.close();
      else controller.enqueue(part);
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/octet-stream" } });
}

const ttsTurnEnd = "X-RequestId: 0\r\nContent-Type: application/json; charset=utf-8\r\nPath: turn.end\r\n\r\n{}";
function ttsSocket(socket: WebSocket, parts: readonly Uint8Array[]): void {
  socket.onmessage = (evt) => {
    if (typeof evt.data !== "string") return;
    for (const part of parts) socket.send(part);
    socket.send(ttsTurnEnd);
  };
}

const requestId = /X-RequestId:[ \t]*([0-9A-Fa-f]*)/i;
const ascii = new TextDecoder();

// A binary message that is only its 2-byte header size prefix and headers (no payload) ends a
// turn's audio: answer with a turn.end-shaped text echoing the request id, and nothing else.
// One shared handler (the socket is the event's target), so a held connection costs no closure.
function onMessage(evt: MessageEvent): void {
  if (!(evt.data instanceof ArrayBuffer)) return;
  const bytes = new Uint8Array(evt.data);
  if (bytes.length < 2 || bytes.length !== 2 + (((bytes[0] as number) << 8) | (bytes[1] as number))) return;
  const id = requestId.exec(ascii.decode(bytes.subarray(2)))?.[1] ?? "";
  (evt.target as WebSocket).send(`X-RequestId: ${id}\r\nPath: turn.end\r\n\r\n`);
}
const ignore = () => {};

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` })),
  },
  (req) => {
    // `http://127.0.0.1:port/...`: the path starts at the first slash after the scheme's two.
    const pathAndQuery = req.url.slice(req.url.indexOf("/", 8));
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.binaryType = "arraybuffer";
      socket.onerror = ignore;
      if (pathAndQuery.startsWith(`${ttsWsPath}?`)) ttsSocket(socket, wsParts(pathAndQuery.slice(ttsWsPath.length + 1)));
      else socket.onmessage = onMessage;
      return response;
    }
    if (req.method === "POST" && pathAndQuery === path) {
      return new Response(text, { headers: { "Content-Type": "text/plain; charset=UTF-8" } });
    }
    if (req.method === "POST" && pathAndQuery.startsWith(restPath)) return answerRest(req);
    if (req.method === "POST" && (pathAndQuery === ttsPath || pathAndQuery.startsWith(`${ttsPath}?`))) {
      return answerTts(req, pathAndQuery.slice(ttsPath.length + 1));
    }
    return new Response(null, { status: 404 });
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => Deno.exit(0));
