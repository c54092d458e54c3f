// The Deno baseline: bare Deno.serve answering POST /sts/v1.0/issueToken with a fixed text, and
// Deno.upgradeWebSocket accepting any upgrade. Named `*.deno.ts` so `tsc` (Node types) skips it.

// The same length as a speechmock token, so both servers send the same number of bytes.
const text = "x".repeat(762);
const path = "/sts/v1.0/issueToken";

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` })),
  },
  (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onerror = () => {};
      return response;
    }
    // `http://127.0.0.1:port/...`: the path starts at the first slash after the scheme's two.
    const pathAndQuery = req.url.slice(req.url.indexOf("/", 8));
    if (req.method === "POST" && pathAndQuery === path) {
      return new Response(text, { headers: { "Content-Type": "text/plain; charset=UTF-8" } });
    }
    return new Response(null, { status: 404 });
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => Deno.exit(0));
