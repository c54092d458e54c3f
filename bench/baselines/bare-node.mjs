// The Node baseline: bare node:http answering POST /sts/v1.0/issueToken with a fixed text, and `ws`
// accepting any WebSocket upgrade. No framework, no checks: the floor speechmock is compared to.
// On a WebSocket it reads the same frames a speech turn sends and answers once, at the end of audio.
// On the REST API's path it reads the whole body, then answers a fixed JSON.
// Text to speech: on POST /cognitiveservices/v1?bytes=N&chunk=C it reads the whole body, then
// streams N bytes chunked, C at a time (speechmock's 100 ms of audio); on a WebSocket to
// /tts/cognitiveservices/websocket/v1?frames=K&bytes=B it answers each text message with K binary
// messages of B bytes in all, then a turn.end-shaped text.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

// The same length as a speechmock token, so both servers send the same number of bytes.
const text = "x".repeat(762);
const headers = { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": String(Buffer.byteLength(text)) };

// The length of speechmock's answer for remind-me.wav (format=simple), so both send as many bytes.
const phrase = JSON.stringify({ RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils.", Offset: 0, Duration: 17800000 });
const phraseHeaders = { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(phrase)) };
const restPath = "/speech/recognition/conversation/cognitiveservices/v1";

const ttsPath = "/cognitiveservices/v1";
const ttsWsPath = "/tts/cognitiveservices/websocket/v1";
const ttsHeaders = { "Content-Type": "application/octet-stream" };

// The parts of one answer, by query string: `bytes` cut into parts, part i starting at `at(i)`,
// built once and shared by every request that asks for them.
const cuts = new Map();
function cut(query, plan) {
  let parts = cuts.get(query);
  if (parts === undefined) {
    const params = new URLSearchParams(query);
    const bytes = Number(params.get("bytes"));
    const { count, at } = plan(params, bytes);
    const all = Buffer.alloc(bytes, 0x5a);
    parts = Array.from({ length: count }, (_, i) => all.subarray(at(i), i + 1 === count ? bytes : at(i + 1)));
    cuts.set(query, parts);
  }
  return parts;
}
// REST: `chunk` bytes at a time, the last part shorter (as speechmock's 100 ms chunks).
const restParts = (query) =>
  cut(query, (params, bytes) => {
    const chunk = Number(params.get("chunk"));
    return { count: Math.max(1, Math.ceil(bytes / chunk)), at: (i) => i * chunk };
  });
// WebSocket: exactly `frames` messages, as even as can be.
const wsParts = (query) =>
  cut(query, (params, bytes) => {
    const frames = Math.max(1, Number(params.get("frames")));
    return { count: frames, at: (i) => Math.floor((i * bytes) / frames) };
  });

const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/sts/v1.0/issueToken") {
    res.writeHead(200, headers);
    res.end(text);
    return;
  }
  if (req.method === "POST" && req.url?.startsWith(restPath)) {
    let bytes = 0;
    req.on("data", (chunk) => {
      bytes += chunk.length;
    });
    req.on("end", () => {
      res.writeHead(bytes > 0 ? 200 : 400, phraseHeaders);
      res.end(phrase);
    });
    return;
  }
  if (req.method === "POST" && (req.url === ttsPath || req.url?.startsWith(`${ttsPath}?`))) {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, ttsHeaders);
      for (const part of restParts(req.url.slice(ttsPath.length + 1))) res.write(part);
      res.end();
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

const requestId = /X-RequestId:[ \t]*([0-9A-Fa-f]*)/i;

// A binary message that is only its 2-byte header size prefix and headers (no payload) ends a
// turn's audio: answer with a turn.end-shaped text echoing the request id, and nothing else.
// One shared listener (`this` is the socket), so a held connection costs no closure.
function onMessage(data, isBinary) {
  if (!isBinary || data.length < 2 || data.length !== 2 + data.readUInt16BE(0)) return;
  const id = requestId.exec(data.toString("latin1", 2))?.[1] ?? "";
  this.send(`X-RequestId: ${id}\r\nPath: turn.end\r\n\r\n`);
}
const ignore = () => {};

const ttsTurnEnd = "X-RequestId: 0\r\nContent-Type: application/json; charset=utf-8\r\nPath: turn.end\r\n\r\n{}";
function ttsSocket(ws, parts) {
  ws.on("message", (_data, isBinary) => {
    if (isBinary) return;
    for (const part of parts) ws.send(part);
    ws.send(ttsTurnEnd);
  });
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) => {
  socket.on("error", ignore);
  if (req.url?.startsWith(`${ttsWsPath}?`)) {
    const parts = wsParts(req.url.slice(ttsWsPath.length + 1));
    wss.handleUpgrade(req, socket, head, (ws) => ttsSocket(ws.on("error", ignore), parts));
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => ws.on("error", ignore).on("message", onMessage));
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(0));
