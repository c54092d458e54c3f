/**
 * Out of file descriptors, the server degrades and recovers, never exits: `speechmock serve` under
 * Node and Deno with a descriptor limit of 256 (`ulimit -n`), and 400 raw TCP connections held open.
 * `node:http` keeps accepting after EMFILE on both runtimes (Deno.serve, used on Deno before, ended
 * its accept loop and the process exited). Once the clients leave, health answers 200 again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import t from "tap";
import { commandFor, root, runtimes } from "../../test/support/spawn.ts";

const descriptorLimit = 256;
const clients = 400;

interface Spawned {
  child: ChildProcess;
  url: string;
  stderr(): string;
}

/** `speechmock serve --port 0` under a low descriptor limit, once its ready line is out. */
async function spawnLimited(runtime: (typeof runtimes)[number]): Promise<Spawned> {
  const [cmd, argv] = commandFor(runtime, ["serve", "--port", "0"]);
  const child = spawn("/bin/sh", ["-c", `ulimit -n ${descriptorLimit} && exec "$@"`, "sh", cmd, ...argv], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl !== -1) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`speechmock exited with ${code} before its ready line: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

/** Opens `n` connections and resolves once each has connected or failed (refused, reset). */
async function hold(url: string, n: number): Promise<{ sockets: Socket[]; connected: number }> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  const settled: Promise<boolean>[] = [];
  for (let i = 0; i < n; i++) {
    const socket = connect({ host: hostname, port: Number(port) });
    sockets.push(socket);
    settled.push(
      new Promise((resolve) => {
        socket.once("connect", () => resolve(true));
        socket.once("error", () => resolve(false));
        socket.setTimeout(5_000, () => resolve(false));
      }),
    );
  }
  const results = await Promise.all(settled);
  return { sockets, connected: results.filter(Boolean).length };
}

/** Asks for health until it answers (each try bounded), for at most `ms`. */
async function healthWithin(url: string, ms: number): Promise<number | string> {
  const deadline = Date.now() + ms;
  let last: number | string = "never tried";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/__speechmock/health`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return 200;
      last = res.status;
    } catch (err) {
      last = String((err as Error).cause ?? err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

for (const runtime of runtimes) {
  t.test(`on ${runtime}, ${clients} connections under a limit of ${descriptorLimit} descriptors`, async (t) => {
    const mock = await spawnLimited(runtime);
    t.teardown(async () => {
      if (mock.child.exitCode === null && mock.child.signalCode === null) {
        const exited = once(mock.child, "exit");
        mock.child.kill("SIGKILL");
        await exited;
      }
    });
    t.equal(await healthWithin(mock.url, 5_000), 200, "health answers before");

    const { sockets, connected } = await hold(mock.url, clients);
    t.ok(connected > 0, `${connected} of ${clients} connected`);
    // Give a dying process the time to die: a crash on EMFILE comes within milliseconds.
    await new Promise((r) => setTimeout(r, 300));
    t.equal(mock.child.exitCode, null, `still running; stderr: ${mock.stderr().slice(-500)}`);
    t.equal(mock.child.signalCode, null, "not killed");

    for (const socket of sockets) socket.destroy();
    t.equal(await healthWithin(mock.url, 10_000), 200, "health answers 200 again once the clients left");
    t.notMatch(mock.stderr(), /Uncaught/, "no uncaught error");
  });
}
