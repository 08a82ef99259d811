// Core benchmarks of issue 2: cold init vs bare Node, AWS calls per event (counted on the wire), bundle sizes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { CreateFlowLogsCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { bundleGraph } from "../test/support/bundle-graph.js";
import { startCallCounter } from "../test/support/http-counter.js";
import { invokeFunction } from "../test/support/invoke.js";
import { sampleEvent } from "../test/support/sample-events.js";
import { findFunction, readTemplate } from "../tools/sam-template.js";
import type { BenchReport, BenchRow } from "./report.js";

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Process wall time of `node -e ''` vs `node` importing the bundle, interleaved so drift hits both alike. The bundle
 * runs with the function's environment from template.yaml (NODE_OPTIONS included: --enable-source-maps alone
 * would add the parse of a 7 MB source map to every cold start).
 */
export function benchColdInit(report: BenchReport, runs = 21): void {
  const bundle = resolve("dist/event-enforcer.mjs");
  const importScript = `const t = performance.now(); await import(${JSON.stringify(bundle)}); process.stderr.write(String(performance.now() - t));`;
  const functionEnv = findFunction(readTemplate("template.yaml"), "EventEnforcerFunction").environment;
  const env = { ...process.env, ...functionEnv, AWS_REGION: "us-east-1" };
  const bareEnv = { ...process.env, AWS_REGION: "us-east-1" };
  const bare: number[] = [];
  const withBundle: number[] = [];
  const inProcess: number[] = [];
  const timeProcess = (args: string[], processEnv: NodeJS.ProcessEnv) => {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { env: processEnv, encoding: "utf-8" });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.status !== 0) throw new Error(`cold-init run failed: ${run.stderr}`);
    return { elapsed, stderr: run.stderr };
  };
  for (let i = 0; i < runs; i += 1) {
    report.progress("cold init: runs", i, runs);
    bare.push(timeProcess(["-e", ""], bareEnv).elapsed);
    const loaded = timeProcess(["--input-type=module", "-e", importScript], env);
    withBundle.push(loaded.elapsed);
    inProcess.push(Number.parseFloat(loaded.stderr.trim().split("\n").pop() ?? "NaN"));
  }
  report.progress("cold init: runs", runs, runs);
  const ratio = median(withBundle) / median(bare);
  for (const row of [
    {
      name: "cold init: bare node -e '' (median wall)",
      value: `${median(bare).toFixed(1)} ms`,
      target: "-",
      ok: true,
    },
    {
      name: "cold init: event-enforcer import, in-process (median)",
      value: `${median(inProcess).toFixed(1)} ms`,
      target: "-",
      ok: true,
    },
    {
      name: "cold init: node + event-enforcer bundle (median wall)",
      value: `${median(withBundle).toFixed(1)} ms (${ratio.toFixed(2)}× bare)`,
      target: "≤ 2× bare",
      ok: ratio <= 2,
    },
  ])
    report.row(row);
  report.row(benchParserChunk(bundle, env, Math.ceil(runs / 2)));
}

/**
 * What the cold init no longer pays: the policy parser (YAML library + zod policy schema) is a chunk imported while
 * the first policy read is in flight. Measured as the extra in-process time to import it once the bundle is loaded;
 * behind an SSM or S3 round trip it overlaps the network wait, with a file: policy it adds to the first invocation.
 */
function benchParserChunk(bundle: string, env: NodeJS.ProcessEnv, runs: number): BenchRow {
  const parser = bundleGraph(bundle).onDemand.find((file) => /\/parse-[A-Z0-9]+\.mjs$/.test(file));
  if (parser === undefined) throw new Error(`${bundle} has no on-demand policy parser chunk`);
  const script = `await import(${JSON.stringify(bundle)}); const t = performance.now(); await import(${JSON.stringify(resolve(parser))}); process.stderr.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env,
      encoding: "utf-8",
    });
    if (run.status !== 0) throw new Error(`parser chunk run failed: ${run.stderr}`);
    times.push(Number.parseFloat(run.stderr.trim().split("\n").pop() ?? "NaN"));
  }
  return {
    name: "first policy read: parser chunk import (median)",
    value: `${median(times).toFixed(1)} ms, overlapping the SSM/S3 read`,
    target: "-",
    ok: true,
  };
}

/** Per handler: what a cold start loads (entry + static chunks) and what stays on disk until first needed. */
export function benchBundleSizes(report: BenchReport): void {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const sizes = (files: readonly string[]) => {
    const contents = files.map((file) => readFileSync(file));
    const raw = contents.reduce((sum, content) => sum + content.length, 0);
    const gzip = contents.reduce((sum, content) => sum + gzipSync(content).length, 0);
    return { raw, gzip };
  };
  const rows = readdirSync("dist")
    .filter((file) => file.endsWith(".mjs"))
    .map((file): BenchRow => {
      const graph = bundleGraph(join("dist", file));
      const startup = sizes(graph.startup);
      const onDemand = sizes(graph.onDemand);
      const lazy =
        graph.onDemand.length === 0 ? "" : `; on demand ${kib(onDemand.raw)} in ${graph.onDemand.length}`;
      return {
        name: `bundle size: ${file}`,
        value: `startup ${kib(startup.raw)} raw, ${kib(startup.gzip)} gzip in ${graph.startup.length} file(s)${lazy}`,
        target: "-",
        ok: true,
      };
    });
  for (const row of rows) report.row(row);
}

const TAG_POLICY = `
version: 1
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::central-flow-logs" }
rules:
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
`;
const NO_TAG_POLICY = TAG_POLICY.slice(0, TAG_POLICY.indexOf("rules:"));

/** AWS calls per event, counted at the HTTP layer in front of moto (home account: no AssumeRole). */
export async function benchCallsPerEvent(motoEndpoint: string, report: BenchReport): Promise<void> {
  process.env.AWS_ENDPOINT_URL = motoEndpoint;
  const dir = mkdtempSync(join(tmpdir(), "bench-policy-"));
  const policies = { tags: join(dir, "tags.yaml"), plain: join(dir, "plain.yaml") };
  writeFileSync(policies.tags, TAG_POLICY);
  writeFileSync(policies.plain, NO_TAG_POLICY);
  const ec2 = new EC2Client({ region: "us-east-1" });
  await new S3Client({ region: "us-east-1", forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "central-flow-logs" }),
  );
  const counter = await startCallCounter(motoEndpoint);
  try {
    const measure = async (name: string, event: Record<string, unknown>, policy: string, limit: number) => {
      counter.reset();
      const result = await invokeFunction("EventEnforcerFunction", event, {
        env: { POLICY_SOURCE: `file:${policy}` },
        processEnv: {
          AWS_ENDPOINT_URL: counter.endpoint,
          AWS_ACCESS_KEY_ID: "bench",
          AWS_SECRET_ACCESS_KEY: "bench",
        },
      });
      if (result.exitCode !== 0)
        throw new Error(`${name}: invocation failed: ${JSON.stringify(result.output)}`);
      const calls = counter.calls().map((call) => call.action);
      report.row({
        name: `calls: ${name}`,
        value: `${calls.length} (${calls.join(", ")})`,
        target: `≤ ${limit}`,
        ok: calls.length <= limit,
      });
    };
    const newVpc = async () =>
      (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc?.VpcId ?? "";
    const vpcEvent = (id: string) => sampleEvent("vpc-created.json", { "vpc-0a1b2c3d4e5f60718": id });

    // Every event reads its resource by ID (DescribeVpcs/DescribeSubnets: existence, owner, VPC, tags) in
    // parallel with DescribeFlowLogs; a subnet under tag rules also reads its VPC (inherited tags) in that round.
    await measure("non-compliant VPC, tag rules", vpcEvent(await newVpc()), policies.tags, 3);
    await measure("non-compliant VPC, no tag rules", vpcEvent(await newVpc()), policies.plain, 3);
    const subnetEvent = (vpc: string, subnet: string) =>
      sampleEvent("subnet-created.json", {
        "vpc-0a1b2c3d4e5f60718": vpc,
        "subnet-0a1b2c3d4e5f60719": subnet,
      });
    const newSubnet = async (vpc: string, cidr: string) =>
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr }))).Subnet?.SubnetId ?? "";
    const vpcForSubnet = await newVpc();
    await measure(
      "non-compliant subnet, tag rules",
      subnetEvent(vpcForSubnet, await newSubnet(vpcForSubnet, "10.9.1.0/24")),
      policies.tags,
      4,
    );
    const covered = await newVpc();
    await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [covered],
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "s3",
        LogDestination: "arn:aws:s3:::central-flow-logs",
      }),
    );
    await measure("compliant VPC, tag rules", vpcEvent(covered), policies.tags, 2);
    await measure("compliant VPC, no tag rules", vpcEvent(covered), policies.plain, 2);
    const coveredSubnet = await newSubnet(covered, "10.9.2.0/24");
    await measure("compliant subnet, no tag rules", subnetEvent(covered, coveredSubnet), policies.plain, 2);
    await measure(
      "compliant subnet, tag rules (+ its VPC's tags)",
      subnetEvent(covered, coveredSubnet),
      policies.tags,
      3,
    );
  } finally {
    await counter.stop();
  }
}
