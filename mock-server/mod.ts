/**
 * speechmock's runtime-free surface. Import `startMock` from the package (`speechmock`), which
 * resolves to the Node or the Deno entry point; both re-export everything here.
 */
export { createMockApp } from "./app.ts";
export { type Clock, ManualClock, systemClock, type Timer } from "./clock.ts";
export { createContext, type MockContext } from "./context.ts";
export { MockError, type MockErrorCode } from "./errors.ts";
export type { CredentialSource, Logger, MockEvent } from "./events.ts";
export { Journal, type JournalEntry, type JournalEvent, type NoticeCode } from "./journal.ts";
export type { JournalFilter } from "./journal-filter.ts";
export { type AuthFailureStyle, defaults, type MockOptions, type QuotaExceededStyle } from "./options.ts";
export { CloseCode, ProtocolError, type ProtocolErrorCode } from "./protocol/errors.ts";
export {
  type AuthRefusal,
  authRefusals,
  type HandshakeReason,
  handshakeReasons,
  type ReasonCode,
  type RestReason,
  restReasons,
  type StsReason,
  stsReasons,
  type UnroutedReason,
  unroutedReasons,
} from "./reasons.ts";
export type { MintTokenOptions, MockServer, ResourceInfo, Runtime } from "./start.ts";
export { speechPaths } from "./stt/endpoints.ts";
export { restPaths } from "./stt/rest/route.ts";
export { reasonHeader } from "./stt/websocket/route.ts";
export { parseSubscriptions } from "./subscriptions/load.ts";
export type { Resource } from "./subscriptions/resource.ts";
export type { SubscriptionsFile } from "./subscriptions/schema.ts";
export { parseTranscripts } from "./transcripts/load.ts";
export type { TranscriptsFile } from "./transcripts/schema.ts";
