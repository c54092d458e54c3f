import type { HandshakeReason, StsReason } from "./reasons.ts";

/** Where a credential was found: clients in browsers can only use the query string. */
export type CredentialSource = "header" | "query";

/** What the mock reports about its work. Secrets appear only through `redact()`. */
export type MockEvent =
  | {
      type: "sts.request";
      method: string;
      path: string;
      region: string;
      status: number;
      reason: StsReason;
      key?: string;
      keySource?: CredentialSource;
      resource?: string;
      /** In the journal only: the request's headers, secrets reduced to a prefix and a length. */
      headers?: Record<string, string>;
      /** In the journal only: its query parameters, secrets reduced. */
      query?: Record<string, string>;
      /** In the journal only: the end of the issued token's signature (see `tokenTag`). */
      tokenTag?: string;
    }
  | {
      type: "handshake";
      path: string;
      region: string;
      status: number;
      decision: "accept" | "reject";
      reason: HandshakeReason;
      credential: { kind: "token" | "key" | "none"; source?: CredentialSource; value?: string };
      connectionId?: string;
      resource?: string;
      /** In the journal only: the request's headers and query parameters, secrets reduced. */
      headers?: Record<string, string>;
      query?: Record<string, string>;
      /** In the journal only: the presented token's tag, to match it with the token service's. */
      tokenTag?: string;
    }
  | { type: "error"; message: string }
  | { type: "shutdown"; signal: string }
  | {
      type: "socket.close";
      connectionId?: string;
      code: number;
      reason: string;
      initiator: "client" | "server";
      /** Why the server closed: the protocol error's code and message, or the limit reached. */
      error?: { code: string; message: string };
    }
  | {
      /** A fault rule fired (the control plane's `faults`). */
      type: "fault";
      target: "sts" | "handshake" | "message";
      rule: string;
      action: string;
      status?: number;
      /** For a message fault: the client message's Path, and the close code if it closed. */
      path?: string;
      code?: number;
      connectionId?: string;
      resource?: string;
    }
  | {
      /** A turn ended: what the mock heard and answered. */
      type: "turn";
      connectionId: string;
      requestId: string;
      mode: string;
      audioMs: number;
      status: string;
      phrases: number;
      /** Whether the audio was a clip the transcripts file scripts. */
      scripted: boolean;
    };

export type Logger = (event: MockEvent) => void;

export const silentLogger: Logger = () => {};
