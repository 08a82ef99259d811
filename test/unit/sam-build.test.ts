// `sam build` builds every function through the Makefile with scripts/build.mjs. These tests run those Makefile
// targets the way SAM does and hold them to two promises: the artifact is byte for byte what the tests and
// benchmarks ran (dist/), and a cold start loads only what it needs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { readTemplate } from "../../tools/sam-template.js";
import { bundleGraph, sourcesOf } from "../support/bundle-graph.js";

const template = readTemplate("template.yaml");
const functions = Object.entries(template.Resources as Record<string, Record<string, unknown>>)
  .filter(([, resource]) => resource.Type === "AWS::Serverless::Function")
  .map(([logicalId, resource]) => ({
    logicalId,
    buildMethod: (resource.Metadata as Record<string, unknown> | undefined)?.BuildMethod,
    handlerFile: String((resource.Properties as Record<string, unknown>).Handler).replace(/\.handler$/, ""),
  }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("sam build (BuildMethod: makefile)", () => {
  it("builds every function with a Makefile target", () => {
    const makefile = readFileSync("Makefile", "utf-8");
    expect(functions.map((fn) => fn.logicalId)).toHaveLength(6);
    for (const fn of functions) {
      expect(fn.buildMethod, fn.logicalId).toBe("makefile");
      expect(makefile, fn.logicalId).toMatch(new RegExp(`^build-${fn.logicalId}:`, "m"));
    }
  });

  it("is configured by samconfig.toml to build in the source directory, in parallel, as these targets run here", () => {
    // Prepare: the [default.build.parameters] table, `key = value` per line.
    const text = readFileSync("samconfig.toml", "utf-8");
    const table = text.split(/^\[default\.build\.parameters\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";

    // Act
    const settings = Object.fromEntries(
      [...table.matchAll(/^([a-z_]+)\s*=\s*(\S+)\s*$/gm)].map((match) => [match[1], match[2]]),
    );

    // Assess: the make targets below run in the project directory, with node_modules where SAM would find it.
    expect(settings).toEqual({ build_in_source: "true", parallel: "true", cached: "false" });
  });

  it.each(functions.map((fn) => [fn.logicalId, fn.handlerFile] as const))(
    "make build-%s yields the handler and its chunks, byte for byte as in dist/",
    (logicalId, handlerFile) => {
      const artifacts = mkdtempSync(join(tmpdir(), `${logicalId}-`));

      const make = spawnSync("make", [`build-${logicalId}`], {
        env: { ...process.env, ARTIFACTS_DIR: artifacts },
        encoding: "utf-8",
      });

      expect(make.status, make.stderr).toBe(0);
      const graph = bundleGraph(join(artifacts, `${handlerFile}.mjs`));
      const built = filesUnder(artifacts).map((file) => relative(artifacts, file));
      // Nothing the handler does not load, nothing it loads missing (bundleGraph throws on a dangling import).
      expect(built.filter((file) => file.endsWith(".mjs")).sort()).toEqual(
        [...graph.startup, ...graph.onDemand].map((file) => relative(artifacts, file)).sort(),
      );
      for (const file of built)
        expect(readFileSync(join(artifacts, file)).equals(readFileSync(join("dist", file))), file).toBe(true);
    },
  );

  it("keeps S3, Organizations, CloudWatch Logs, the policy parser and unused credential providers out of the enforcer's cold start", () => {
    const graph = bundleGraph("dist/event-enforcer.mjs");
    const onDemandOnly =
      /node_modules\/(@aws-sdk\/client-s3|@aws-sdk\/client-organizations|@aws-sdk\/client-cloudwatch-logs|yaml|@aws-sdk\/credential-provider-(sso|ini|process))\/|src\/policy\/(parse|schema)\.ts/;
    const loadedAtStartup = sourcesOf(graph.startup);
    const loadedOnDemand = sourcesOf(graph.onDemand);

    expect(loadedAtStartup.filter((source) => onDemandOnly.test(source))).toEqual([]);
    // Still shipped: each is a chunk the enforcer loads when a policy or a credential source needs it.
    for (const module of [
      "client-s3/",
      "client-organizations/",
      "client-cloudwatch-logs/",
      "/yaml/",
      "credential-provider-sso/",
      "policy/parse.ts",
    ])
      expect(
        loadedOnDemand.some((source) => source.includes(module)),
        module,
      ).toBe(true);
    // What every invocation needs is there from the start: EC2, SSM (the deployed policy source), STS, Powertools.
    for (const module of ["client-ec2/", "client-ssm/", "client-sts/", "powertools/logger/"])
      expect(
        loadedAtStartup.some((source) => source.includes(module)),
        module,
      ).toBe(true);
  });

  it.each([
    ["event-enforcer", ["client-securityhub/", "client-sns/"]],
    ["config-rule", ["client-securityhub/", "client-sns/"]],
    ["config-remediation", ["client-securityhub/", "client-sns/"]],
    ["sweep-worker", ["client-securityhub/", "client-sns/", "client-s3/", "gateways/report-store.ts"]],
    ["org-sweep", ["client-s3/", "gateways/report-store.ts"]],
  ])(
    "%s loads the findings, notification and history clients only when an output is used",
    (handler, onDemand) => {
      const graph = bundleGraph(`dist/${handler}.mjs`);
      const loadedAtStartup = sourcesOf(graph.startup);
      const loadedOnDemand = sourcesOf(graph.onDemand);

      for (const module of onDemand) {
        expect(
          loadedAtStartup.filter((source) => source.includes(module)),
          `${module} at startup`,
        ).toEqual([]);
        expect(
          loadedOnDemand.some((source) => source.includes(module)),
          `${module} on demand`,
        ).toBe(true);
      }
    },
  );
});
