import { redactedHeaders, redactedQuery, tokenTag } from "../redact.ts";
import { type Credential, parseAuthorization } from "./credentials.ts";

/**
 * What the journal keeps of a request besides the log line: its headers and query parameters
 * (secrets reduced; `query` only when there is one, unless `alwaysQuery`) and the token's tag.
 */
export function requestDetails(request: Request, credential: Credential, alwaysQuery = false) {
  const url = new URL(request.url);
  const bearer = credential.kind === "token" ? parseAuthorization(credential.raw) : undefined;
  return {
    headers: redactedHeaders(request.headers),
    ...(alwaysQuery || url.search !== "" ? { query: redactedQuery(url) } : {}),
    ...(bearer?.ok ? { tokenTag: tokenTag(bearer.token) } : {}),
  };
}
