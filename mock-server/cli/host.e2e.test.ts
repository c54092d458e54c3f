/**
 * `serve --host`: the ready line says which address is bound (`host`) and, bound to every address
 * (`0.0.0.0`, `::`), where other machines reach the mock (`network`: one URL per non-loopback
 * address of this machine), while `url` stays a loopback URL that works here. The real command on
 * Node and on Deno (as the deno tasks run it); each URL is connected to, through a non-loopback
 * address when the machine has one.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";
import t from "tap";
import { commandFor, root, runtimes, spawnMock } from "../../test/support/spawn.ts";
import { networkUrls } from "../start.ts";

const adminToken = { SPEECHMOCK_ADMIN_TOKEN: "host-e2e-admin-token-0123456789abcdef" };
const key = "7e57c0de5eec4d0c0000000000000001";

type HostReady = { url: string; host: string; network?: string[]; sts: string; port?: number };

/** The machine's non-loopback addresses, as the test reads them itself (Node's view). */
const external = Object.values(networkInterfaces())
  .flat()
  .filter((i): i is NetworkInterfaceInfo => i !== undefined && !i.internal);
const expectedNetwork = (family: "0.0.0.0" | "::", port: number) =>
  external
    .filter((i) => i.family === "IPv4" || (family === "::" && !i.address.startsWith("fe80")))
    .map((i) => `http://${i.family === "IPv6" ? `[${i.address}]` : i.address}:${port}`);

/** The token service answers through this base URL: the mock is reachable there. */
async function issuesToken(base: string): Promise<number> {
  const res = await fetch(`${base}/sts/v1.0/issueToken`, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } });
  await res.text();
  return res.status;
}

t.test("networkUrls: non-loopback addresses of the bound family, link-local IPv6 left out, each once", async (t) => {
  const addresses = [
    { address: "127.0.0.1", family: "IPv4" },
    { address: "192.168.1.20", family: "IPv4" },
    { address: "10.0.0.5", family: "IPv4" },
    { address: "192.168.1.20", family: "IPv4" },
    { address: "::1", family: "IPv6" },
    { address: "fd00::2", family: "IPv6" },
    { address: "fe80::fc:ff:fe00:1", family: "IPv6" },
  ] as const;
  t.same(networkUrls("0.0.0.0", 8410, addresses), ["http://192.168.1.20:8410", "http://10.0.0.5:8410"]);
  t.same(networkUrls("::", 8410, addresses), ["http://192.168.1.20:8410", "http://10.0.0.5:8410", "http://[fd00::2]:8410"]);
  t.same(networkUrls("0.0.0.0", 8410, [{ address: "127.0.0.1", family: "IPv4" }]), [], "a machine with loopback only: none");
});

for (const runtime of runtimes) {
  for (const [bound, loopback] of [
    ["0.0.0.0", "127.0.0.1"],
    ["::", "[::1]"],
  ] as const) {
    t.test(`on ${runtime}, --host ${bound}: host, a loopback url and the network URLs, each answering`, async (t) => {
      const mock = await spawnMock(runtime, ["--host", bound, "--log-format", "none"], adminToken);
      t.teardown(() => mock.stop());
      const ready = mock.ready as unknown as HostReady;
      const port = Number(new URL(ready.url).port);
      t.equal(ready.host, bound, "host: the address bound");
      t.equal(ready.url, `http://${loopback}:${port}`, "url: loopback, connectable on this machine");
      t.same(ready.network, expectedNetwork(bound, port), "network: each non-loopback address of the machine");
      t.equal(mock.stderr(), "", "no note: the interfaces were listed");
      t.equal(await issuesToken(ready.url), 200, ready.url);
      // Through every other address: on a machine with none, the loopback URL above is the proof.
      for (const url of ready.network ?? []) t.equal(await issuesToken(url), 200, url);
      if (bound === "::" && external.some((i) => i.family === "IPv4"))
        t.ok(
          ready.network?.some((u) => !u.includes("[")),
          "dual stack",
        );
    });
  }

  t.test(`on ${runtime}, the default host: host 127.0.0.1, no network`, async (t) => {
    const mock = await spawnMock(runtime, ["--log-format", "none"]);
    t.teardown(() => mock.stop());
    const ready = mock.ready as unknown as HostReady;
    t.equal(ready.host, "127.0.0.1");
    t.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.notOk("network" in ready, "no network URLs: nothing beyond this machine can connect");
  });
}

t.test("Deno without --allow-sys=networkInterfaces: no network, a note on stderr, no prompt", async (t) => {
  const [cmd, argv] = commandFor("deno", ["serve", "--port", "0", "--host", "0.0.0.0", "--log-format", "none"]);
  const args = argv.filter((a) => !a.startsWith("--allow-sys"));
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...adminToken } });
  t.teardown(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  while (!stdout.includes("\n")) await once(child.stdout, "data");
  const ready = JSON.parse(stdout.split("\n")[0] as string) as HostReady;
  t.equal(ready.host, "0.0.0.0");
  t.notOk("network" in ready);
  t.match(
    stderr,
    "the ready line has no network URLs: deno may not list this machine's addresses (run deno with --allow-sys=networkInterfaces)",
  );
  t.equal(await issuesToken(ready.url), 200);
  child.kill("SIGTERM");
  await once(child, "close");
});
