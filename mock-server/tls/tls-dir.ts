/**
 * Where speechmock keeps its local CA when `--tls-dir` is not given: a per-user state directory.
 *
 * - Linux and other Unix: `$XDG_STATE_HOME/speechmock/tls`, else `~/.local/state/speechmock/tls`
 * - macOS: `~/Library/Application Support/speechmock/tls`
 * - Windows: `%LOCALAPPDATA%\speechmock\tls`, else `~\AppData\Local\speechmock\tls`
 */
import { posix, win32 } from "node:path";

export interface TlsDirContext {
  /** `process.platform` (or Deno's `Deno.build.os` mapped to it: "darwin", "win32", "linux", ...). */
  platform: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory. */
  homedir: string;
}

export function defaultTlsDir({ platform, env, homedir }: TlsDirContext): string {
  if (platform === "win32") {
    const base = nonEmpty(env.LOCALAPPDATA) ?? win32.join(homedir, "AppData", "Local");
    return win32.join(base, "speechmock", "tls");
  }
  if (platform === "darwin") return posix.join(homedir, "Library", "Application Support", "speechmock", "tls");
  // The XDG spec says a relative value is invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_STATE_HOME);
  const base = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(homedir, ".local", "state");
  return posix.join(base, "speechmock", "tls");
}

const nonEmpty = (value: string | undefined): string | undefined => (value ? value : undefined);
