import { type Clock, systemClock } from "./clock.ts";
import { MockError } from "./errors.ts";
import { type Logger, silentLogger } from "./events.ts";
import { jsonPath } from "./fixture-file.ts";
import { builtinResources } from "./subscriptions/builtin.ts";
import { parseSubscriptions } from "./subscriptions/load.ts";
import type { Resource } from "./subscriptions/resource.ts";
import { regionName, type SubscriptionsFile } from "./subscriptions/schema.ts";
import { builtinTranscripts } from "./transcripts/builtin.ts";
import { parseTranscripts } from "./transcripts/load.ts";
import type { Transcripts, TranscriptsFile } from "./transcripts/schema.ts";
import { builtinVoices, parseVoices, type VoiceRegistry, type VoicesFile } from "./tts/voices.ts";
import * as z from "./zod.ts";

/** Every default of an option, in one place (the schema below takes each, so each is type-checked there). */
export const defaults = {
  /** Programs and test suites want a free port; people want one to remember (`cliPort`). */
  port: 0,
  cliPort: 8410,
  tls: false,
  tlsPort: 0,
  /** The CLI's TLS port: 443's usual stand-in, for people to remember. */
  cliTlsPort: 8443,
  hostname: "127.0.0.1",
  region: "westus",
  tokenLifetimeSeconds: 600,
  authFailureStyle: "legacy",
  stsKeyInQuery: false,
  quotaExceeded: "close",
  idleTimeoutSeconds: 180,
  responseLatencyMs: 50,
  connectionLifetimeSeconds: 600,
  /** Far above what a test suite opens; a shell whose descriptor limit is lower degrades first (see the README's Limits). */
  maxConnections: 10_000,
  /** Ten times what a 2-core machine verifies in 100 ms (ES256), far above any client's burst. */
  maxHandshakes: 1_000,
  headerTimeoutSeconds: 10,
  /** Longer than the REST API's 60 s of audio, which a client may stream at real-time pace. */
  bodyTimeoutSeconds: 90,
  journalSize: 10_000,
  /** 64 MiB: about 300,000 audio message entries, or 10,000 handshakes with 6 KiB of headers and query. */
  journalBytes: 64 * 1024 * 1024,
  adminHosts: [],
} as const; // each checked against its option's type where the schema below takes it as its default

const seconds = z.number().check(z.gt(0, "Expected a number of seconds above 0"), z.lte(86_400, "Expected at most 86400 seconds (a day)"));

/** A name the control plane may be reached by: a DNS name or an IP address, without a port. */
const adminHostName = z
  .string()
  .check(z.regex(/^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])$/i, "Expected a host name without a port, such as mock.test"));

const maxConnectionsRange = "Expected a number of connections from 1 to 1000000";
const responseLatencyRange = "Expected a number of milliseconds from 0 to 60000";
const maxHandshakesRange = "Expected a number of handshakes from 1 to 1000000";

const journalBytesRange = "Expected a number of bytes from 1048576 (1 MiB) to 4294967296 (4 GiB)";

/**
 * The scalar options, validated the same way whether they come from code or from flags, and the one
 * place they are declared: `MockOptions` and `ResolvedOptions` are this schema's input and output
 * types, and the doc comments written here are the ones editors show on `MockOptions`. Each has its
 * flag in the CLI's table (`cli/flags.ts`) and, if it has one, its default in `defaults`.
 */
export const scalarOptions = z.strictObject({
  /** TCP port; `0` picks a free one. */
  port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), defaults.port),
  /** Address to bind. Loopback unless told otherwise. */
  hostname: z._default(z.string().check(z.minLength(1, "Expected a host name or IP address")), defaults.hostname),
  /** The region of requests whose Host header names none (`127.0.0.1`, `localhost`). */
  region: z._default(regionName, defaults.region),
  /** Lifetime of issued tokens in seconds (Azure: 600). */
  tokenLifetimeSeconds: z._default(z.int().check(z.minimum(1), z.maximum(86_400)), defaults.tokenLifetimeSeconds),
  /**
   * How a refused handshake is answered.
   * - `legacy`: `403` for every authorization failure, as the 2017 protocol document says.
   * - `modern`: `401` when no credentials were given, `403` when they were given but are invalid.
   */
  authFailureStyle: z._default(z.enum(["legacy", "modern"]), defaults.authFailureStyle),
  /** Accept `?subscription-key=` on the token service (unconfirmed in Azure, off by default). */
  stsKeyInQuery: z._default(z.boolean(), defaults.stsKeyInQuery),
  /**
   * What a key of a resource out of quota meets at the speech endpoint.
   * - `close`: the handshake succeeds and the first message is answered with close `1007`
   *   `Quota exceeded.` (the service's documented reason text).
   * - `refuse`: the handshake is refused with `403`, reason `auth.quota_exceeded`.
   */
  quotaExceeded: z._default(z.enum(["close", "refuse"]), defaults.quotaExceeded),
  // Fractions of a second are allowed so tests can see a limit fire quickly.
  /** Close a speech connection that has sent nothing for this long (the service: 180 s). */
  idleTimeoutSeconds: z._default(seconds, defaults.idleTimeoutSeconds),
  /**
   * The service's processing time, on the mock's clock: after a turn is decided, `speech.endDetected`
   * goes at once and the phrase and `turn.end` this many milliseconds later (0: all at once).
   * Unconfirmed; 50 ms is the spec's named default (tts-and-timing.md 3.6).
   */
  responseLatencyMs: z._default(
    z.int().check(z.minimum(0, responseLatencyRange), z.maximum(60_000, responseLatencyRange)),
    defaults.responseLatencyMs,
  ),
  /** Close any speech connection this long after it opened (the service: 600 s). */
  connectionLifetimeSeconds: z._default(seconds, defaults.connectionLifetimeSeconds),
  /**
   * Requests in progress (WebSocket handshakes included) plus open WebSockets, at most; past it a
   * request is answered `503` with `Retry-After: 1`, reason `limit.connections`.
   */
  maxConnections: z._default(
    z.int().check(z.minimum(1, maxConnectionsRange), z.maximum(1_000_000, maxConnectionsRange)),
    defaults.maxConnections,
  ),
  /**
   * WebSocket handshakes in progress (their credentials being checked), at most: a separate, lower
   * cap, since each costs a signature check; past it a handshake gets `503`, reason `limit.handshakes`.
   */
  maxHandshakes: z._default(
    z.int().check(z.minimum(1, maxHandshakesRange), z.maximum(1_000_000, maxHandshakesRange)),
    defaults.maxHandshakes,
  ),
  /** A client must send a request's whole head within this many seconds, or is dropped (`408`). */
  headerTimeoutSeconds: z._default(seconds, defaults.headerTimeoutSeconds),
  /**
   * Seconds a request's body may take after its head; the whole request must arrive within
   * header plus body timeouts, or the client gets `408` and the connection is closed.
   */
  bodyTimeoutSeconds: z._default(seconds, defaults.bodyTimeoutSeconds),
  /** Entries the in-memory journal keeps before dropping the oldest. */
  journalSize: z._default(z.int().check(z.minimum(1), z.maximum(10_000_000)), defaults.journalSize),
  /**
   * The journal's byte budget: when its entries' estimated JSON size passes it, the oldest are
   * dropped (each entry's strings are cut to 1 KiB first, so one handshake cannot weigh megabytes).
   */
  journalBytes: z._default(
    z.int().check(z.minimum(2 ** 20, journalBytesRange), z.maximum(2 ** 32, journalBytesRange)),
    defaults.journalBytes,
  ),
  /**
   * A secret the control plane then requires as `Authorization: Bearer <token>`. Without one the
   * control plane is open to whoever can connect, so the mock must listen on loopback only.
   */
  adminToken: z.optional(z.string().check(z.regex(/^[\x21-\x7e]{16,256}$/, "Expected 16 to 256 visible ASCII characters (no spaces)"))),
  /**
   * Host names (no port) the control plane answers besides loopback ones (`localhost`,
   * `*.localhost`, `127.0.0.0/8`, `[::1]`) when no admin token is set; any other `Host` gets `421`,
   * which stops DNS rebinding. With a token any Host is answered: the token is the protection.
   */
  adminHosts: z._default(z.readonly(z.array(adminHostName)), () => [...defaults.adminHosts]),
  /**
   * Also serve HTTPS and WSS (the token service, the speech WebSocket, REST, the control plane) on
   * `tlsPort`, with a certificate for `localhost`, the loopback addresses and Azure's own hostnames,
   * issued by a local CA made on first use in `tlsDir` (or the user's, `tlsCert` and `tlsKey`).
   */
  tls: z._default(z.boolean(), defaults.tls),
  /** The TLS port; `0` picks a free one, `443` serves Azure's URLs as written (where the process may bind it). */
  tlsPort: z._default(z.int().check(z.minimum(0), z.maximum(65535)), defaults.tlsPort),
  /**
   * Where the local CA lives (`ca.pem`, `ca-key.pem` with mode 0600) and the running mock's ready
   * line (`ready.json`); default per user: `$XDG_STATE_HOME/speechmock/tls` or
   * `~/.local/state/speechmock/tls` (Linux), `~/Library/Application Support/speechmock/tls` (macOS),
   * `%LOCALAPPDATA%\\speechmock\\tls` (Windows).
   */
  tlsDir: z.optional(z.string().check(z.minLength(1, "Expected a directory path"))),
  /** A PEM certificate (chain) to serve instead of one from the local CA; with `tlsKey`. */
  tlsCert: z.optional(z.string().check(z.minLength(1, "Expected a file path"))),
  /** The PEM private key of `tlsCert`. */
  tlsKey: z.optional(z.string().check(z.minLength(1, "Expected a file path"))),
});

/** The scalar options as code gives them: every one optional. */
export type ScalarOptions = z.input<typeof scalarOptions>;

/** The scalar options after validation: every default filled in. */
export type ResolvedScalarOptions = z.output<typeof scalarOptions>;

/** How a refused handshake is answered: see `MockOptions.authFailureStyle`. */
export type AuthFailureStyle = ResolvedScalarOptions["authFailureStyle"];

/** What a key of a resource out of quota meets at the speech endpoint: see `MockOptions.quotaExceeded`. */
export type QuotaExceededStyle = ResolvedScalarOptions["quotaExceeded"];

/** Everything a mock can be told: the scalar options of `scalarOptions`, and these. Every default lives in `defaults`. */
export interface MockOptions extends ScalarOptions {
  /** Resources, in the fixtures file shape; the built-in development resources by default. */
  subscriptions?: SubscriptionsFile;
  /** What the mock hears, in the transcripts file shape; the transcripts of fixtures/audio by default. */
  transcripts?: TranscriptsFile;
  /** The text-to-speech voices, in the shape of `voices/list`; fixtures/voices.json by default. */
  voices?: VoicesFile;
  /** The mock's time source; the system clock by default. */
  clock?: Clock;
  /** Receives every event the mock records; silent by default. */
  logger?: Logger;
}

/** The options a mock runs with: every default filled in, fixtures parsed. */
export interface ResolvedOptions extends ResolvedScalarOptions {
  resources: Resource[];
  transcripts: Transcripts;
  voices: VoiceRegistry;
  clock: Clock;
  logger: Logger;
}

/** Loopback addresses: only this machine can reach them. */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "::1" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/** A bad fixtures object is a bad option, reported with the JSON path of each problem. */
function fixtureOption<T>(parse: (text: string, source: string) => T, value: unknown, name: string): T {
  try {
    return parse(JSON.stringify(value), `options.${name}`);
  } catch (err) {
    if (err instanceof MockError) throw new MockError("ERR_OPTION_INVALID", err.message, { cause: err });
    throw err;
  }
}

export function resolveOptions(options: MockOptions = {}): ResolvedOptions {
  const { subscriptions, transcripts, voices, clock, logger, ...scalars } = options;
  const parsed = scalarOptions.safeParse(scalars);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `Invalid option ${jsonPath(i.path).slice(2)}: ${i.message}`);
    throw new MockError("ERR_OPTION_INVALID", lines.join("\n"));
  }
  const { hostname, adminToken, tls, tlsCert, tlsKey } = parsed.data;
  const tlsOnly = (["tlsDir", "tlsCert", "tlsKey"] as const).find((name) => parsed.data[name] !== undefined);
  if (!tls && (tlsOnly !== undefined || (options.tlsPort ?? 0) !== 0)) {
    throw new MockError("ERR_OPTION_INVALID", `Invalid option ${tlsOnly ?? "tlsPort"}: it applies to TLS, which is off. Set tls: true`);
  }
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new MockError("ERR_OPTION_INVALID", "Invalid options tlsCert and tlsKey: expected both (a certificate and its key) or neither");
  }
  if (!isLoopback(hostname) && adminToken === undefined) {
    throw new MockError(
      "ERR_OPTION_INVALID",
      `Refusing to listen on ${hostname} without an admin token: the control plane (/__speechmock) could then be reached from the network. ` +
        "Set an admin token (SPEECHMOCK_ADMIN_TOKEN, --admin-token-file or --admin-token; adminToken from code), or listen on 127.0.0.1",
    );
  }
  const resources = subscriptions === undefined ? builtinResources() : fixtureOption(parseSubscriptions, subscriptions, "subscriptions");
  return {
    ...parsed.data,
    resources,
    transcripts: transcripts === undefined ? builtinTranscripts() : fixtureOption(parseTranscripts, transcripts, "transcripts"),
    voices: voices === undefined ? builtinVoices() : fixtureOption(parseVoices, voices, "voices"),
    clock: clock ?? systemClock,
    logger: logger ?? silentLogger,
  };
}
