import { azureResourceId, productId, type Resource } from "../subscriptions/resource.ts";

export const issuer = "urn:ms.cognitiveservices";
export const audienceOf = (region: string): string => `urn:ms.speechservices.${region}`;
export const regionOfAudience = (aud: string): string | undefined =>
  aud.startsWith("urn:ms.speechservices.") ? aud.slice("urn:ms.speechservices.".length) : undefined;

/**
 * The claims of a Speech token, in the order real tokens list them. No `iat` and no `nbf`: the
 * observed tokens have neither.
 */
export function speechClaims(resource: Resource, region: string, exp: number): Record<string, unknown> {
  return {
    region,
    "subscription-id": resource.subscriptionId,
    "product-id": productId(resource),
    "cognitive-services-endpoint": "https://api.cognitive.microsoft.com/internal/v1.0/",
    "azure-resource-id": azureResourceId(resource),
    scope: "speechservices",
    aud: audienceOf(region),
    exp,
    iss: issuer,
  };
}
