// Layering is checked by folder, not hoped for: pure folders import no SDK, I/O or wiring; nothing below the app
// layer imports it; use cases reach AWS only through the ports they declare; handlers only wire; no import cycles.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT =
  /^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gms;

/** Static, bare and dynamic imports and re-exports: a lazily loaded module is still a dependency. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf-8").matchAll(IMPORT)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? "",
  );
}

function localImportsOf(file: string): string[] {
  return importsOf(file)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => normalize(join(dirname(file), spec.replace(/\.js$/, ".ts"))));
}

/** The first folder under src/ (`engine`, `app`, …), or the file name for modules at src/'s root. */
function layerOf(file: string): string {
  return relative("src", file).split(sep)[0] ?? "";
}

/** Decisions: given data, they return verdicts. No AWS SDK, no Powertools, no I/O, no wiring. */
const PURE_FOLDERS = ["domain", "policy", "engine", "triggers", "reports"];
const SDK_OR_IO =
  /^(@aws-sdk\/|@smithy\/|@aws-lambda-powertools\/|@middy\/|node:fs|node:http|node:net|node:child_process)/;
const AWS_SDK = /^(@aws-sdk\/|@smithy\/)/;
/** Entry points sit above the wiring: only they may import it. */
const ABOVE_APP = ["app", "cli"];

const srcFiles = sourceFiles("src");

describe("architecture", () => {
  it.each(srcFiles.filter((file) => PURE_FOLDERS.includes(layerOf(file))))(
    "%s (a pure folder) imports no SDK, Powertools, I/O or wiring module",
    (file) => {
      const forbidden = importsOf(file).filter(
        (spec) =>
          SDK_OR_IO.test(spec) ||
          localImportsOf(file).some((local) =>
            ["app", "cli", "gateways", "use-cases"].includes(layerOf(local)),
          ),
      );

      expect(forbidden).toEqual([]);
    },
  );

  it.each(srcFiles.filter((file) => layerOf(file) === "use-cases"))(
    "%s reaches AWS only through the ports it declares: no SDK, no gateway, no wiring",
    (file) => {
      const sdk = importsOf(file).filter((spec) => AWS_SDK.test(spec));
      const below = localImportsOf(file).filter((local) =>
        ["app", "cli", "gateways"].includes(layerOf(local)),
      );

      expect([...sdk, ...below]).toEqual([]);
    },
  );

  it.each(srcFiles.filter((file) => !ABOVE_APP.includes(layerOf(file))))(
    "%s does not import the app layer or the CLI above it",
    (file) => {
      const upward = localImportsOf(file).filter((local) => ABOVE_APP.includes(layerOf(local)));

      expect(upward).toEqual([]);
    },
  );

  it.each(srcFiles.filter((file) => layerOf(file) === "gateways"))(
    "%s (a gateway) depends on no use case: the app layer adapts gateways to the use cases' ports",
    (file) => {
      const upward = localImportsOf(file).filter((local) => layerOf(local) === "use-cases");

      expect(upward).toEqual([]);
    },
  );

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

  it("src/ ships: no development tooling (moto, templates, doc generators) lives there", () => {
    const tooling = srcFiles.filter((file) =>
      importsOf(file).some((spec) => /^(node:child_process|vitest|esbuild|lambda-local)/.test(spec)),
    );

    expect(tooling).toEqual([]);
  });

  it("src/ has no import cycles", () => {
    const graph = new Map(srcFiles.map((file) => [normalize(file), localImportsOf(file)]));
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
