import { type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet } from "jose";

/** Observed Cognitive Services tokens carry `kid: "key1"`. */
export const defaultKid = "key1";

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half, for clients and tests that want to decode and check a token. */
  jwks: JSONWebKeySet;
}

/** A fresh ES256 key pair per mock: nobody can forge tokens for it, and starting costs ~1 ms. */
export async function createSigningKeys(kid: string = defaultKid): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicKey, jwks: { keys: [{ ...jwk, kid, alg: "ES256", use: "sig" }] } };
}
