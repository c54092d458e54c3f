/** The servers under test: speechmock on each runtime, and the bare server it is compared to. */
import { commandFor, denoBin, type RuntimeName, root } from "../mock-server/testing/spawn.ts";

export type ServerKind = "speechmock" | "bare" | "jose";

export interface ServerSpec {
  runtime: RuntimeName;
  kind: ServerKind;
  label: string;
  command: string;
  args: string[];
}

export { root };

export function speechmockSpec(runtime: RuntimeName): ServerSpec {
  const [command, args] = commandFor(runtime, ["serve", "--port", "0", "--log-format", "none"]);
  return { runtime, kind: "speechmock", label: `speechmock (${runtime})`, command, args };
}

export function bareSpec(runtime: RuntimeName): ServerSpec {
  return runtime === "node"
    ? { runtime, kind: "bare", label: "node:http", command: process.execPath, args: [`${root}bench/baselines/bare-node.mjs`] }
    : { runtime, kind: "bare", label: "Deno.serve", command: denoBin, args: ["run", "--allow-net", `${root}bench/baselines/bare.deno.ts`] };
}

/** The minimal Hono + jose app verifying speechmock's tokens: `jwks` is the JWKS of its ready line, as JSON. */
export function joseSpec(runtime: RuntimeName, jwks: string): ServerSpec {
  return runtime === "node"
    ? { runtime, kind: "jose", label: "Hono+jose (node)", command: process.execPath, args: [`${root}bench/baselines/jose-node.mjs`, jwks] }
    : {
        runtime,
        kind: "jose",
        label: "Hono+jose (deno)",
        command: denoBin,
        args: ["run", "--allow-net", "--allow-read", `${root}bench/baselines/jose.deno.ts`, jwks],
      };
}
