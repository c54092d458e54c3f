/** PEM and base64 without a runtime's Buffer: `atob`/`btoa` exist on Node and Deno alike. */

export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE` or `PRIVATE KEY`. */
  label: string;
  der: Uint8Array<ArrayBuffer>;
}

const pemPattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** The PEM blocks of a text, in order; a block whose body is not base64 is left out. */
export function readPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(pemPattern)) {
    const label = match[1] ?? "";
    const body = (match[2] ?? "").replace(/\s+/g, "");
    if (body === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) continue;
    try {
      blocks.push({ label, der: fromBase64(body) });
    } catch {
      // Not base64 after all (a bad length): not a block.
    }
  }
  return blocks;
}

export function toPem(label: string, der: Uint8Array | ArrayBuffer): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function toBase64(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** File contents as text, whichever the file system gave. */
export const asText = (data: Uint8Array | string): string => (typeof data === "string" ? data : new TextDecoder().decode(data));
