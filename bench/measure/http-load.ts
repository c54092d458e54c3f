/** issueToken throughput and latency with autocannon, after a check that the answer is a 200. */
import { request } from "node:https";
import autocannon, { type Result } from "autocannon";
import { devKey, issueTokenPath, keyHeader } from "./dev-credentials.ts";
import { cpuTimeMs } from "./proc.ts";
import { median } from "./stats.ts";

export interface Server {
  pid: number;
  url: string;
}

/** One stretch of load against one server. */
export interface HttpSample {
  completed: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx, connection errors and timeouts: any of these makes the figure suspect. */
  failures: number;
  serverCpuMs: number;
}

export interface HttpLoad {
  requestsPerSecond: number;
  /** The median over the samples of each sample's p99. */
  p99Ms: number;
  failures: number;
  /** The server's CPU time per answered request, in microseconds: less sensitive to a busy machine than the rate. */
  serverCpuUs: number;
}

const options = (baseUrl: string, connections: number, seconds: number) => ({
  url: `${baseUrl}${issueTokenPath}`,
  method: "POST",
  headers: { [keyHeader]: devKey },
  connections,
  duration: seconds,
  timeout: 5,
});

/** Fails unless the server answers a token request with a 200 and a token-sized body. */
export async function checkIssueToken(baseUrl: string): Promise<void> {
  const probe = await fetch(`${baseUrl}${issueTokenPath}`, { method: "POST", headers: { [keyHeader]: devKey } });
  const body = await probe.text();
  if (probe.status !== 200 || body.length < 100)
    throw new Error(`issueToken probe of ${baseUrl} got ${probe.status} with ${body.length} bytes`);
}

/** The same check over HTTPS, trusting only `caPem` (autocannon itself does not verify certificates). */
export async function checkIssueTokenHttps(baseUrl: string, caPem: string): Promise<void> {
  const { status, length } = await new Promise<{ status: number; length: number }>((resolve, reject) => {
    const req = request(`${baseUrl}${issueTokenPath}`, { method: "POST", headers: { [keyHeader]: devKey }, ca: caPem }, (res) => {
      let length = 0;
      res.on("data", (chunk: Buffer) => {
        length += chunk.length;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, length }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  if (status !== 200 || length < 100) throw new Error(`issueToken probe of ${baseUrl} got ${status} with ${length} bytes`);
}

export async function loadIssueToken(server: Server, connections: number, seconds: number): Promise<HttpSample> {
  const cpuBefore = cpuTimeMs(server.pid);
  const r = await autocannon(options(server.url, connections, seconds));
  return sampleOf(r, server, cpuBefore);
}

/** What one autocannon run says of a server, with the CPU time the server spent since `cpuBefore`. */
export function sampleOf(r: Result, server: Server, cpuBefore: number): HttpSample {
  return {
    completed: r["2xx"],
    seconds: r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    failures: r.non2xx + r.errors + r.timeouts,
    serverCpuMs: cpuTimeMs(server.pid) - cpuBefore,
  };
}

export function summarizeHttp(samples: readonly HttpSample[]): HttpLoad {
  const sum = (f: (s: HttpSample) => number) => samples.reduce((acc, s) => acc + f(s), 0);
  const completed = sum((s) => s.completed);
  return {
    requestsPerSecond: completed / sum((s) => s.seconds),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    failures: sum((s) => s.failures),
    serverCpuUs: (sum((s) => s.serverCpuMs) * 1000) / Math.max(1, completed),
  };
}
