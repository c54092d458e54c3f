/** A Speech resource as Azure models it: one region, one pricing tier, two equally valid keys. */
export interface Resource {
  name: string;
  region: string;
  tier: "F0" | "S0";
  keys: readonly [primary: string, secondary: string];
  state: ResourceState;
  /** The 32-hex `subscription-id` claim of the tokens issued for this resource. */
  subscriptionId: string;
  /** The Azure subscription GUID inside the `azure-resource-id` claim. */
  azureSubscription: string;
  resourceGroup: string;
  /** `d.hh:mm:ss` shown in the quota-exceeded body. */
  quotaRenewsIn: string;
}

export type ResourceState = "enabled" | "disabled" | "quotaExceeded";

export const azureResourceId = (r: Resource): string =>
  `/subscriptions/${r.azureSubscription}/resourceGroups/${r.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${r.name}`;

export const productId = (r: Resource): string => `SpeechServices.${r.tier}`;
