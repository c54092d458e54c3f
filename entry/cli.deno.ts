import "../mock-server/cli/warm-crypto.ts"; // first: see the file
import { runConform } from "../conformance/cli.ts";
import { runCli } from "../mock-server/cli/main.ts";
import { startMock } from "../mock-server/runtime/deno.ts";
import pkg from "../package.json" with { type: "json" };

const encoder = new TextEncoder();
/**
 * `writeSync` may write part of a buffer to a pipe; write it all. A reader that stops early
 * (`speechmock hosts | head -1`) ends the output, not the CLI with a stack trace: as on Node.
 */
const writeAll = (out: typeof Deno.stdout, line: string) => {
  let bytes = encoder.encode(`${line}\n`);
  try {
    while (bytes.length > 0) bytes = bytes.subarray(out.writeSync(bytes));
  } catch (err) {
    if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
    if (out === Deno.stdout) Deno.exit(0);
  }
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
  commands: { conform: runConform },
  spawn: (command, args, env) => {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command, {
        args: [...args],
        env: { ...env },
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
    } catch (err) {
      // As Node names them: exec tells "not found" (127) from "not executable" (126).
      const code = err instanceof Deno.errors.NotFound ? "ENOENT" : err instanceof Deno.errors.PermissionDenied ? "EACCES" : undefined;
      return { exit: Promise.reject(Object.assign(err as Error, code ? { code } : {})), kill: () => {} };
    }
    return {
      exit: child.status.then((s) => ({ code: s.signal === null ? s.code : null, signal: s.signal })),
      kill: (signal) => {
        try {
          child.kill(signal as Deno.Signal);
        } catch {
          // It has ended already.
        }
      },
    };
  },
});
Deno.exit(code);
