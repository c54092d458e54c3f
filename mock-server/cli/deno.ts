import "./warm-crypto.ts"; // first: see the file
import pkg from "../../package.json" with { type: "json" };
import { startMock } from "../runtime/deno.ts";
import { runCli } from "./main.ts";

const encoder = new TextEncoder();
/** `writeSync` may write part of a buffer to a pipe; write it all. */
const writeAll = (out: typeof Deno.stdout, line: string) => {
  let bytes = encoder.encode(`${line}\n`);
  while (bytes.length > 0) bytes = bytes.subarray(out.writeSync(bytes));
};
const code = await runCli({
  runtime: "deno",
  version: pkg.version,
  pid: Deno.pid,
  argv: Deno.args,
  readTextFile: (path) => Deno.readTextFile(path),
  readFile: (path) => Deno.readFile(path),
  removeFile: (path) => Deno.remove(path),
  writeTextFile: (path, text) => Deno.writeTextFile(path, text),
  stdoutIsTerminal: Deno.stdout.isTerminal(),
  env: (name) => Deno.env.get(name),
  stdout: (line) => writeAll(Deno.stdout, line),
  stderr: (line) => writeAll(Deno.stderr, line),
  onShutdownSignal: (handler) => {
    Deno.addSignalListener("SIGINT", () => handler("SIGINT"));
    Deno.addSignalListener("SIGTERM", () => handler("SIGTERM"));
  },
  startMock,
});
Deno.exit(code);
