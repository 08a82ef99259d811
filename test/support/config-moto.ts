// Helpers shared by the Config rule and remediation integration tests: seeding moto, reading the handlers' reports.
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

/** Bucket-only ARNs: moto wrongly rejects S3 ARNs with a prefix. */
export const CENTRAL_BUCKET = "central-flow-logs";
export const OTHER_BUCKET = "team-flow-logs";

export const CONFIG_RULE_POLICY = `
version: 1
mode: enforce
resourceTypes: [VPC, Subnet]
subnetCoverage: vpc
compliance: destination
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${CENTRAL_BUCKET}" }
  tags: { ManagedBy: vpc-flow-log-enforcer }
rules:
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
`;

/** Writes a policy to a fresh temporary file and returns its POLICY_SOURCE (`file:<path>`). */
export function policySourceFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "config-policy-")), "policy.yaml");
  writeFileSync(path, text);
  return `file:${path}`;
}

export function ec2Client(credentials?: TestCredentials): EC2Client {
  return new EC2Client(credentials ? { credentials, region: "us-east-1" } : { region: "us-east-1" });
}

export async function createVpc(client: EC2Client, tags: Record<string, string> = {}): Promise<string> {
  const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const response = await client.send(
    new CreateVpcCommand({
      CidrBlock: "10.0.0.0/16",
      ...(tagList.length > 0 ? { TagSpecifications: [{ ResourceType: "vpc", Tags: tagList }] } : {}),
    }),
  );
  const id = response.Vpc?.VpcId;
  if (id === undefined) throw new Error("moto returned no VPC ID");
  return id;
}

export async function createSubnet(
  client: EC2Client,
  vpcId: string,
  cidrBlock = "10.0.1.0/24",
): Promise<string> {
  const response = await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidrBlock }));
  const id = response.Subnet?.SubnetId;
  if (id === undefined) throw new Error("moto returned no subnet ID");
  return id;
}

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

const evaluationSchema = z.object({
  resourceType: z.string(),
  resourceId: z.string(),
  complianceType: z.enum(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]),
  annotation: z.string().optional(),
  orderingTimestamp: z.string(),
});
const configRuleReportSchema = z.object({
  messageType: z.string(),
  accountId: z.string(),
  testMode: z.boolean(),
  putEvaluationsCalls: z.number(),
  evaluations: z.array(evaluationSchema),
});
export type ReportedEvaluation = z.infer<typeof evaluationSchema>;

/** The ConfigRuleFunction's result, checked against its shape. */
export function configRuleReport(output: unknown): z.infer<typeof configRuleReportSchema> {
  return configRuleReportSchema.parse(output);
}

/** Evaluations by resource ID. */
export function evaluationsById(output: unknown): Map<string, ReportedEvaluation> {
  return new Map(
    configRuleReport(output).evaluations.map((evaluation) => [evaluation.resourceId, evaluation]),
  );
}

const outcomeSchema = z.object({
  resourceId: z.string(),
  resourceType: z.string(),
  outcome: z.string(),
  flowLogIds: z.array(z.string()).optional(),
  reason: z.string().optional(),
});

/** The outcomes of an enforcement report (the remediation function's result). */
export function outcomesOf(output: unknown): Array<z.infer<typeof outcomeSchema>> {
  return z.object({ outcomes: z.array(outcomeSchema) }).parse(output).outcomes;
}

/** Lambda's error JSON, as `npm run invoke` prints it. */
export function lambdaError(output: unknown): { errorType: string; errorMessage: string } {
  return z.object({ errorType: z.string(), errorMessage: z.string() }).parse(output);
}
