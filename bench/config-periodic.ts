// Config rule benchmark: a periodic evaluation of 2,000 VPCs in one account-region against moto, AWS calls counted on
// the wire. Target: ≤ 2 + ⌈N/1000⌉ describe calls (no per-resource describe) and ⌈N/100⌉ PutEvaluations.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFlowLogsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { startCallCounter } from "../test/support/http-counter.js";
import { invokeFunction } from "../test/support/invoke.js";
import type { BenchReport } from "./report.js";

const VPC_COUNT = 2000;
/** A region of its own, so the seeded VPCs are exactly the ones measured and other benchmarks do not see them. */
const REGION = "eu-west-3";
const BUCKET = "bench-config-flow-logs";
const SEED_TAG = { Key: "bench", Value: "config-periodic" };
const EXEMPT_EVERY = 20;
const SEED_CONCURRENCY = 8;
const DESCRIBE_ACTIONS = ["DescribeVpcs", "DescribeSubnets", "DescribeFlowLogs", "DescribeTags"];
const WRITE_ACTIONS = ["CreateFlowLogs", "DeleteFlowLogs", "CreateTags"];

const POLICY = `
version: 1
resourceTypes: [VPC, Subnet]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${BUCKET}" }
rules:
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
`;

/**
 * Seeds (or reuses) 2,000 VPCs in one account-region — every EXEMPT_EVERY-th exempt by tag, half of the rest with a
 * compliant flow log — then runs the built ConfigRuleFunction on a ScheduledNotification (TESTMODE) through a
 * call-counting proxy and reports the calls it made.
 */
export async function benchConfigPeriodic(motoEndpoint: string, report: BenchReport): Promise<void> {
  const clientConfig = { region: REGION, endpoint: motoEndpoint };
  const ec2 = new EC2Client(clientConfig);
  const s3 = new S3Client({ ...clientConfig, region: "us-east-1", forcePathStyle: true });
  const counter = await startCallCounter(motoEndpoint);
  try {
    const seedStart = performance.now();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(ignoreAlreadyOwned);
    const seeded = await seedVpcs(ec2, report);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    report.row({
      name: `config periodic: seed ${VPC_COUNT} VPCs in ${REGION}`,
      value: `${seeded.created} created, ${seeded.reused} reused (${seedSeconds.toFixed(1)} s)`,
      target: "-",
      ok: true,
    });

    const policyPath = join(mkdtempSync(join(tmpdir(), "bench-config-")), "policy.yaml");
    writeFileSync(policyPath, POLICY);
    const event = periodicEvent();
    report.step(`config periodic: ConfigRuleFunction evaluating ${VPC_COUNT} VPCs`);
    const started = performance.now();
    const result = await invokeFunction("ConfigRuleFunction", event, {
      // The deployment's destination guard admits the bench's bucket, as AllowedDestinations would.
      env: { POLICY_SOURCE: `file:${policyPath}`, ALLOWED_DESTINATIONS: `arn:aws:s3:::${BUCKET}` },
      processEnv: { AWS_ENDPOINT_URL: counter.endpoint, AWS_REGION: REGION },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (result.exitCode !== 0)
      throw new Error(
        `ConfigRuleFunction failed: ${JSON.stringify(result.output)}\n${result.stderr.slice(-2000)}`,
      );

    const evaluated = complianceCounts(result.output);
    const n = evaluated.total;
    const describes = DESCRIBE_ACTIONS.map((action) => [action, counter.count({ action })] as const);
    const describeCalls = describes.reduce((sum, [, count]) => sum + count, 0);
    const describeTarget = 2 + Math.ceil(n / 1000);
    const putCalls = counter.count({ action: "PutEvaluations" });
    const putTarget = Math.ceil(n / 100);
    const writes = WRITE_ACTIONS.reduce((sum, action) => sum + counter.count({ action }), 0);
    for (const row of [
      {
        name: "config periodic: evaluations sent",
        value: `${n} (${evaluated.compliant} COMPLIANT, ${evaluated.nonCompliant} NON_COMPLIANT, ${evaluated.notApplicable} NOT_APPLICABLE)`,
        target: `= ${VPC_COUNT}`,
        ok: n === VPC_COUNT,
      },
      {
        name: `config periodic: describe calls, N=${n} (moto returns one page)`,
        value: `${describeCalls} (${describes.map(([action, count]) => `${action} ${count}`).join(", ")})`,
        target: `≤ ${describeTarget}`,
        ok: describeCalls <= describeTarget,
      },
      {
        name: `config periodic: PutEvaluations calls, N=${n}`,
        value: String(putCalls),
        target: `≤ ${putTarget}`,
        ok: putCalls <= putTarget,
      },
      { name: "config periodic: writes", value: String(writes), target: "= 0", ok: writes === 0 },
      {
        name: "config periodic: invocation wall time (fresh process)",
        value: `${wallSeconds.toFixed(2)} s`,
        target: "-",
        ok: true,
      },
    ])
      report.row(row);
  } finally {
    await counter.stop();
    ec2.destroy();
    s3.destroy();
  }
}

/** Makes the region hold exactly VPC_COUNT seeded VPCs and nothing else, creating only what is missing. */
async function seedVpcs(ec2: EC2Client, report: BenchReport): Promise<{ created: number; reused: number }> {
  await removeDefaultVpc(ec2);
  // The region is the benchmark's own, so every VPC left in it is one seeded earlier (a tag filter is slower in moto).
  const existing = await ec2.send(new DescribeVpcsCommand({}));
  const reused = existing.Vpcs?.length ?? 0;
  const missing = Math.max(0, VPC_COUNT - reused);
  const created: string[] = [];
  for (let start = 0; start < missing; start += SEED_CONCURRENCY) {
    report.progress(`config periodic: seeding VPCs in ${REGION}`, start, missing);
    const batch = Array.from(
      { length: Math.min(SEED_CONCURRENCY, missing - start) },
      (_, i) => reused + start + i,
    );
    created.push(...(await Promise.all(batch.map((index) => createVpc(ec2, index)))));
  }
  report.progress(`config periodic: seeding VPCs in ${REGION}`, missing, missing);
  // Half of the VPCs that are not exempt get a compliant flow log, in one call per 1,000.
  const toCover = created.filter((_, i) => (reused + i) % EXEMPT_EVERY !== 0 && (reused + i) % 2 === 1);
  for (let start = 0; start < toCover.length; start += 1000)
    await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: toCover.slice(start, start + 1000),
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "s3",
        LogDestination: `arn:aws:s3:::${BUCKET}`,
      }),
    );
  return { created: created.length, reused };
}

async function createVpc(ec2: EC2Client, index: number): Promise<string> {
  const tags = index % EXEMPT_EVERY === 0 ? [SEED_TAG, { Key: "flow-logs", Value: "disabled" }] : [SEED_TAG];
  const response = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: "10.0.0.0/16",
      TagSpecifications: [{ ResourceType: "vpc", Tags: tags }],
    }),
  );
  const id = response.Vpc?.VpcId;
  if (id === undefined) throw new Error("moto returned no VPC ID");
  return id;
}

/** moto gives every region a default VPC with subnets on first use; the benchmark measures only its own VPCs. */
async function removeDefaultVpc(ec2: EC2Client): Promise<void> {
  const defaults = await ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
  );
  for (const vpc of defaults.Vpcs ?? []) {
    if (vpc.VpcId === undefined) continue;
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId] }] }),
    );
    for (const subnet of subnets.Subnets ?? [])
      if (subnet.SubnetId) await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
  }
}

function periodicEvent(): unknown {
  const text = readFileSync("events/config-periodic.json", "utf-8").split(":us-east-1:").join(`:${REGION}:`);
  return JSON.parse(text);
}

function complianceCounts(output: unknown): {
  total: number;
  compliant: number;
  nonCompliant: number;
  notApplicable: number;
} {
  const { evaluations } = z
    .object({ evaluations: z.array(z.object({ complianceType: z.string() })) })
    .parse(output);
  const count = (type: string) =>
    evaluations.filter((evaluation) => evaluation.complianceType === type).length;
  return {
    total: evaluations.length,
    compliant: count("COMPLIANT"),
    nonCompliant: count("NON_COMPLIANT"),
    notApplicable: count("NOT_APPLICABLE"),
  };
}

function ignoreAlreadyOwned(error: unknown): void {
  if (error instanceof Error && /BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(error.name)) return;
  throw error;
}
