/**
 * The hostnames Azure's Speech clients use, so a certificate can name them and the mock can answer
 * for them. Each region has four forms; two legacy hostnames carry no region at all.
 */

/** The per-region hostname forms of the Speech service, in the order they are listed. */
export const regionalHostForms: readonly ((region: string) => string)[] = [
  (region) => `${region}.api.cognitive.microsoft.com`,
  (region) => `${region}.stt.speech.microsoft.com`,
  (region) => `${region}.tts.speech.microsoft.com`,
  (region) => `${region}.cognitiveservices.azure.com`,
];

/** Hostnames without a region: clients that use them get the mock's default region. */
export const unregionalHosts: readonly string[] = ["api.cognitive.microsoft.com", "speech.platform.bing.com"];

/** The custom-domain form (`https://<resource>.cognitiveservices.azure.com`), as a certificate wildcard. */
export const customDomainWildcard = "*.cognitiveservices.azure.com";

/**
 * The regional forms as wildcards, so a region no resource names (a client hard-coding `eastus`)
 * still gets a certificate that matches, as the mock answers every region's Host.
 */
export const regionalWildcards: readonly string[] = regionalHostForms.slice(0, 3).map((form) => form("*"));

/** The loopback names a certificate for the mock always carries. */
export const loopbackNames: readonly string[] = ["localhost", "127.0.0.1", "::1"];

const normalizeRegions = (regions: readonly string[]): string[] => [
  ...new Set(regions.map((r) => r.trim().toLowerCase()).filter((r) => r !== "")),
];

/** Every Azure hostname of the regions (lower-cased, deduplicated): the forms above for each, then the unregional ones. */
export function azureHostnames(regions: readonly string[]): string[] {
  const names = normalizeRegions(regions).flatMap((region) => regionalHostForms.map((form) => form(region)));
  return [...new Set([...names, ...unregionalHosts])];
}

/**
 * The subject names of the mock's server certificate: the Azure hostnames of the regions, the
 * regional wildcards, the custom-domain wildcard, `localhost` and `{region}.localhost` (the mock's own per-region form; a
 * `*.localhost` wildcard would not do, since Node refuses wildcards with fewer than three labels),
 * and the loopback addresses `127.0.0.1` and `::1`. Addresses are plain strings here;
 * `issueServerCertificate` puts them in the certificate as IP addresses.
 */
export function certificateNames(regions: readonly string[]): string[] {
  const localhosts = normalizeRegions(regions).map((region) => `${region}.localhost`);
  return [
    ...new Set([...azureHostnames(regions), ...regionalWildcards, customDomainWildcard, "localhost", ...localhosts, "127.0.0.1", "::1"]),
  ];
}
