// Bundles each handlers/<name>.ts into <outdir>/<name>.mjs (ESM, minified, source maps) plus the chunks it loads on
// demand (<outdir>/chunks/), and the `flowlogs` CLI into dist/cli.mjs (package.json "bin").
//
//   node scripts/build.mjs                                    every handler and the CLI into dist/
//   node scripts/build.mjs --handler event-enforcer --outdir D one handler into D (what `sam build` runs, via Makefile)
//
// SAM builds each function through the Makefile with this same script, so the artifact Lambda runs is byte for byte
// what tests, `npm run invoke` and `npm run bench` run. SAM's built-in esbuild method cannot split code, and splitting
// is what keeps code a cold start does not need (S3 and Organizations clients, the SDK's SSO/INI/process credential
// providers) out of the module Node must compile before the handler exists.
import { chmodSync, cpSync, readdirSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const { values: args } = parseArgs({
  options: { handler: { type: "string" }, outdir: { type: "string", default: "dist" } },
});

const handlers = readdirSync("handlers")
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.replace(/\.ts$/, ""));
if (args.handler !== undefined && !handlers.includes(args.handler)) {
  console.error(`unknown handler "${args.handler}" (handlers/: ${handlers.join(", ")})`);
  process.exit(2);
}

// Some dependencies still call require() for Node built-ins; ES modules need it defined (in every chunk too).
const requireShim =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

const options = {
  bundle: true,
  platform: "node",
  // Runs locally on Node 20 and deploys to nodejs24.x; es2023 is valid for both.
  target: "node20",
  format: "esm",
  outExtension: { ".js": ".mjs" },
  minify: true,
  sourcemap: true,
  // The SDK's ES module builds tree-shake far better than its CommonJS ones.
  mainFields: ["module", "main"],
  banner: { js: requireShim },
  legalComments: "none",
  logLevel: "warning",
};

/**
 * One esbuild run per handler, so a function's artifact holds its own entry and exactly the chunks it imports:
 * dynamic `import()`s become chunks loaded when first reached. Chunk names carry a content hash, so handlers built
 * into the same directory never overwrite each other's chunks with different code.
 */
async function buildHandler(name, outdir) {
  await build({
    ...options,
    entryPoints: { [name]: `handlers/${name}.ts` },
    outdir,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
  });
}

if (args.handler !== undefined) {
  // Built next to dist/ and then copied: source map paths, and so the chunk hashes, depend on the output directory's
  // place relative to node_modules, and this way the artifact's files are byte for byte the ones in dist/.
  const staging = `.build-${args.handler}`;
  rmSync(staging, { recursive: true, force: true });
  await buildHandler(args.handler, staging);
  cpSync(staging, args.outdir, { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  console.error(`built ${args.handler} into ${args.outdir}/`);
} else {
  // Chunks of an earlier build would linger under new hashes; start from an empty directory.
  rmSync(args.outdir, { recursive: true, force: true });
  for (const name of handlers) await buildHandler(name, args.outdir);
  // The CLI stays one file: it is run from a checkout or an npm install, where start-up time matters less than a
  // single self-contained `bin`.
  await build({
    ...options,
    entryPoints: { cli: "src/cli/main.ts" },
    outdir: args.outdir,
    banner: { js: `#!/usr/bin/env node\n${requireShim}` },
  });
  chmodSync(`${args.outdir}/cli.mjs`, 0o755);
  console.error(`built ${handlers.length} handler(s) and the flowlogs CLI into ${args.outdir}/`);
}
