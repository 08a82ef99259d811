// The files a built handler loads, read from esbuild's output itself: its entry, the chunks it imports statically
// (all loaded and compiled before the handler exists, so they are the cold start's cost) and the chunks it imports
// on demand with `import()` (loaded when first reached).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

export interface BundleGraph {
  /** The entry and every chunk reachable from it through static imports. */
  readonly startup: readonly string[];
  /** Chunks reachable only through a dynamic import somewhere in the graph. */
  readonly onDemand: readonly string[];
}

// esbuild's minified ESM: `import{a as b}from"./chunks/chunk-X.mjs";`, `import"./chunks/chunk-Y.mjs";`, and
// `import("./chunks/parse-Z.mjs")`. Only relative specifiers matter: packages are bundled, built-ins are not files.
const STATIC_IMPORT = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$\s{},*]*?from\s*)?"(\.{1,2}\/[^"]+)"/g;
const DYNAMIC_IMPORT = /\bimport\("(\.{1,2}\/[^"]+)"\)/g;

function importsOf(file: string, pattern: RegExp): string[] {
  const text = readFileSync(file, "utf-8");
  return [...text.matchAll(pattern)].map((match) => {
    const target = normalize(join(dirname(file), match[1] ?? ""));
    if (!existsSync(target)) throw new Error(`${file} imports ${match[1]}, which is not in the build output`);
    return target;
  });
}

function staticClosure(roots: readonly string[], seen: Set<string>): string[] {
  const found: string[] = [];
  const pending = [...roots];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    found.push(file);
    pending.push(...importsOf(file, STATIC_IMPORT));
  }
  return found;
}

export function bundleGraph(entry: string): BundleGraph {
  const seen = new Set<string>();
  const startup = staticClosure([entry], seen);
  const onDemand: string[] = [];
  for (let index = 0; index < startup.length + onDemand.length; index += 1) {
    const file = index < startup.length ? startup[index] : onDemand[index - startup.length];
    if (file === undefined) break;
    onDemand.push(...staticClosure(importsOf(file, DYNAMIC_IMPORT), seen));
  }
  return { startup, onDemand };
}

/** The original sources (from the source maps) whose code ends up in these output files. */
export function sourcesOf(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    const map = JSON.parse(readFileSync(`${file}.map`, "utf-8")) as { sources?: string[] };
    return map.sources ?? [];
  });
}
