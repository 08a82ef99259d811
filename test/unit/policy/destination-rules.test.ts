// The destination rules the schema and resolution enforce: cross-account Firehose (AWS's two-role setup),
// deliverCrossAccountRole where CreateFlowLogs ignores it, and the log group the enforcer prepares.
import { describe, expect, it } from "vitest";
import { type PolicyIssue, PolicyValidationError } from "../../../src/errors.js";
import { parsePolicy } from "../../../src/policy/parse.js";
import { resolveFlowLogSettings } from "../../../src/policy/resolve.js";
import { placement, VPC_A } from "../support/builders.js";

const STREAM_ACCOUNT = "999999999999";
const SOURCE_ROLE = "arn:${Partition}:iam::${AccountId}:role/flow-logs-firehose-source";
const DESTINATION_ROLE = `arn:aws:iam::${STREAM_ACCOUNT}:role/AWSLogDeliveryFirehoseCrossAccountRole`;

function issuesOf(text: string): readonly PolicyIssue[] {
  try {
    parsePolicy(text, "file:policy.yaml");
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues;
    throw error;
  }
  throw new Error("the policy was accepted");
}

function policyWithDestination(destination: string): string {
  return `version: 1\ndefaults:\n  destination:\n${destination
    .trim()
    .split("\n")
    .map((line) => `    ${line.trim()}`)
    .join("\n")}\n`;
}

function resolveFor(text: string, accountId = "111111111111") {
  const policy = parsePolicy(text, "file:policy.yaml");
  return resolveFlowLogSettings(policy, { type: "VPC", id: VPC_A, tags: {} }, placement({ accountId }));
}

describe("kinesis-data-firehose destinations", () => {
  const crossAccount = policyWithDestination(`
    type: kinesis-data-firehose
    arn: "arn:\${Partition}:firehose:\${Region}:${STREAM_ACCOUNT}:deliverystream/flow-logs"
    deliverLogsPermissionArn: "${SOURCE_ROLE}"
    deliverCrossAccountRole: "${DESTINATION_ROLE}"`);

  it("sends both roles when the stream is in another account than the resource", () => {
    // Act
    const resolution = resolveFor(crossAccount);

    // Assess
    expect(resolution).toMatchObject({
      kind: "enforce",
      settings: {
        destination: {
          type: "kinesis-data-firehose",
          arn: `arn:aws:firehose:us-east-1:${STREAM_ACCOUNT}:deliverystream/flow-logs`,
          deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-firehose-source",
          deliverCrossAccountRole: DESTINATION_ROLE,
        },
      },
    });
  });

  it("sends neither role for a resource in the stream's own account, so one rule serves every account", () => {
    // Act
    const resolution = resolveFor(crossAccount, STREAM_ACCOUNT);

    // Assess
    expect(resolution).toMatchObject({ kind: "enforce" });
    if (resolution.kind !== "enforce") return;
    expect(resolution.settings.destination).toEqual({
      type: "kinesis-data-firehose",
      arn: `arn:aws:firehose:us-east-1:${STREAM_ACCOUNT}:deliverystream/flow-logs`,
    });
  });

  it("refuses a stream in another account without the source-account role, naming what is missing", () => {
    // Prepare
    const text = policyWithDestination(`
      type: kinesis-data-firehose
      arn: "arn:aws:firehose:us-east-1:${STREAM_ACCOUNT}:deliverystream/flow-logs"
      deliverCrossAccountRole: "${DESTINATION_ROLE}"`);

    // Act
    const resolve = () => resolveFor(text);

    // Assess
    expect(resolve).toThrow(
      /stream .* is in account 999999999999, not 111111111111: cross-account delivery needs deliverLogsPermissionArn$/,
    );
  });

  it("refuses a stream in another account without either role", () => {
    // Prepare
    const text = policyWithDestination(`
      type: kinesis-data-firehose
      arn: "arn:aws:firehose:us-east-1:${STREAM_ACCOUNT}:deliverystream/flow-logs"`);

    // Act
    const resolve = () => resolveFor(text);

    // Assess
    expect(resolve).toThrow(/needs deliverLogsPermissionArn and deliverCrossAccountRole/);
  });

  it("rejects a deliverLogsPermissionArn that is not a role ARN", () => {
    // Prepare
    const text = policyWithDestination(`
      type: kinesis-data-firehose
      arn: "arn:aws:firehose:us-east-1:${STREAM_ACCOUNT}:deliverystream/flow-logs"
      deliverLogsPermissionArn: "arn:aws:iam::111111111111:user/someone"`);

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.destination.deliverLogsPermissionArn",
        message: "must be an IAM role ARN",
      }),
    ]);
  });
});

describe("deliverCrossAccountRole where CreateFlowLogs ignores it", () => {
  it.each([
    [
      "s3",
      `type: s3
       arn: "arn:aws:s3:::central-flow-logs/"
       deliverCrossAccountRole: "arn:aws:iam::999999999999:role/x"`,
      /kinesis-data-firehose destinations only: a bucket in another account is reached through its bucket policy/,
      6,
    ],
    [
      "cloud-watch-logs",
      `type: cloud-watch-logs
       logGroupName: flow-logs
       deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-delivery"
       deliverCrossAccountRole: "arn:aws:iam::999999999999:role/x"`,
      /kinesis-data-firehose destinations only: flow logs publish to a log group of the resource's own account/,
      7,
    ],
  ])("rejects it on a %s destination with the reason, at its line", (_type, destination, message, line) => {
    // Act
    const issues = issuesOf(policyWithDestination(destination));

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.destination.deliverCrossAccountRole",
        message: expect.stringMatching(message),
        line,
      }),
    ]);
  });
});

describe("cloud-watch-logs logGroup settings", () => {
  it("resolves retention, class and the key ARN with its placeholders", () => {
    // Prepare
    const text = policyWithDestination(`
      type: cloud-watch-logs
      logGroupName: "/vpc-flow-logs/\${VpcId}"
      deliverLogsPermissionArn: "arn:\${Partition}:iam::\${AccountId}:role/flow-logs-delivery"
      logGroup: { retentionDays: 90, class: INFREQUENT_ACCESS, kmsKeyArn: "arn:\${Partition}:kms:\${Region}:\${AccountId}:key/k-1" }`);

    // Act
    const resolution = resolveFor(text);

    // Assess
    expect(resolution).toMatchObject({
      kind: "enforce",
      settings: {
        destination: {
          logGroupName: `/vpc-flow-logs/${VPC_A}`,
          logGroup: {
            retentionDays: 90,
            class: "INFREQUENT_ACCESS",
            kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/k-1",
          },
        },
      },
    });
  });

  it("rejects a retention CloudWatch Logs does not offer and a key that is not a KMS key ARN", () => {
    // Prepare
    const text = policyWithDestination(`
      type: cloud-watch-logs
      logGroupName: flow-logs
      deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-delivery"
      logGroup: { retentionDays: 100, kmsKeyArn: "alias/flow-logs" }`);

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual([
      "defaults.destination.logGroup.retentionDays",
      "defaults.destination.logGroup.kmsKeyArn",
    ]);
    expect(issues[1]?.message).toMatch(/must be a KMS key ARN/);
  });
});
