#!/usr/bin/env node
// The Node command. It runs the bundle, dist/cli.mjs (built by `npm run bundle`, and shipped in the
// package's tarball). A git install ships no dist/ (npm would do a whole development install to
// build one): then it runs the TypeScript sources through tsx, a runtime dependency, which starts
// slower but needs nothing else.
import { existsSync } from "node:fs";

if (existsSync(new URL("../dist/cli.mjs", import.meta.url))) {
  await import("../dist/cli.mjs");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../entry/cli.node.ts");
}
