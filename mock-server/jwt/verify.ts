import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import type { Clock } from "../clock.ts";
import type { HandshakeReason } from "../reasons.ts";
import { issuer } from "./claims.ts";
import type { SigningKeys } from "./keys.ts";

export type VerifyResult = { ok: true; payload: JWTPayload } | { ok: false; reason: HandshakeReason; detail: string };

const base64url = /^[A-Za-z0-9_-]+$/;

/**
 * Checks a token the way the service does: shape, algorithm, key id, signature, expiry and
 * issuer. Each failure has its own reason so a client author learns exactly what was wrong.
 * The audience (region) and the resource are the caller's business.
 */
export async function verifyToken(token: string, keys: SigningKeys, clock: Clock): Promise<VerifyResult> {
  const parts = token.split(".");
  const [header64 = "", payload64 = "", signature64 = ""] = parts;
  if (parts.length !== 3 || !base64url.test(header64) || !base64url.test(payload64) || !/^[A-Za-z0-9_-]*$/.test(signature64)) {
    return {
      ok: false,
      reason: "auth.token_malformed",
      detail: `Expected three base64url parts separated by dots, got ${parts.length} part(s)`,
    };
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: "auth.token_malformed", detail: "The token header is not base64url-encoded JSON" };
  }
  if (header.alg !== "ES256") {
    return { ok: false, reason: "auth.alg_not_allowed", detail: `Expected alg "ES256", got ${JSON.stringify(header.alg ?? null)}` };
  }
  if (header.kid !== keys.kid) {
    return { ok: false, reason: "auth.kid_unknown", detail: `Expected kid "${keys.kid}", got ${JSON.stringify(header.kid ?? null)}` };
  }
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: ["ES256"],
      issuer,
      requiredClaims: ["exp", "aud"],
      currentDate: new Date(clock.now()),
    });
    return { ok: true, payload };
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      return {
        ok: false,
        reason: "auth.token_expired",
        detail: `The token expired at ${new Date(Number(err.payload.exp) * 1000).toISOString()}`,
      };
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      return { ok: false, reason: "auth.signature_invalid", detail: "The token signature does not verify with the mock's signing key" };
    }
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === "iss") {
      return { ok: false, reason: "auth.issuer_invalid", detail: `Expected iss "${issuer}"` };
    }
    return { ok: false, reason: "auth.token_malformed", detail: (err as Error).message };
  }
}
