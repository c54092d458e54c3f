// The Node baseline over TLS: bare node:https answering POST /sts/v1.0/issueToken with a fixed
// text, with the certificate and key given as arguments (the same files speechmock serves in the
// bench's https section). No framework, no checks: the floor speechmock's HTTPS is compared to.
import { readFileSync } from "node:fs";
import { createServer } from "node:https";

const [certPath, keyPath] = process.argv.slice(2);
if (!certPath || !keyPath) {
  process.stderr.write("usage: bare-https-node.mjs <cert.pem> <key.pem>\n");
  process.exit(2);
}

// The same length as a speechmock token, so both servers send the same number of bytes.
const text = "x".repeat(762);
const headers = { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": String(Buffer.byteLength(text)) };

const server = createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, (req, res) => {
  if (req.method === "POST" && req.url === "/sts/v1.0/issueToken") {
    res.writeHead(200, headers);
    res.end(text);
    return;
  }
  res.writeHead(404);
  res.end();
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `https://127.0.0.1:${server.address().port}` })}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(0));
