/** Moved to `gate/credentials.ts`, with the rest of the auth gate; kept so existing imports work. */
export {
  authorizationName,
  type BearerParse,
  type Credential,
  parseAuthorization,
  queryParam,
  readCredential,
  subscriptionKeyName,
} from "./gate/credentials.ts";
