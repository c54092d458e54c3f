/**
 * Why the mock answered a request the way it did. Every decision carries one of these codes; the
 * logs show it and refused handshakes echo it in the `X-Speechmock-Reason` response header.
 */
export const stsReasons = [
  "sts.issued",
  "sts.key_missing",
  "sts.key_unknown",
  "sts.key_in_query_disabled",
  "sts.wrong_region",
  "sts.resource_disabled",
  "sts.quota_exceeded",
  "sts.method_not_allowed",
  // Two subscription keys (repeated headers arrive joined by ", "): refused as an invalid key.
  "sts.key_ambiguous",
] as const;

/**
 * The auth gate's refusals (`gate/authorize.ts`), the same for every API: the WebSocket reports
 * them as they are, the REST APIs too, the token service under its own `sts.*` names.
 */
export const authRefusals = [
  "auth.missing",
  "auth.empty",
  "auth.scheme_invalid",
  "auth.token_malformed",
  "auth.alg_not_allowed",
  "auth.kid_unknown",
  "auth.signature_invalid",
  "auth.token_expired",
  "auth.issuer_invalid",
  "auth.wrong_region",
  "auth.token_revoked",
  "auth.key_unknown",
  "auth.resource_disabled",
  "auth.quota_exceeded",
  // Two values where the gate reads one (two Authorization headers arrive joined by ", ").
  "auth.ambiguous",
] as const;

export const handshakeReasons = [
  "handshake.accepted_token",
  "handshake.accepted_key",
  ...authRefusals,
  "request.not_websocket",
  // RFC 6455's own checks, decided here before the runtime's WebSocket layer would refuse.
  "request.method_invalid",
  "request.http_version_invalid",
  "request.connection_not_upgrade",
  "request.websocket_invalid",
  "request.subprotocol_invalid",
  "request.connection_id_missing",
  "request.connection_id_invalid",
  "request.language_missing",
  "request.language_unknown",
  "request.parameter_invalid",
] as const;

/** The REST API for short audio (`stt/rest/`): recognised, or why not. */
export const restReasons = [
  "rest.recognized",
  ...authRefusals,
  "request.language_missing",
  "request.language_unknown",
  "request.parameter_invalid",
  "request.content_type_unsupported",
  "request.audio_invalid",
  "request.audio_format_unsupported",
  "request.audio_too_long",
] as const;

/** Text to speech over REST and the 2017 API (`tts/rest/`): synthesized, voices listed, or why not. */
export const ttsReasons = [
  "tts.synthesized",
  "tts.voices_listed",
  ...authRefusals,
  "request.content_type_unsupported",
  "request.output_format_missing",
  "request.output_format_unknown",
  "request.output_format_unsupported",
  "request.user_agent_invalid",
  "request.ssml_too_large",
  "request.ssml_invalid",
  "request.voice_unknown",
  "request.audio_too_long",
] as const;

/** A request no route takes: no such path, or the path exists with other methods. */
export const unroutedReasons = ["request.not_found", "request.method_not_allowed"] as const;

/** Refused before any route ran, because a limit was reached (`http/limits.ts`): `503` with `Retry-After: 1`. */
export const limitReasons = ["limit.connections", "limit.handshakes"] as const;

export type StsReason = (typeof stsReasons)[number];
export type HandshakeReason = (typeof handshakeReasons)[number];
export type AuthRefusal = (typeof authRefusals)[number];
export type TtsReason = (typeof ttsReasons)[number];
export type RestReason = (typeof restReasons)[number];
export type UnroutedReason = (typeof unroutedReasons)[number];
export type LimitReason = (typeof limitReasons)[number];
export type ReasonCode = StsReason | HandshakeReason | RestReason | UnroutedReason | LimitReason;
