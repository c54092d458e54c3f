import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { runConform } from "../conformance/cli.ts";
import { runCli } from "../mock-server/cli/main.ts";
import { startMock } from "../mock-server/runtime/node.ts";
import pkg from "../package.json" with { type: "json" };

// A reader that stops early (`speechmock hosts | head -2`) ends the output, not the CLI with a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const code = await runCli({
  runtime: "node",
  version: pkg.version,
  pid: process.pid,
  argv: process.argv.slice(2),
  readTextFile: (path) => readFile(path, "utf8"),
  readFile: (path) => readFile(path),
  removeFile: (path) => rm(path, { force: true }),
  writeTextFile: (path, text) => writeFile(path, text),
  stdoutIsTerminal: process.stdout.isTTY === true,
  env: (name) => process.env[name],
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  onShutdownSignal: (handler) => {
    process.once("SIGINT", () => handler("SIGINT"));
    process.once("SIGTERM", () => handler("SIGTERM"));
  },
  startMock,
  commands: { conform: runConform },
  spawn: (command, args, env) => {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    return { exit, kill: (signal) => child.kill(signal as NodeJS.Signals) };
  },
});
// Let stdout drain, then leave even if a socket lingers.
process.exitCode = code;
setImmediate(() => process.exit(code));
