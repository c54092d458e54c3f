// The Deno baseline: bare Deno.serve answering POST /sts/v1.0/issueToken with a fixed text, and
// Deno.upgradeWebSocket accepting any upgrade. Named `*.deno.ts` so `tsc` (Node types) skips it.
// On a WebSocket it reads the same frames a speech turn sends and answers once, at the end of audio.
// On the REST API's path it reads the whole body, then answers a fixed JSON.

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
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.binaryType = "arraybuffer";
      socket.onerror = ignore;
      socket.onmessage = onMessage;
      return response;
    }
    // `http://127.0.0.1:port/...`: the path starts at the first slash after the scheme's two.
    const pathAndQuery = req.url.slice(req.url.indexOf("/", 8));
    if (req.method === "POST" && pathAndQuery === path) {
      return new Response(text, { headers: { "Content-Type": "text/plain; charset=UTF-8" } });
    }
    if (req.method === "POST" && pathAndQuery.startsWith(restPath)) return answerRest(req);
    return new Response(null, { status: 404 });
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => Deno.exit(0));
