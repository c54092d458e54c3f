import type { AuthNotice } from "./gate/authorize.ts";
import type { CredentialRecord, CredentialSource } from "./gate/credentials.ts";
import type { HandshakeReason, RestReason, StsReason, TtsReason, UnroutedReason } from "./reasons.ts";

export type { CredentialRecord, CredentialSource };

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
      credential: CredentialRecord;
      connectionId?: string;
      resource?: string;
      /** What the client did that the service accepts but should not be relied on (`auth.bare_token`). */
      notices?: AuthNotice[];
      /** In the journal only: the request's headers and query parameters, secrets reduced. */
      headers?: Record<string, string>;
      query?: Record<string, string>;
      /** In the journal only: the presented token's tag, to match it with the token service's. */
      tokenTag?: string;
    }
  | {
      /** A request to the REST API for short audio (`POST /speech/recognition/<mode>/cognitiveservices/v1`). */
      type: "rest.request";
      method: string;
      path: string;
      region: string;
      status: number;
      reason: RestReason;
      credential: CredentialRecord;
      resource?: string;
      language?: string;
      /** The Content-Type as sent. */
      contentType?: string;
      /** Body bytes read. */
      bodyBytes?: number;
      /** Audio heard, in milliseconds. */
      audioMs?: number;
      /** The answer's RecognitionStatus (200 only). */
      recognitionStatus?: string;
      /** The answer's DisplayText (200 with Success only). */
      text?: string;
      /** How the answer was decided: `script`, `sha256`, `synthesized`, `fingerprint`, `fallback` or `silence` (200 only). */
      match?: string;
      /** Whether the audio was a clip the transcripts script (or the control plane's next script). */
      scripted?: boolean;
      /** For refusals and bad requests: what was wrong, where, and what was expected. */
      detail?: string;
      notices?: AuthNotice[];
      /** In the journal only: the request's headers and query parameters, secrets reduced; the token's tag. */
      headers?: Record<string, string>;
      query?: Record<string, string>;
      tokenTag?: string;
    }
  | {
      /** A text-to-speech REST request: `cognitiveservices/v1`, `voices/list` or the 2017 `/synthesize`. */
      type: "tts.request";
      method: string;
      path: string;
      region: string;
      status: number;
      reason: TtsReason;
      credential: CredentialRecord;
      resource?: string;
      /** The first voice the SSML names (its short name once found), the output format as sent. */
      voice?: string;
      format?: string;
      /** Characters of text spoken, milliseconds of audio made (200 only). */
      textLength?: number;
      audioMs?: number;
      /**
       * The answer's body bytes (200 only): the coded audio, with its 44-byte RIFF header for a
       * `riff-*` format. For PCM and G.711 only: the entry is written before the audio streams,
       * and a compressed stream's length is known only once it is coded.
       */
      audioBytes?: number;
      /** Body bytes read. */
      bodyBytes?: number;
      /** For refusals: what was wrong. */
      detail?: string;
      notices?: AuthNotice[];
      /** In the journal only: the request's headers and query parameters, secrets reduced; the token's tag. */
      headers?: Record<string, string>;
      query?: Record<string, string>;
      tokenTag?: string;
    }
  | {
      /** A request no route takes, read to its end and answered 404 (or 405 with Allow). */
      type: "request.unrouted";
      method: string;
      host?: string;
      path: string;
      status: 404 | 405;
      reason: UnroutedReason;
      /** The methods the path takes, for a 405. */
      allow?: string;
      /** Body bytes read (and discarded). */
      bodyBytes: number;
      /** Headers and query parameters, secrets reduced to a prefix and a length. */
      headers: Record<string, string>;
      query?: Record<string, string>;
    }
  | {
      /** A control request refused before any handler ran (`control/guard.ts`); never with a token. */
      type: "control.refused";
      method: string;
      path: string;
      host?: string;
      origin?: string;
      status: 403 | 415 | 421;
      code: "ERR_MISDIRECTED_REQUEST" | "ERR_FOREIGN_ORIGIN" | "ERR_UNSUPPORTED_MEDIA_TYPE";
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
      target: "sts" | "handshake" | "message" | "rest" | "tts";
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
