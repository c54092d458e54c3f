import { ControlledClock } from "./controlled-clock.ts";
import type { MockEvent } from "./events.ts";
import { FaultRegistry } from "./faults/registry.ts";
import type { GateDeps } from "./gate/authorize.ts";
import { Journal } from "./journal.ts";
import { createSigningKeys, type SigningKeys } from "./jwt/keys.ts";
import { TokenSigner } from "./jwt/sign.ts";
import type { ResolvedOptions } from "./options.ts";
import { regionOfHost } from "./regions.ts";
import { jsSha256, type PcmHasherFactory } from "./stt/pcm-hash.ts";
import { ResourceRegistry } from "./subscriptions/registry.ts";
import { TranscriptStore } from "./transcripts/store.ts";
import { VoiceRegistry } from "./tts/voices.ts";
import { SocketRegistry } from "./ws/sockets.ts";

/** The state one mock instance shares between its routes. Sub-apps receive it; nothing is global. */
export interface MockContext {
  /** The resolved options, with `clock` the controlled clock below. */
  options: ResolvedOptions;
  /** The clock everything reads and sets timers on: the options' clock, until the control plane moves it. */
  clock: ControlledClock;
  resources: ResourceRegistry;
  keys: SigningKeys;
  signer: TokenSigner;
  sockets: SocketRegistry;
  /** What the mock saw and did, bounded; the control plane reads it. */
  journal: Journal;
  /** The incremental SHA-256 that identifies clips: the runtime's own, or the JavaScript one. */
  pcmHasher: PcmHasherFactory;
  /** What the mock hears: the transcripts option, and what the control plane scripted since. */
  transcripts: TranscriptStore;
  /**
   * The voices synthesis finds and `voices/list` serves: the voices option's, and what the control
   * plane put or removed since (`options.voices` stays the start-up list, for reset).
   */
  voices: VoiceRegistry;
  /** Fault rules the control plane added. */
  faults: FaultRegistry;
  /**
   * Logs an event, and journals the token requests, handshakes and faults among them, with
   * `journalOnly` fields the log line leaves out (a request's headers).
   */
  report(event: MockEvent, journalOnly?: Record<string, unknown>): void;
  /** The region a request addresses, from its Host header. */
  regionOf(host: string | undefined): string;
}

/** What the auth gate (`gate/authorize.ts`) reads of a mock: its registry, signing keys and clock. */
export const gateDeps = (ctx: MockContext): GateDeps => ({ resources: ctx.resources, keys: ctx.keys, clock: ctx.options.clock });

export async function createContext(resolved: ResolvedOptions, pcmHasher: PcmHasherFactory = jsSha256): Promise<MockContext> {
  const clock = new ControlledClock(resolved.clock);
  const options = { ...resolved, clock };
  const resources = new ResourceRegistry(options.resources, [options.region]);
  const keys = await createSigningKeys();
  const journal = new Journal(options.journalSize, clock, options.journalBytes);
  return {
    options,
    clock,
    resources,
    keys,
    signer: new TokenSigner(keys),
    sockets: new SocketRegistry(),
    journal,
    faults: new FaultRegistry(),
    transcripts: new TranscriptStore(options.transcripts),
    voices: new VoiceRegistry(options.voices.entries),
    report: (event, journalOnly) => {
      options.logger(event); // first: the journal stamps the object it is given
      const journaled =
        event.type === "sts.request" ||
        event.type === "handshake" ||
        event.type === "fault" ||
        event.type === "rest.request" ||
        event.type === "tts.request" ||
        event.type === "request.unrouted";
      if (journaled) {
        journal.record(journalOnly ? Object.assign(event, journalOnly) : event);
      }
    },
    pcmHasher,
    regionOf: (host) => regionOfHost(host, options.region, resources.knownRegions),
  };
}
