/**
 * `speechmock hosts`: `/etc/hosts` lines that send Azure's Speech hostnames of the configured
 * regions (the default region and every resource's) to the loopback, where `serve --tls
 * --tls-port 443` answers them. For CI: `npx speechmock hosts | sudo tee -a /etc/hosts`.
 * `/etc/hosts` has no wildcards, so a custom domain (`<name>.cognitiveservices.azure.com`) needs
 * its own line, or the Node preload or the browser flags, which match any.
 */
import { azureHostnames } from "../../tls/hostnames.ts";

/** The regions, lower-cased, each once, in order. */
const distinct = (regions: readonly string[]) => [...new Set(regions.map((r) => r.trim().toLowerCase()).filter((r) => r !== ""))];

/** The comment line, then one `<address> <hostname>` line per hostname. */
export function hostsLines(regions: readonly string[], address = "127.0.0.1"): string[] {
  return [
    `# speechmock: Azure Speech hostnames of ${distinct(regions).join(", ")} to the mock (speechmock serve --tls --tls-port 443)`,
    ...azureHostnames(regions).map((name) => `${address} ${name}`),
  ];
}

export function runHosts(out: { stdout(line: string): void }, regions: readonly string[]): number {
  for (const line of hostsLines(regions)) out.stdout(line);
  return 0;
}
