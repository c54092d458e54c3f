// Bundles the Node entry points into dist/: one file each, so `speechmock serve` starts without
// resolving hundreds of modules or compiling TypeScript (Deno runs the sources directly).
import { build } from "esbuild";

await build({
  entryPoints: { cli: "mock-server/cli/node.ts", node: "mock-server/runtime/node.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // `ws` is CommonJS and calls require() for its optional native add-ons.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
