import { readFile, rm, writeFile } from "node:fs/promises";
import pkg from "../../package.json" with { type: "json" };
import { startMock } from "../runtime/node.ts";
import { runCli } from "./main.ts";

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
});
// Let stdout drain, then leave even if a socket lingers.
process.exitCode = code;
setImmediate(() => process.exit(code));
