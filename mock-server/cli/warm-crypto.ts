/**
 * Imported first by `entry/cli.deno.ts`, so it runs before every other module of the CLI is evaluated.
 * Deno's first WebCrypto key generation pays a one-time set-up of ~30 ms on a worker thread;
 * starting a throwaway one now lets that overlap the loading of the CLI instead of delaying the
 * signing key (jwt/keys.ts) that `serve` generates afterwards. Nothing uses this key.
 */
crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]).catch(() => {});
