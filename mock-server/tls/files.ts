/**
 * The few file operations the TLS module needs, injected so an entry point can supply its own.
 * `nodeTlsFiles` uses `node:fs/promises`, which Node and Deno both provide (Deno maps its errors
 * to the same `code`s: ENOENT, EACCES, EEXIST...).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";

export interface TlsFiles {
  readFile(path: string): Promise<Uint8Array | string>;
  /** `flag: "wx"` must fail with code EEXIST when the file exists. `mode` applies when the file is created. */
  writeFile(path: string, data: string, options: { mode: number; flag?: "w" | "wx" }): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
  /** Replaces `to` if it exists. */
  rename(from: string, to: string): Promise<void>;
}

export const nodeTlsFiles: TlsFiles = {
  readFile: (path) => readFile(path),
  writeFile: (path, data, { mode, flag = "w" }) => writeFile(path, data, { mode, flag }),
  mkdir: (path, options) => mkdir(path, options),
  rename: (from, to) => rename(from, to),
};

/** The `code` of a file-system error (ENOENT, EACCES...), or the error's name when it has none. */
export function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === "string" && name !== "") return name;
  }
  return String(error);
}
