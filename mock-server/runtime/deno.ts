import type { MockOptions } from "../options.ts";
import { type MockServer, type NetworkAddress, type Runtime, startOn } from "../start.ts";
import { nodeHttpRuntime } from "./node-http.ts";

/** What of the `Deno` namespace lists the interfaces (typed here: the Node type check has no `Deno`). */
interface DenoInterfaces {
  permissions: { querySync(p: { name: "sys"; kind: "networkInterfaces" }): { state: string } };
  networkInterfaces(): NetworkAddress[];
}

/**
 * The interfaces, if the process may list them (`--allow-sys=networkInterfaces`, as the tasks
 * grant it); never a permission prompt on a terminal, for a line of the ready line.
 */
function denoNetworkAddresses(): NetworkAddress[] | undefined {
  const deno = (globalThis as { Deno?: DenoInterfaces }).Deno;
  if (deno === undefined || deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" }).state !== "granted") return undefined;
  return deno.networkInterfaces().map(({ address, family }) => ({ address, family }));
}

/**
 * Deno: the same transport as Node, through Deno's `node:http` (see node-http.ts for why not
 * `Deno.serve`). Only the name differs, so a ready line and a report say which runtime ran; and
 * the interfaces come from `Deno.networkInterfaces()`.
 */
export const denoRuntime: Runtime = { ...nodeHttpRuntime("deno"), networkAddresses: denoNetworkAddresses };

/** Starts a mock on Deno. See `MockOptions` for every option and its default. */
export const startMock = (options?: MockOptions): Promise<MockServer> => startOn(denoRuntime, options);
