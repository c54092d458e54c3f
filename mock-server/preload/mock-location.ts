/**
 * Where the running mock's TLS listener is, for the Node preload: `SPEECHMOCK_URL` when it is an
 * `https:` URL (`speechmock exec` sets it), else the ready line `speechmock serve --tls` keeps in
 * its TLS directory while it runs.
 */
import { readFileSync } from "node:fs";

export interface MockLocation {
  host: string;
  port: number;
  /** Where it was read from, for messages. */
  source: string;
}

export class MockNotFound extends Error {}

export function findMock(env: Record<string, string | undefined>, readyFile: string): MockLocation {
  const fromEnv = env.SPEECHMOCK_URL;
  if (fromEnv !== undefined && fromEnv !== "") {
    let url: URL;
    try {
      url = new URL(fromEnv);
    } catch {
      throw new MockNotFound(`SPEECHMOCK_URL is ${JSON.stringify(fromEnv)}, not a URL. Expected the mock's https:// URL`);
    }
    if (url.protocol !== "https:") {
      throw new MockNotFound(
        `SPEECHMOCK_URL is ${JSON.stringify(fromEnv)}: the preload needs the mock's TLS listener, an https:// URL. Start the mock with --tls`,
      );
    }
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 443), source: "SPEECHMOCK_URL" };
  }
  let text: string;
  try {
    text = readFileSync(readyFile, "utf8");
  } catch {
    throw new MockNotFound(
      `no running mock found: SPEECHMOCK_URL is not set and ${readyFile} does not exist. ` +
        "Start one with `npx speechmock serve --tls`, or run your command with `npx speechmock exec -- <command>`",
    );
  }
  const ready = JSON.parse(text) as { tls?: { url?: string } };
  const url = ready.tls?.url;
  if (url === undefined) throw new MockNotFound(`${readyFile} has no tls.url: the mock that wrote it was not started with --tls`);
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ""), port: Number(parsed.port || 443), source: readyFile };
}
