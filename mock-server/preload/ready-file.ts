/** The ready line of a mock serving TLS, kept in its TLS directory while it runs (`ready.json`). */
import { join } from "node:path";
import { tlsDirOf } from "../tls/serving.ts";

export const readyFileName = "ready.json";

export const readyFilePath = (tlsDir: string): string => join(tlsDir, readyFileName);

/** Where the preload looks when `SPEECHMOCK_URL` says nothing: `SPEECHMOCK_TLS_DIR`, else the per-user default. */
export const readyFileOf = (env: Record<string, string | undefined>): string =>
  readyFilePath(tlsDirOf({ tlsDir: env.SPEECHMOCK_TLS_DIR || undefined }));
