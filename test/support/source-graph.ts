// What the TypeScript sources say about themselves, for tests that hold the templates to the code: which modules a
// handler reaches (static and dynamic imports), and which AWS actions a gateway module can call.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"(\.{1,2}\/[^"]+)"/g;

/** Every source file `entry` reaches through relative imports, `import()` included. */
export function reachableSources(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [normalize(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf-8").replace(/^\s*(\/\/|\*).*$/gm, "");
    for (const match of code.matchAll(RELATIVE_IMPORT)) {
      const target = normalize(join(dirname(file), (match[1] ?? "").replace(/\.js$/, ".ts")));
      if (!existsSync(target)) throw new Error(`${file} imports ${match[1]}, which does not exist`);
      pending.push(target);
    }
  }
  return seen;
}

/**
 * The IAM actions behind the SDK names a module imports from `@aws-sdk/client-<service>`: `paginateDescribeVpcs`
 * and `DescribeVpcsCommand` both mean `<service>:DescribeVpcs`.
 */
export function sdkActionsOf(file: string, service: string, iamPrefix: string): string[] {
  const text = readFileSync(file, "utf-8");
  const block =
    new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"@aws-sdk/client-${service}"`).exec(text)?.[1] ?? "";
  const names = block
    .split(",")
    .map((name) => name.replace(/^\s*type\s+/, "").trim())
    .flatMap(
      (name) => /^(?:paginate([A-Z]\w+)|([A-Z]\w+)Command)$/.exec(name)?.slice(1).filter(Boolean) ?? [],
    );
  return [...new Set(names)].map((name) => `${iamPrefix}:${name}`);
}
