/**
 * Sends connections for Azure's Speech hostnames to the mock, by patching the two places every
 * Node client goes through: `tls.connect` (`https`, `fetch`/undici and `ws` all open their TLS
 * sockets with it) and `dns.lookup` (for code that resolves a name before connecting). The TLS
 * server name stays the Azure one, so the certificate is checked against it as in production;
 * only the address and port change: port 443 becomes the mock's TLS port.
 */
import dns from "node:dns";
import tls from "node:tls";
import { isAzureSpeechHost } from "./azure-host.ts";
import type { MockLocation } from "./mock-location.ts";

type ConnectOptions = tls.ConnectionOptions & { host?: string; port?: number | string };

function redirected(options: ConnectOptions, mock: MockLocation): ConnectOptions {
  const name = options.host ?? options.servername;
  if (options.socket !== undefined || !isAzureSpeechHost(name)) return options;
  const port = Number(options.port ?? 443);
  return { ...options, servername: options.servername ?? name, host: mock.host, port: port === 443 ? mock.port : port };
}

/** `tls.connect(options[, cb])` and `tls.connect(port[, host][, options][, cb])`, as Node documents them. */
function patchTlsConnect(mock: MockLocation): void {
  const original = tls.connect as (this: unknown, ...args: unknown[]) => tls.TLSSocket;
  const patched = function (this: unknown, ...args: unknown[]) {
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    const [first, second, third] = args;
    if (typeof first === "object" && first !== null) return original.call(this, redirected(first as ConnectOptions, mock), callback);
    if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
      const host = typeof second === "string" ? second : undefined;
      const rest = (host === undefined ? second : third) as ConnectOptions | undefined;
      const options = { ...(typeof rest === "object" && rest !== null ? rest : {}), port: Number(first), ...(host ? { host } : {}) };
      return original.call(this, redirected(options, mock), callback);
    }
    return original.apply(this, args);
  };
  tls.connect = patched as typeof tls.connect;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function patchLookup(mock: MockLocation): void {
  const family = mock.host.includes(":") ? 6 : 4;
  const original = dns.lookup;
  dns.lookup = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === "function" ? options : callback) as LookupCallback;
    if (!isAzureSpeechHost(hostname)) return (original as (...a: unknown[]) => void)(hostname, options, callback);
    const all = typeof options === "object" && options !== null && (options as dns.LookupOptions).all === true;
    queueMicrotask(() => (all ? cb(null, [{ address: mock.host, family }]) : cb(null, mock.host, family)));
  }) as typeof dns.lookup;
  const originalPromise = dns.promises.lookup;
  dns.promises.lookup = (async (hostname: string, options?: unknown) => {
    if (!isAzureSpeechHost(hostname)) return (originalPromise as (...a: unknown[]) => Promise<unknown>)(hostname, options);
    const all = typeof options === "object" && options !== null && (options as dns.LookupOptions).all === true;
    return all ? [{ address: mock.host, family }] : { address: mock.host, family };
  }) as typeof dns.promises.lookup;
}

export function redirectAzureToMock(mock: MockLocation): void {
  patchTlsConnect(mock);
  patchLookup(mock);
}
