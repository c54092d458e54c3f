/** The built-in development key (westus, S0, enabled) and the request shapes the bench sends. */
import { randomBytes } from "node:crypto";

export const devKey = "7e57c0de5eec4d0c0000000000000001";
export const keyHeader = "Ocp-Apim-Subscription-Key";
export const issueTokenPath = "/sts/v1.0/issueToken";
export const speechPath = "/speech/recognition/interactive/cognitiveservices/v1";

/** `ws://host:port/speech/...?language=en-US` for a server whose base URL is `http://host:port`. */
export const speechUrl = (baseUrl: string): string => `${baseUrl.replace(/^http/, "ws")}${speechPath}?language=en-US`;

// A random prefix and a counter: unique 32-hex ids without a call into the random generator per
// handshake (the client shares the machine with the server, so its cost matters).
const idPrefix = randomBytes(8).toString("hex");
let idCounter = 0;

/** A fresh id of 32 hex digits, as connection and request ids must be. */
export const newHexId = (): string => `${idPrefix}${(idCounter++).toString(16).padStart(16, "0")}`;

/** The headers of an authenticated handshake; a fresh connection id each time. */
export const handshakeHeaders = (): Record<string, string> => ({ [keyHeader]: devKey, "X-ConnectionId": newHexId() });

/** A token from the server's token service, fetched once with the dev key and reused by every handshake that sends it. */
export async function fetchToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}${issueTokenPath}`, { method: "POST", headers: { [keyHeader]: devKey } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`POST ${baseUrl}${issueTokenPath}: HTTP ${res.status} ${body.slice(0, 200)}`);
  return body;
}
