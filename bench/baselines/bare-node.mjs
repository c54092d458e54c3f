// The Node baseline: bare node:http answering POST /sts/v1.0/issueToken with a fixed text, and `ws`
// accepting any WebSocket upgrade. No framework, no checks: the floor speechmock is compared to.
// On a WebSocket it reads the same frames a speech turn sends and answers once, at the end of audio.
// On the REST API's path it reads the whole body, then answers a fixed JSON.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

// The same length as a speechmock token, so both servers send the same number of bytes.
const text = "x".repeat(762);
const headers = { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": String(Buffer.byteLength(text)) };

// The length of speechmock's answer for remind-me.wav (format=simple), so both send as many bytes.
const phrase = JSON.stringify({ RecognitionStatus: "Success", DisplayText: "Remind me to buy 5 pencils.", Offset: 0, Duration: 17800000 });
const phraseHeaders = { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(phrase)) };
const restPath = "/speech/recognition/conversation/cognitiveservices/v1";

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

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) => {
  socket.on("error", ignore);
  wss.handleUpgrade(req, socket, head, (ws) => ws.on("error", ignore).on("message", onMessage));
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(0));
