// The Node baseline: bare node:http answering POST /sts/v1.0/issueToken with a fixed text, and `ws`
// accepting any WebSocket upgrade. No framework, no checks: the floor speechmock is compared to.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

// The same length as a speechmock token, so both servers send the same number of bytes.
const text = "x".repeat(762);
const headers = { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": String(Buffer.byteLength(text)) };

const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/sts/v1.0/issueToken") {
    res.writeHead(200, headers);
    res.end(text);
    return;
  }
  res.writeHead(404);
  res.end();
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) => {
  socket.on("error", () => {});
  wss.handleUpgrade(req, socket, head, (ws) => ws.on("error", () => {}));
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(0));
