// Bundles the entry points into dist/: one file each, so `speechmock serve` starts without
// resolving hundreds of modules or compiling TypeScript. Deno gets bundles of its own: the CLI
// (dist/cli.deno.mjs, run by `deno task start`) and the programmatic entry (dist/deno.mjs, the
// package's "deno" export: Deno does not run TypeScript from node_modules).
// Runs from any directory (paths are the package root's); `--clean` empties dist/ first, for a
// package without the chunks of earlier builds (`npm run package`, `npm publish`). esbuild comes
// with tsx, a runtime dependency, so a runtime-only install can build too.
import { rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
if (process.argv.includes("--clean")) rmSync("dist", { recursive: true, force: true });

// The audio encoders for compressed text-to-speech formats (mock-server/tts/encoders/) stay in
// node_modules, runtime dependencies imported only when such a format is first asked for: not in
// any bundle (LAME is LGPL, and their WebAssembly is 2 MB), so neither start-up nor dist/ grows.
const encoders = ["wasm-media-encoders", "opusscript", "mediabunny"];

const common = {
  absWorkingDir: root,
  bundle: true,
  format: "esm",
  sourcemap: "linked",
  logLevel: "warning",
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
};

await Promise.all([
  build({
    ...common,
    entryPoints: { cli: "entry/cli.node.ts", node: "entry/node.ts", register: "mock-server/preload/register.ts" },
    // Code only TLS needs (the certificate library) goes in a chunk of its own, loaded with --tls.
    splitting: true,
    // Beside the entry points: code in a chunk finds the package root one level up, as theirs does (conformance/clips.ts).
    chunkNames: "[name]-[hash]",
    platform: "node",
    target: "node20",
    external: encoders,
    // `ws` is CommonJS and calls require() for its optional native add-ons.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: { "cli.deno": "entry/cli.deno.ts", deno: "entry/deno.ts" },
    splitting: true,
    chunkNames: "deno-[name]-[hash]",
    // Deno has web APIs and `node:*` built-ins; take each package's ESM build, as Deno would.
    platform: "neutral",
    target: "esnext",
    conditions: ["deno", "import", "module", "default"],
    mainFields: ["module", "main"],
    external: ["node:*", ...builtinModules, ...encoders],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // Written but not linked: Deno reads a linked map at every start (~12 ms).
    sourcemap: "external",
  }),
  // The dashboard (`<admin>/`): the page's script and style, and its HTML copied beside them, for the
  // mock to serve from dist/dashboard/ on either runtime (mock-server/dashboard/serve.ts).
  build({
    absWorkingDir: root,
    entryPoints: ["mock-server/dashboard/page/app.ts", "mock-server/dashboard/page/index.html"],
    loader: { ".html": "copy" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    logLevel: "warning",
    outdir: "dist/dashboard",
  }),
]);
