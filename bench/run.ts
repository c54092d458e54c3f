/**
 * `npm run bench`: speechmock on Node and on Deno against a bare server on the same runtime, all
 * measured in this one run, printed as one table. Exits 0 even when a target is missed (the
 * table says MISS); exits 1 only when the bench itself cannot run.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { config, type Section, sectionNames } from "./config.ts";
import { measureConformance } from "./measure/conformance.ts";
import { fetchToken, speechUrl } from "./measure/dev-credentials.ts";
import { type HandshakeRate, runHandshakes, summarizeHandshakes } from "./measure/handshake-rate.ts";
import { checkIssueToken, checkIssueTokenHttps, type HttpLoad, loadIssueToken, summarizeHttp } from "./measure/http-load.ts";
import { interleave } from "./measure/interleave.ts";
import { measureHeldMemory } from "./measure/memory.ts";
import { openFilesLimit, residentKiB } from "./measure/proc.ts";
import { checkRest, loadRest, restBodyBytes, restClip } from "./measure/rest-load.ts";
import { runSoak, type Soak } from "./measure/soak.ts";
import { benchClip, chunkBytes, loadClip } from "./measure/speech-turn.ts";
import { runSpeechRound, type SpeechLoad, type SpeechSample, summarizeSpeech } from "./measure/speech-turns.ts";
import { measureStartTimes } from "./measure/start-time.ts";
import { bareTtsPath, checkTtsRest, loadTtsRest, probeTtsRest, ttsFormat, ttsPath, ttsText } from "./measure/tts-rest.ts";
import {
  bareTtsUrl,
  mockTtsUrl,
  probeSpeak,
  runSpeaks,
  type SpeakLoad,
  type SpeakShape,
  summarizeSpeaks,
  type TtsWsServer,
} from "./measure/tts-speaks.ts";
import { killAll, type Started, startProcess, stopProcess } from "./processes.ts";
import { type Figures, rowsFor, tokenHandshakesAcrossRuntimes } from "./report/rows.ts";
import { misses, renderTable } from "./report/table.ts";
import {
  type BenchCertificate,
  bareSpec,
  bareTlsSpec,
  benchCertificate,
  joseSpec,
  root,
  type ServerSpec,
  speechmockSpec,
  speechmockTlsSpec,
} from "./servers.ts";

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: root, encoding: "utf8" }).split("\n")[0] ?? "?";
  } catch {
    return "?";
  }
}

/**
 * Recognition turns on freshly started servers (the others have grown their heaps by now): the
 * first round gives the memory figure and warms them up, then `rounds` rounds alternate.
 */
async function measureSpeech(specs: readonly ServerSpec[]): Promise<SpeechLoad[]> {
  const clip = loadClip(benchClip);
  const options = {
    sessions: config.sessions,
    ratePerSecond: config.speechRate,
    streams: config.speechStreams,
    batch: config.connectBatch,
    settleMs: config.settleMs,
  };
  const fresh: Started[] = [];
  try {
    for (const spec of specs) fresh.push(await startProcess(spec.command, spec.args, root));
    await sleep(config.settleMs);
    const servers = specs.map((spec, i) => {
      const { pid, ready } = fresh[i] as Started;
      return { pid, url: speechUrl(ready.url), displayText: spec.kind === "speechmock" ? clip.displayText : undefined };
    });
    const first: SpeechSample[] = [];
    for (const server of servers) first.push(await runSpeechRound(server, clip, options));
    const rounds = await interleave(servers, config.rounds, (server) => runSpeechRound(server, clip, options));
    return servers.map((_, i) => summarizeSpeech(first[i] as SpeechSample, rounds[i] ?? [], config.speechRate));
  } finally {
    await Promise.all(fresh.map((s) => stopProcess(s.child)));
  }
}

/**
 * Token handshakes on speechmock (already running) and on a minimal Hono + jose app started here
 * with speechmock's JWKS, in turns: one token from speechmock's token service, reused throughout.
 */
async function measureTokenHandshakes(
  runtime: ServerSpec["runtime"],
  mock: Started,
): Promise<{ mock: HandshakeRate; jose: HandshakeRate }> {
  const { rounds, warmupSeconds, handshakeConcurrency } = config;
  const jwks = (mock.ready as { jwks?: unknown }).jwks;
  if (jwks === undefined) throw new Error("speechmock's ready line has no jwks");
  const token = await fetchToken(mock.ready.url);
  const spec = joseSpec(runtime, JSON.stringify(jwks));
  const jose = await startProcess(spec.command, spec.args, root);
  try {
    await sleep(config.settleMs);
    // Baseline first, as in the other sections.
    const servers = [jose, mock].map(({ pid, ready }) => ({ pid, url: speechUrl(ready.url), token }));
    for (const s of servers) await runHandshakes(s, handshakeConcurrency, warmupSeconds);
    const hs = await interleave(servers, rounds, (s) => runHandshakes(s, handshakeConcurrency, config.tokenHandshakeSeconds / rounds));
    return { jose: summarizeHandshakes(hs[0] ?? []), mock: summarizeHandshakes(hs[1] ?? []) };
  } finally {
    await stopProcess(jose.child);
  }
}

/**
 * issueToken over HTTPS: speechmock with `--tls` on `runtime` and a bare node:https server, both
 * started here and serving the same certificate, loaded as the issueToken section loads plain HTTP.
 */
async function measureHttps(runtime: ServerSpec["runtime"], cert: BenchCertificate): Promise<{ mock: HttpLoad; bare: HttpLoad }> {
  const { rounds, warmupSeconds, httpConnections, httpSeconds } = config;
  const specs = [bareTlsSpec(cert), speechmockTlsSpec(runtime, cert)];
  const fresh: Started[] = [];
  try {
    for (const spec of specs) fresh.push(await startProcess(spec.command, spec.args, root));
    await sleep(config.settleMs);
    const servers = fresh.map(({ pid, ready }) => {
      const tls = (ready as { tls?: { url: string } }).tls;
      return { pid, url: tls?.url ?? ready.url };
    });
    for (const s of servers) {
      if (!s.url.startsWith("https:")) throw new Error(`not an HTTPS server: ${s.url}`);
      await checkIssueTokenHttps(s.url, cert.caPem);
      await loadIssueToken(s, httpConnections, warmupSeconds);
    }
    const load = await interleave(servers, rounds, (s) => loadIssueToken(s, httpConnections, httpSeconds / rounds));
    return { bare: summarizeHttp(load[0] ?? []), mock: summarizeHttp(load[1] ?? []) };
  } finally {
    await Promise.all(fresh.map((s) => stopProcess(s.child)));
  }
}

interface TtsFigures {
  rest: HttpLoad;
  speaks: SpeakLoad;
}

/**
 * Text to speech on speechmock and its bare baseline (both already running): speechmock's answers
 * are probed first, and the bare server is asked to stream as many bytes (REST, in chunks of 100 ms
 * of audio) and as many binary frames and bytes (WebSocket). REST, then WebSocket, each in turns.
 */
async function measureTts(
  bare: { pid: number; url: string },
  mock: { pid: number; url: string },
): Promise<{ bare: TtsFigures; mock: TtsFigures; bytes: number; shape: SpeakShape }> {
  const { rounds, warmupSeconds, ttsConnections: connections, ttsSeconds } = config;
  const mockRestUrl = `${mock.url}${ttsPath}`;
  const bytes = await probeTtsRest(mockRestUrl);
  const rest = [
    { pid: bare.pid, url: `${bare.url}${bareTtsPath(bytes)}` },
    { pid: mock.pid, url: mockRestUrl },
  ];
  for (const s of rest) {
    await checkTtsRest(s.url, bytes);
    await loadTtsRest(s, connections, warmupSeconds);
  }
  const restLoad = await interleave(rest, rounds, (s) => loadTtsRest(s, connections, ttsSeconds / rounds));

  const mockWs: TtsWsServer = { pid: mock.pid, url: mockTtsUrl(mock.url), sdk: true };
  const shape = await probeSpeak(mockWs);
  if (shape.audioBytes !== bytes) throw new Error(`A speak streamed ${shape.audioBytes} bytes of audio, the REST synthesis ${bytes}`);
  const ws: TtsWsServer[] = [{ pid: bare.pid, url: bareTtsUrl(bare.url, shape), sdk: false }, mockWs];
  const bareShape = await probeSpeak(ws[0] as TtsWsServer);
  if (bareShape.frames !== shape.frames || bareShape.bytes !== shape.bytes) {
    throw new Error(
      `The bare server answered ${bareShape.frames} frames of ${bareShape.bytes} bytes, not ${shape.frames} of ${shape.bytes}`,
    );
  }
  for (const s of ws) await runSpeaks(s, shape, connections, warmupSeconds);
  const speaks = await interleave(ws, rounds, (s) => runSpeaks(s, shape, connections, ttsSeconds / rounds));
  const figures = (i: number): TtsFigures => ({ rest: summarizeHttp(restLoad[i] ?? []), speaks: summarizeSpeaks(speaks[i] ?? []) });
  return { bare: figures(0), mock: figures(1), bytes, shape };
}

/** The soak on a freshly started speechmock, so its start is the idle server's memory. */
async function measureSoak(spec: ServerSpec): Promise<Soak> {
  const clip = loadClip(benchClip);
  const fresh = await startProcess(spec.command, spec.args, root);
  try {
    await sleep(config.settleMs);
    const server = { pid: fresh.pid, url: speechUrl(fresh.ready.url), displayText: clip.displayText };
    return await runSoak(server, clip, { cycles: config.soakCycles, concurrency: config.soakConcurrency, settleMs: config.soakSettleMs });
  } finally {
    await stopProcess(fresh.child);
  }
}

async function main(): Promise<void> {
  const { rounds, warmupSeconds, sections } = config;
  const runs = (section: Section) => sections.has(section);
  const self = openFilesLimit("self");
  // Each held connection costs one descriptor here and one in the server, which inherits this limit.
  const needed = config.openConnections + 256;
  const canHold = self.soft >= needed;
  const speechNeeded = config.sessions + 256;
  const canTalk = self.soft >= speechNeeded;
  log(
    `open files limit (this process, inherited by the servers): soft ${self.soft}, hard ${self.hard}; ${Math.max(needed, speechNeeded)} needed`,
  );
  if (runs("memory") && !canHold)
    log(`memory with ${config.openConnections} connections skipped: run "ulimit -n ${needed}" (or more) first`);
  if (runs("speech") && !canTalk)
    log(`speech turns on ${config.sessions} sessions skipped: run "ulimit -n ${speechNeeded}" (or more) first`);
  const canSoak = self.soft >= config.soakConcurrency + 256;
  if (runs("soak") && !canSoak) log(`soak skipped: run "ulimit -n ${config.soakConcurrency + 256}" (or more) first`);
  if (sections.size < sectionNames.length) log(`sections: ${[...sections].join(", ")} (BENCH_SECTIONS)`);

  const pairs = config.runtimes.map((runtime) => ({ runtime, specs: [bareSpec(runtime), speechmockSpec(runtime)] as const }));
  const all = pairs.flatMap((p) => p.specs);
  const figures = new Map<ServerSpec, Partial<Figures>>(all.map((spec) => [spec, {}]));
  const put = (spec: ServerSpec, f: Partial<Figures>) => Object.assign(figures.get(spec) as Partial<Figures>, f);
  const started = new Map<ServerSpec, Started>();
  const serverLimits: string[] = [];
  const loadBefore = loadavg();
  // The https section's certificate and local CA, made once (by speechmock's own code) in a temporary directory.
  let cert: BenchCertificate | undefined;
  const tlsDir = mkdtempSync(join(tmpdir(), "speechmock-bench-tls-"));
  if (runs("https")) cert = await benchCertificate(tlsDir);
  const certificate = () => cert as BenchCertificate;
  // What a synthesis streamed (the same on both runtimes), for the section's description.
  let ttsAnswer: { bytes: number; shape: SpeakShape } | undefined;

  try {
    if (runs("start")) {
      log(`start time: ${config.startRuns} runs of each server, taking turns`);
      const starts = await measureStartTimes(all, config.startRuns);
      for (const [i, spec] of all.entries()) put(spec, { start: starts[i] });
    }

    log("starting the servers under load");
    for (const spec of all) {
      const s = await startProcess(spec.command, spec.args, root);
      started.set(spec, s);
      const limit = openFilesLimit(s.pid);
      serverLimits.push(`${spec.label} ${limit.soft}`);
    }
    const server = (spec: ServerSpec) => {
      const { pid, ready } = started.get(spec) as Started;
      return { pid, url: ready.url, wsUrl: speechUrl(ready.url) };
    };
    await sleep(config.settleMs);
    for (const spec of all) put(spec, { idleKiB: residentKiB(server(spec).pid) });

    if (runs("memory") && canHold) {
      for (const spec of all) {
        log(`memory: ${config.openConnections} open connections to ${spec.label}`);
        const idle = figures.get(spec)?.idleKiB as number;
        put(spec, { memory: await measureHeldMemory(server(spec), idle, config.openConnections, config.connectBatch, config.settleMs) });
      }
    }

    for (const { runtime, specs } of pairs) {
      const names = specs.map((spec) => spec.label).join(" and ");
      const http = specs.map(server);
      if (runs("issueToken")) {
        log(`issueToken: ${config.httpConnections} connections, ${rounds} turns of ${config.httpSeconds / rounds} s, ${names}`);
        for (const s of http) {
          await checkIssueToken(s.url);
          await loadIssueToken(s, config.httpConnections, warmupSeconds);
        }
        const load = await interleave(http, rounds, (s) => loadIssueToken(s, config.httpConnections, config.httpSeconds / rounds));
        for (const [i, spec] of specs.entries()) put(spec, { http: summarizeHttp(load[i] ?? []) });
      }

      if (runs("https")) {
        log(
          `issueToken over HTTPS: ${config.httpConnections} connections, ${rounds} turns of ${config.httpSeconds / rounds} s, node:https and speechmock --tls (${runtime}), fresh, one certificate`,
        );
        const https = await measureHttps(runtime, certificate());
        put(specs[0], { https: https.bare });
        put(specs[1], { https: https.mock });
      }

      if (runs("handshakes")) {
        log(`handshakes: ${config.handshakeConcurrency} clients, ${rounds} turns of ${config.handshakeSeconds / rounds} s, ${names}`);
        const ws = http.map(({ pid, wsUrl }) => ({ pid, url: wsUrl }));
        for (const s of ws) await runHandshakes(s, config.handshakeConcurrency, warmupSeconds);
        const hs = await interleave(ws, rounds, (s) => runHandshakes(s, config.handshakeConcurrency, config.handshakeSeconds / rounds));
        for (const [i, spec] of specs.entries()) put(spec, { handshakes: summarizeHandshakes(hs[i] ?? []) });
      }

      if (runs("tokenHandshakes")) {
        log(
          `token handshakes: ${config.handshakeConcurrency} clients, ${rounds} turns of ${config.tokenHandshakeSeconds / rounds} s, Hono+jose (${runtime}) and ${specs[1].label}`,
        );
        const token = await measureTokenHandshakes(runtime, started.get(specs[1]) as Started);
        put(specs[0], { tokenHandshakes: token.jose });
        put(specs[1], { tokenHandshakes: token.mock });
      }

      if (runs("rest")) {
        log(`REST recognitions: ${config.restConnections} connections, ${rounds} turns of ${config.restSeconds / rounds} s, ${names}`);
        for (const [i, s] of http.entries()) {
          await checkRest(s.url, specs[i]?.kind === "speechmock" ? "Remind me to buy 5 pencils." : undefined);
          await loadRest(s, config.restConnections, warmupSeconds);
        }
        const load = await interleave(http, rounds, (s) => loadRest(s, config.restConnections, config.restSeconds / rounds));
        for (const [i, spec] of specs.entries()) put(spec, { rest: summarizeHttp(load[i] ?? []) });
      }

      if (runs("tts")) {
        log(
          `text to speech: ${config.ttsConnections} connections, ${rounds} turns of ${config.ttsSeconds / rounds} s, REST then WebSocket, ${names}`,
        );
        const tts = await measureTts(http[0] as { pid: number; url: string }, http[1] as { pid: number; url: string });
        put(specs[0], { ttsRest: tts.bare.rest, ttsSpeaks: tts.bare.speaks });
        put(specs[1], { ttsRest: tts.mock.rest, ttsSpeaks: tts.mock.speaks });
        ttsAnswer = { bytes: tts.bytes, shape: tts.shape };
      }

      if (runs("speech") && canTalk) {
        const streaming =
          config.speechStreams === config.sessions ? "all streaming at once" : `${config.speechStreams} streaming at a time`;
        log(
          `speech turns: ${config.sessions} sessions, paced at ${config.speechRate}/s then ${streaming}, a first round on fresh servers and ${rounds} rounds, ${names}`,
        );
        const speech = await measureSpeech(specs);
        for (const [i, spec] of specs.entries()) put(spec, { speech: speech[i] });
      }

      if (runs("soak") && canSoak) {
        log(
          `soak: ${config.soakCycles} connect-turn-close cycles, ${config.soakConcurrency} at a time, on a fresh ${specs[1].label}, then ${config.soakSettleMs} ms`,
        );
        put(specs[1], { soak: await measureSoak(specs[1]) });
      }
    }
  } finally {
    await Promise.all([...started.values()].map((s) => stopProcess(s.child)));
    killAll();
    rmSync(tlsDir, { recursive: true, force: true });
  }
  // Last, on a quiet machine: the servers above are stopped.
  for (const { runtime, specs } of runs("conformance") ? pairs : []) {
    log(`conformance: the whole suite against the reference client, the runner on ${runtime}`);
    put(specs[1], { conformance: await measureConformance(runtime) });
  }

  const rows = pairs.flatMap(({ runtime, specs: [bare, mock] }) =>
    rowsFor(runtime, figures.get(mock) as Figures, figures.get(bare) as Figures),
  );
  const mockOn = (runtime: string) => {
    const spec = pairs.find((p) => p.runtime === runtime)?.specs[1];
    return spec && (figures.get(spec) as Figures);
  };
  rows.push(...tokenHandshakesAcrossRuntimes(mockOn("node"), mockOn("deno")));
  const deno = version(`${root}node_modules/deno/deno`, ["--version"]);
  console.log(
    `speechmock bench: node ${process.version}, ${deno}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ` +
      `load average ${loadBefore[0]?.toFixed(2)} before / ${loadavg()[0]?.toFixed(2)} after`,
  );
  if ((["issueToken", "handshakes", "start", "memory"] as const).some(runs)) {
    console.log(
      `issueToken: autocannon, ${config.httpConnections} connections, ${config.httpSeconds} s (p99: median of the turns); ` +
        `handshakes: ${config.handshakeConcurrency} raw node:net clients in flight, ${config.handshakeSeconds} s; each in ${rounds} turns alternating with the baseline; ` +
        `start: median of ${config.startRuns}; memory: VmRSS, ${config.openConnections} connections, opened ${config.connectBatch} at a time`,
    );
  }
  if (runs("https")) {
    console.log(
      `issueToken over HTTPS: the same autocannon load (${config.httpConnections} kept-alive connections, ${config.httpSeconds} s in ${rounds} turns) ` +
        "against speechmock --tls --tls-cert (its TLS port) on each runtime and a bare node:https server (bench/baselines/bare-https-node.mjs; " +
        "on Deno too: Deno.serve over TLS delays each POST's answer ~44 ms, see bench/servers.ts), both fresh and serving one certificate " +
        "from a local CA made by speechmock's code; " +
        "plain HTTP is the issueToken rows: speechmock without --tls, as before",
    );
  }
  if (runs("tokenHandshakes")) {
    console.log(
      `token handshakes: the same raw clients sending Authorization: Bearer <jwt> (one token from the server's issueToken, reused), ` +
        `${config.tokenHandshakeSeconds} s in ${rounds} turns; baseline: a minimal Hono + jose app on the same runtime verifying the same ES256 tokens ` +
        "(jwtVerify against speechmock's JWKS) and upgrading (bench/baselines/jose-node.mjs, jose.deno.ts)",
    );
  }
  if (runs("rest")) {
    console.log(
      `REST: autocannon, ${config.restConnections} connections, ${config.restSeconds} s, each request posting ${restClip} ` +
        `(${restBodyBytes.toLocaleString("en-US")} bytes) with a key to the REST API for short audio; baseline: the same bodies read to their end, ` +
        "a fixed JSON of the same length answered",
    );
  }
  if (runs("tts") && ttsAnswer) {
    const { bytes, shape } = ttsAnswer;
    const n = (x: number) => x.toLocaleString("en-US");
    console.log(
      `tts: ${config.ttsConnections} connections, ${config.ttsSeconds} s in ${rounds} turns alternating with the baseline, each after a ` +
        `${warmupSeconds} s warm-up; one SSML (en-US-JennyNeural, ${JSON.stringify(ttsText)}) as ${ttsFormat}: ${n(bytes)} bytes of audio. ` +
        `REST: autocannon posting it with a key to ${ttsPath}, the answer streamed chunked in 100 ms chunks; baseline: the same body ` +
        `read to its end, then ${n(bytes)} bytes written in as many chunks. WebSocket: \`ws\` clients, one speak in flight each, ` +
        "in a loop (speech.config once, synthesis.context and ssml, every metadata switch off; p99 from the ssml message to turn.end), " +
        `each answer checked: ${shape.frames} binary audio messages, ${n(shape.bytes)} bytes with their headers; baseline: one text ` +
        "message answered with as many binary messages and bytes, then a turn.end text",
    );
  }
  if (runs("speech")) {
    console.log(
      `speech: ${config.sessions} sessions held open (opened ${config.connectBatch} at a time), each streaming ${benchClip} in ` +
        `${chunkBytes.toLocaleString("en-US")}-byte chunks as fast as its socket takes them, twice a round: paced (turns started at ` +
        `${config.speechRate}/s: p50/p99 from writing the end-of-audio message to reading turn.end) and in a burst ` +
        `(${config.speechStreams === config.sessions ? "all at once" : `${config.speechStreams} at a time`}: turns/s); ` +
        `on fresh servers, a first round then ${rounds} rounds alternating with the baseline; ` +
        "memory: VmRSS in the first round: per idle session, what the second half of the sessions added, each after its paced turn " +
        "(the marginal cost of one); RSS growth / sessions also counts the heap the first turns grew",
    );
  }
  if (runs("soak")) {
    console.log(
      `soak: ${config.soakCycles.toLocaleString("en-US")} cycles on a fresh speechmock, ${config.soakConcurrency} at a time, each opening an ` +
        `authenticated speech WebSocket (key), running one turn of ${benchClip} and closing; VmRSS at the start (idle, the baseline column), ` +
        `right after the last close and ${config.soakSettleMs} ms later`,
    );
  }
  console.log(
    `open files (soft ulimit -n): bench client ${self.soft}, servers: ${serverLimits.join(", ")}; ${needed} needed for the memory rows` +
      (canHold ? "" : " (SKIPPED: raise ulimit -n)") +
      `, ${speechNeeded} for the speech rows${canTalk ? "" : " (SKIPPED: raise ulimit -n)"}`,
  );
  if (runs("conformance")) {
    console.log(
      "conformance: `speechmock conform` against fixtures/clients/reference on the runner's runtime, 4 cases at a time, wall time; " +
        "baseline: the same client interpreter started and stopped once per case in the same 4 lanes",
    );
  }
  console.log(
    "server CPU: user+system time of the server process (/proc/<pid>/stat) in the measured turns, per request, handshake, speech turn or speak; " +
      "client CPU: this process's, per handshake, speech turn or speak\n",
  );
  console.log(renderTable(rows));
  const missed = misses(rows);
  console.log(
    missed.length === 0
      ? "\nAll targets met."
      : `\nMISS: ${missed.map((r) => `${r.metric} on ${r.runtime} (${r.target?.text})`).join("; ")}`,
  );
}

main().catch((err) => {
  killAll();
  console.error(`bench: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
});
