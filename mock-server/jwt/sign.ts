import { SignJWT } from "jose";
import type { Resource } from "../subscriptions/resource.ts";
import { speechClaims } from "./claims.ts";
import type { SigningKeys } from "./keys.ts";

/**
 * Signs Speech tokens. Real tokens have no `iat` and a whole-second `exp`, so every token for
 * the same resource, region and second carries exactly the same claims; this issuer signs such
 * a set once and hands the same (valid, signed) token to every request in that second. ECDSA
 * signing is the token service's dominant cost, so a burst of requests costs one signature.
 */
export class TokenSigner {
  #keys: SigningKeys;
  #cacheExp = -1;
  #cache = new Map<string, Promise<string>>();

  constructor(keys: SigningKeys) {
    this.#keys = keys;
  }

  sign(resource: Resource, region: string, exp: number): Promise<string> {
    if (exp !== this.#cacheExp) {
      // Only one second's worth of entries is ever kept, so the cache cannot grow.
      this.#cache.clear();
      this.#cacheExp = exp;
    }
    const id = `${resource.subscriptionId}|${region}`;
    let token = this.#cache.get(id);
    if (!token) {
      token = this.signFresh(speechClaims(resource, region, exp));
      this.#cache.set(id, token);
      token.catch(() => this.#cache.delete(id));
    }
    return token;
  }

  /** Signs any claims set, bypassing the cache: tests mint odd tokens with it. */
  signFresh(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: this.#keys.kid, typ: "JWT" }).sign(this.#keys.privateKey);
  }
}
