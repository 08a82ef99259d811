// Bundles every handlers/<name>.ts into dist/<name>.mjs (ESM, minified, source maps) — the same shape SAM's
// esbuild build produces, so local invokes, tests and benchmarks run exactly what gets deployed — and the
// `flowlogs` CLI into dist/cli.mjs (package.json "bin").
import { chmodSync, readdirSync } from "node:fs";
import { build } from "esbuild";

const handlers = readdirSync("handlers").filter((file) => file.endsWith(".ts"));
const entryPoints = Object.fromEntries(
  handlers.map((file) => [file.replace(/\.ts$/, ""), `handlers/${file}`]),
);

const options = {
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  // Runs locally on Node 20 and deploys to nodejs24.x; es2023 is valid for both.
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: true,
  // The SDK's ES module builds tree-shake far better than its CommonJS ones.
  mainFields: ["module", "main"],
  // Some dependencies still call require() for Node built-ins; ESM bundles need it defined.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  legalComments: "none",
  logLevel: "warning",
  metafile: false,
};

await build({ ...options, entryPoints });
await build({
  ...options,
  entryPoints: { cli: "src/cli/main.ts" },
  banner: { js: `#!/usr/bin/env node\n${options.banner.js}` },
});
chmodSync("dist/cli.mjs", 0o755);
console.error(`built ${handlers.length} handler(s) and the flowlogs CLI into dist/`);
