/**
 * speechmock's runtime-free surface. Import `startMock` from the package (`speechmock`), which
 * resolves to the Node or the Deno entry point; both re-export everything here.
 */
export { createMockApp } from "./app.ts";
export { type Clock, ManualClock, systemClock } from "./clock.ts";
export { createContext, type MockContext } from "./context.ts";
export { MockError, type MockErrorCode } from "./errors.ts";
export type { CredentialSource, Logger, MockEvent } from "./events.ts";
export { type AuthFailureStyle, defaults, type MockOptions } from "./options.ts";
export { type HandshakeReason, handshakeReasons, type ReasonCode, type StsReason, stsReasons } from "./reasons.ts";
export { speechPaths } from "./speech/endpoints.ts";
export { reasonHeader } from "./speech/route.ts";
export type { MintTokenOptions, MockServer, ResourceInfo, Runtime } from "./start.ts";
export { parseSubscriptions } from "./subscriptions/load.ts";
export type { Resource } from "./subscriptions/resource.ts";
export type { SubscriptionsFile } from "./subscriptions/schema.ts";
