// Seeding moto and reading results back, shared by the integration tests of every function.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFlowLogsCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeFlowLogsCommand,
  EC2Client,
  type FlowLog,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import type { TestCredentials } from "./aws-env.js";

export function ec2Client(credentials?: TestCredentials, region = "us-east-1"): EC2Client {
  return new EC2Client(credentials ? { credentials, region } : { region });
}

function tagSpecifications(resourceType: "vpc" | "subnet", tags: Record<string, string>) {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length > 0 ? { TagSpecifications: [{ ResourceType: resourceType, Tags: list }] } : {};
}

export async function createVpc(
  client: EC2Client,
  tags: Record<string, string> = {},
  cidr = "10.0.0.0/16",
): Promise<string> {
  const response = await client.send(
    new CreateVpcCommand({ CidrBlock: cidr, ...tagSpecifications("vpc", tags) }),
  );
  const id = response.Vpc?.VpcId;
  if (id === undefined) throw new Error("moto returned no VPC ID");
  return id;
}

let subnetCount = 0;

/** A subnet in the VPC; without a CIDR, the next free /24 of 10.0.0.0/16 (the default VPC CIDR above). */
export async function createSubnet(
  client: EC2Client,
  vpcId: string,
  options: { readonly cidr?: string; readonly tags?: Record<string, string> } = {},
): Promise<string> {
  subnetCount += 1;
  const cidr = options.cidr ?? `10.0.${subnetCount % 250}.0/24`;
  const response = await client.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidr,
      ...tagSpecifications("subnet", options.tags ?? {}),
    }),
  );
  const id = response.Subnet?.SubnetId;
  if (id === undefined) throw new Error("moto returned no subnet ID");
  return id;
}

/** Bucket-only ARN: moto wrongly rejects S3 ARNs with a prefix. */
export async function createS3FlowLog(client: EC2Client, vpcId: string, bucket: string): Promise<void> {
  await client.send(
    new CreateFlowLogsCommand({
      ResourceIds: [vpcId],
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "s3",
      LogDestination: `arn:aws:s3:::${bucket}`,
    }),
  );
}

export async function flowLogsOn(client: EC2Client, resourceId: string): Promise<FlowLog[]> {
  const response = await client.send(
    new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [resourceId] }] }),
  );
  return response.FlowLogs ?? [];
}

/** Writes a policy to a fresh temporary file and returns its POLICY_SOURCE (`file:<path>`). */
export function policySourceFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "policy-")), "policy.yaml");
  writeFileSync(path, text);
  return `file:${path}`;
}

const outcomeSchema = z.object({
  accountId: z.string(),
  region: z.string(),
  resourceId: z.string(),
  resourceType: z.string(),
  outcome: z.string(),
  flowLogIds: z.array(z.string()).optional(),
  rule: z.string().optional(),
  reason: z.string().optional(),
});

/** The outcomes of an enforcement report (what the event enforcer and remediation return). */
export function outcomesOf(output: unknown): Array<z.infer<typeof outcomeSchema>> {
  return z.object({ outcomes: z.array(outcomeSchema) }).parse(output).outcomes;
}

/** Lambda's error JSON, as `npm run invoke` prints it. */
export function lambdaError(output: unknown): { errorType: string; errorMessage: string } {
  return z.object({ errorType: z.string(), errorMessage: z.string() }).parse(output);
}
