// Bundles the entry points into dist/: one file each, so `speechmock serve` starts without
// resolving hundreds of modules or compiling TypeScript. The Deno CLI gets its own bundle
// (dist/cli.deno.mjs, run by `deno task start`); Deno's programmatic entry stays source.
import { builtinModules } from "node:module";
import { build } from "esbuild";

const common = { bundle: true, format: "esm", sourcemap: "linked", logLevel: "warning", outdir: "dist", outExtension: { ".js": ".mjs" } };

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
    // `ws` is CommonJS and calls require() for its optional native add-ons.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: { "cli.deno": "entry/cli.deno.ts" },
    splitting: true,
    chunkNames: "deno-[name]-[hash]",
    // Deno has web APIs and `node:*` built-ins; take each package's ESM build, as Deno would.
    platform: "neutral",
    target: "esnext",
    conditions: ["deno", "import", "module", "default"],
    mainFields: ["module", "main"],
    external: ["node:*", ...builtinModules],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // Written but not linked: Deno reads a linked map at every start (~12 ms).
    sourcemap: "external",
  }),
]);
