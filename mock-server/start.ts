import type { UpgradeWebSocket } from "hono/ws";
import type { JSONWebKeySet } from "jose";
import { createMockApp } from "./app.ts";
import { epochSeconds } from "./clock.ts";
import { createContext, type MockContext } from "./context.ts";
import { controlPrefix } from "./control/prefix.ts";
import { resetToStart } from "./control/routes.ts";
import type { ControlledClock } from "./controlled-clock.ts";
import { MockError } from "./errors.ts";
import type { FaultRegistry } from "./faults/registry.ts";
import { type FetchHandler, limitConnections } from "./http/limits.ts";
import type { Journal } from "./journal.ts";
import { speechClaims } from "./jwt/claims.ts";
import { type MockOptions, resolveOptions } from "./options.ts";
import type { PcmHasherFactory } from "./stt/pcm-hash.ts";
import type { ResourceRegistry } from "./subscriptions/registry.ts";
import type { Resource } from "./subscriptions/resource.ts";

/** What a runtime adapter supplies: its WebSocket upgrade and a way to listen. Nothing else. */
export interface Runtime {
  name: "node" | "deno";
  upgradeWebSocket: UpgradeWebSocket;
  /** The runtime's native incremental SHA-256, if it has one. */
  pcmHasher?: PcmHasherFactory;
  listen(fetch: FetchHandler<object>, options: ListenOptions): Promise<Listener>;
  /**
   * This machine's interface addresses, for the `network` URLs of a mock bound to every address
   * (`0.0.0.0`, `::`); undefined when the runtime may not list them (Deno without
   * `--allow-sys=networkInterfaces`). Asked only for such a mock.
   */
  networkAddresses?(): readonly NetworkAddress[] | undefined;
}

/** One address of one of the machine's interfaces, as `os.networkInterfaces()` and `Deno.networkInterfaces()` give it. */
export interface NetworkAddress {
  address: string;
  family: "IPv4" | "IPv6";
}

/** What a runtime adapter is told when asked to listen. */
export interface ListenOptions {
  hostname: string;
  port: number;
  /** Seconds a client may take to send a request's head, then its body. */
  headerTimeoutSeconds: number;
  bodyTimeoutSeconds: number;
  /** Also serve the app over TLS on this port, with this PEM certificate (chain) and key. */
  tls?: TlsListen;
}

export interface TlsListen {
  port: number;
  cert: string;
  key: string;
}

export interface Listener {
  port: number;
  /** The TLS port, when asked to serve TLS. */
  tlsPort?: number;
  /** Stops accepting and drops idle HTTP connections; open WebSockets are closed before. */
  close(): Promise<void>;
}

export interface ResourceInfo {
  name: string;
  region: string;
  tier: Resource["tier"];
  state: Resource["state"];
  keys: readonly [string, string];
}

export interface MintTokenOptions {
  /** Resource name; the first enabled resource by default. */
  resource?: string;
  /** The region the token is for; another region than the resource's makes a wrong-region token. */
  region?: string;
  /** Seconds until expiry from the mock's clock; zero or negative makes an expired token. */
  expiresIn?: number;
}

export interface MockServer extends AsyncDisposable {
  runtime: Runtime["name"];
  /** `http://host:port`, the base of every HTTP URL. */
  url: string;
  /** The token service URL. */
  sts: string;
  /** The control plane's base URL (`<url>/__speechmock`): health, journal, OpenAPI document. */
  admin: string;
  /** The WebSocket base URL; append a speech path such as `/speech/recognition/interactive/cognitiveservices/v1`. */
  ws: string;
  /**
   * Bound to every address (`hostname` `0.0.0.0` or `::`): `http://` URLs of this machine's other
   * addresses, where other machines reach it (`url` stays the loopback one, as Vite prints Local and
   * Network). Absent otherwise, or when the runtime may not list the interfaces.
   */
  network?: string[];
  port: number;
  /** With `tls`: where the same app is served over TLS, and what a client needs to trust it. */
  tls?: MockTls;
  /** The address it is bound to, as given: `127.0.0.1` by default, `0.0.0.0` or `::` for every address. */
  hostname: string;
  region: string;
  resources: ResourceInfo[];
  /** The public key that verifies every token this mock signs. */
  jwks: JSONWebKeySet;
  /** What the mock saw and did: token requests, handshakes, faults, protocol messages, violations, turns, closes. Bounded. */
  journal: Journal;
  /** The mock's clock: `now()`, `set(epochMs, frozen?)`, `advance(ms)`, `reset()`; the control plane's `/clock`. */
  clock: ControlledClock;
  /** Fault rules: `add(rule)`, `list()`, `remove(id)`, `clear()`; the control plane's `/faults`. */
  faults: FaultRegistry;
  /** The resources as they are now, changeable: `list()`, `add()`, `setState()`, `remove()`, `regenerateKey()`. */
  registry: ResourceRegistry;
  /** Back to the start-up state: resources, fault rules, clock and journal; the control plane's `/reset`. */
  reset(): void;
  /** Signs a token as the token service would, or an expired or wrong-region one for tests. */
  mintToken(options?: MintTokenOptions): Promise<string>;
  /** Closes open sockets with `1001` and stops listening. */
  close(): Promise<void>;
}

export interface MockTls {
  /** `https://host:port`. */
  url: string;
  /** `wss://host:port`. */
  ws: string;
  port: number;
  /** The local CA's PEM file (`NODE_EXTRA_CA_CERTS`, `curl --cacert`); absent with the user's own certificate. */
  ca?: string;
  /** Base64 SHA-256 of the certificate's public key: Chromium's `--ignore-certificate-errors-spki-list`. */
  spki: string;
  /** The TLS directory: the local CA, and the ready line the CLI keeps there while it runs. */
  dir: string;
}

const urlHost = (hostname: string): string => {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
};

/** Whether a bound address is every address of the machine. */
export const isWildcardHost = (hostname: string): boolean => hostname === "0.0.0.0" || hostname === "::";

/**
 * The URLs by which other machines reach a mock bound to every address: each non-loopback address
 * (IPv4 for `0.0.0.0`; IPv4 and IPv6 for `::`, which takes both), link-local IPv6 left out (it
 * needs a zone in a URL), each once.
 */
export function networkUrls(hostname: string, port: number, addresses: readonly NetworkAddress[]): string[] {
  const urls = addresses
    .filter(({ address, family }) =>
      family === "IPv4" ? !address.startsWith("127.") : hostname === "::" && address !== "::1" && !/^fe[89ab]/i.test(address),
    )
    .map(({ address, family }) => `http://${family === "IPv6" ? `[${address}]` : address}:${port}`);
  return [...new Set(urls)];
}

async function mintToken(ctx: MockContext, options: MintTokenOptions = {}): Promise<string> {
  const resource =
    options.resource === undefined ? ctx.resources.list().find((r) => r.state === "enabled") : ctx.resources.byName(options.resource);
  if (!resource) {
    throw new MockError(
      "ERR_OPTION_INVALID",
      options.resource === undefined ? "No enabled resource to mint a token for" : `Unknown resource "${options.resource}"`,
    );
  }
  const exp = epochSeconds(ctx.options.clock) + (options.expiresIn ?? ctx.options.tokenLifetimeSeconds);
  return ctx.signer.signFresh(speechClaims(resource, options.region ?? resource.region, exp));
}

/** Starts a mock on the given runtime. Fails whole, before listening, on any bad option. */
export async function startOn(runtime: Runtime, options: MockOptions = {}): Promise<MockServer> {
  const resolved = resolveOptions(options);
  const ctx = await createContext(resolved, runtime.pcmHasher);
  const app = createMockApp(ctx, runtime.upgradeWebSocket);
  let lastRefusalLog = 0;
  let refusedUnlogged = 0;
  const fetch = limitConnections(app.fetch, {
    max: resolved.maxConnections,
    maxHandshakes: resolved.maxHandshakes,
    openSockets: () => ctx.sockets.size,
    // One line a second at most: a flood of refusals must not become a flood of log lines.
    onRefused: (req, { reason, inUse, max, flag }) => {
      const url = new URL(req.url);
      ctx.journal.record({
        type: "request.refused",
        method: req.method,
        ...(url.host ? { host: url.host } : {}),
        path: url.pathname,
        status: 503,
        reason,
        inUse,
        max,
      });
      refusedUnlogged++;
      const now = Date.now();
      if (now - lastRefusalLog < 1000) return;
      const more = refusedUnlogged > 1 ? ` (and ${refusedUnlogged - 1} more since the last such line)` : "";
      ctx.report({
        type: "error",
        message: `Refused ${req.method} ${url.pathname} with 503 ${reason}: ${inUse} of ${flag} ${max} in use${more}`,
      });
      lastRefusalLog = now;
      refusedUnlogged = 0;
    },
  });
  // Loaded only with TLS: certificates take a library that plain HTTP has no use for.
  const served = resolved.tls ? await (await import("./tls/serving.ts")).servedCertificate(resolved) : undefined;
  const listener = await runtime.listen(fetch, {
    hostname: resolved.hostname,
    port: resolved.port,
    headerTimeoutSeconds: resolved.headerTimeoutSeconds,
    bodyTimeoutSeconds: resolved.bodyTimeoutSeconds,
    ...(served ? { tls: { port: resolved.tlsPort, cert: served.cert, key: served.key } } : {}),
  });
  const url = `http://${urlHost(resolved.hostname)}:${listener.port}`;
  const addresses = isWildcardHost(resolved.hostname) ? runtime.networkAddresses?.() : undefined;
  const network = addresses && networkUrls(resolved.hostname, listener.port, addresses);
  const secureUrl = `https://${urlHost(resolved.hostname)}:${listener.tlsPort}`;
  const tls: MockTls | undefined = served && {
    url: secureUrl,
    ws: secureUrl.replace(/^https/, "wss"),
    port: listener.tlsPort as number,
    ...(served.caPath ? { ca: served.caPath } : {}),
    spki: served.spki,
    dir: served.dir,
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      ctx.sockets.closeAll(1001, "Server shutting down");
      await listener.close();
    })();
    return closing;
  };
  return {
    runtime: runtime.name,
    url,
    sts: `${url}/sts/v1.0/issueToken`,
    admin: `${url}${controlPrefix}`,
    ws: url.replace(/^http/, "ws"),
    ...(network ? { network } : {}),
    port: listener.port,
    ...(tls ? { tls } : {}),
    hostname: resolved.hostname,
    region: resolved.region,
    resources: ctx.resources.list().map(({ name, region, tier, state, keys }) => ({ name, region, tier, state, keys })),
    jwks: ctx.keys.jwks,
    journal: ctx.journal,
    clock: ctx.clock,
    faults: ctx.faults,
    registry: ctx.resources,
    reset: () => resetToStart(ctx),
    mintToken: (o) => mintToken(ctx, o),
    close,
    [Symbol.asyncDispose]: close,
  };
}
