/**
 * Azure regions that host the Speech service. A request's region is the first label of its Host
 * header when that label is one of these (or a region of a configured resource), the way
 * `westus.api.cognitive.microsoft.com` and `westus.stt.speech.microsoft.com` name theirs.
 */
export const azureRegions: ReadonlySet<string> = new Set([
  "australiaeast",
  "brazilsouth",
  "canadacentral",
  "canadaeast",
  "centralindia",
  "centralus",
  "chinaeast2",
  "chinanorth2",
  "chinanorth3",
  "eastasia",
  "eastus",
  "eastus2",
  "francecentral",
  "germanywestcentral",
  "italynorth",
  "japaneast",
  "japanwest",
  "jioindiawest",
  "koreacentral",
  "northcentralus",
  "northeurope",
  "norwayeast",
  "qatarcentral",
  "southafricanorth",
  "southcentralus",
  "southeastasia",
  "swedencentral",
  "switzerlandnorth",
  "switzerlandwest",
  "uaenorth",
  "uksouth",
  "ukwest",
  "usgovarizona",
  "usgovvirginia",
  "westcentralus",
  "westeurope",
  "westus",
  "westus2",
  "westus3",
]);

/** The region a request addresses: its Host's first label if that names a region, else the default. */
export function regionOfHost(host: string | undefined, defaultRegion: string, extra: ReadonlySet<string>): string {
  if (!host) return defaultRegion;
  const dot = host.indexOf(".");
  if (dot <= 0) return defaultRegion;
  const label = host.slice(0, dot).toLowerCase();
  return azureRegions.has(label) || extra.has(label) ? label : defaultRegion;
}
