// Layering is checked, not hoped for: decisions import no SDK, handlers only wire, and src/ has no import cycles.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms;

function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf-8").matchAll(IMPORT)].map((match) => match[1] ?? "");
}

function localImportsOf(file: string): string[] {
  return importsOf(file)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => normalize(join(dirname(file), spec.replace(/\.js$/, ".ts"))));
}

/** Pure decision code: given data, returns verdicts. No AWS SDK, no Powertools, no I/O. */
const PURE_MODULES = [
  ...sourceFiles("src/domain"),
  "src/engine/coverage.ts",
  "src/engine/enforce.ts",
  "src/engine/ports.ts",
  "src/engine/summary.ts",
  "src/triggers/cloudtrail-event.ts",
  "src/triggers/config-evaluations.ts",
  "src/triggers/edge-schemas.ts",
  "src/policy/schema.ts",
  "src/policy/resolve.ts",
  "src/policy/parse.ts",
];

describe("architecture", () => {
  it.each(PURE_MODULES)("%s imports no AWS SDK, Powertools or I/O module", (file) => {
    const forbidden = importsOf(file).filter((spec) =>
      /^(@aws-sdk\/|@smithy\/|@aws-lambda-powertools\/|node:fs|node:http|node:child_process)/.test(spec),
    );

    expect(forbidden).toEqual([]);
  });

  it.each(sourceFiles("handlers"))(
    "%s only wires: imports from src/ and middleware, holds no logic",
    (file) => {
      const text = readFileSync(file, "utf-8");
      const external = importsOf(file).filter(
        (spec) =>
          !spec.startsWith("../src/") && !/^(@middy\/|@aws-lambda-powertools\/|aws-lambda$)/.test(spec),
      );
      const codeLines = text
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.trim().startsWith("//"));

      expect(external).toEqual([]);
      expect(codeLines.length).toBeLessThanOrEqual(40);
    },
  );

  it("src/ has no import cycles", () => {
    const graph = new Map(sourceFiles("src").map((file) => [normalize(file), localImportsOf(file)]));
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);

    expect(cycles).toEqual([]);
  });

  it("never depends on the npm package named aws-lambda (an SDK v2 deploy tool)", () => {
    const manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } =
      JSON.parse(readFileSync("package.json", "utf-8"));

    expect(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })).not.toContain(
      "aws-lambda",
    );
  });
});
