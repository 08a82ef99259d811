// Destination plumbing against moto, through the built bundles: the member template's delivery role is the one the
// seeded policy names, log groups are created before their flow logs, and `flowlogs doctor` finds what would keep
// flow logs from delivering. Run `npm run build` first (npm test does).
import { readFileSync } from "node:fs";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/parse.js";
import { resolveFlowLogSettings } from "../../src/policy/resolve.js";
import { credentialsForAccount, type TestCredentials, useMoto } from "../support/aws-env.js";
import { runFlowlogs } from "../support/flowlogs-cli.js";
import { invokeFunction } from "../support/invoke.js";
import { createVpc, ec2Client, flowLogsOn, outcomesOf, policySourceFile } from "../support/moto-resources.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";
import { seededPolicyText } from "../support/seeded-policy.js";

const motoEndpoint = useMoto();
const HOME = "123456789012";
const MEMBER = "222222222222";
const REGION = "us-east-1";

interface DoctorJson {
  readonly rows: Array<{
    check: string;
    destination: string;
    where: string;
    status: string;
    detail: string;
    fix?: string;
  }>;
}

function doctorRows(stdout: string): DoctorJson["rows"] {
  return (JSON.parse(stdout) as DoctorJson).rows;
}

function doctor(policy: string, ...args: string[]) {
  return runFlowlogs(motoEndpoint(), [
    "doctor",
    "--policy",
    policySourceFile(policy),
    "--regions",
    REGION,
    "--format",
    "json",
    ...args,
  ]);
}

const s3 = () => new S3Client({ region: REGION, forcePathStyle: true });

/** AWS's documented bucket policy for flow-log delivery, for one account and prefix. */
function documentedBucketPolicy(bucket: string, prefix: string, account: string): string {
  const condition = {
    StringEquals: { "aws:SourceAccount": account },
    ArnLike: { "aws:SourceArn": `arn:aws:logs:${REGION}:${account}:*` },
  };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AWSLogDeliveryWrite",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucket}/${prefix}AWSLogs/${account}/*`,
        Condition: {
          ...condition,
          StringEquals: { ...condition.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" },
        },
      },
      {
        Sid: "AWSLogDeliveryAclCheck",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: condition,
      },
    ],
  });
}

const s3Policy = (bucket: string) => `version: 1
resourceTypes: [VPC]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${bucket}/\${AccountId}/" }
`;

describe("flowlogs doctor on an S3 destination", () => {
  it("fails, naming the missing grant, when the bucket policy lacks delivery.logs.amazonaws.com (exit 2)", async () => {
    // Prepare
    const bucket = "doctor-no-grant";
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await s3().send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${HOME}:root` },
              Action: "s3:GetObject",
              Resource: `arn:aws:s3:::${bucket}/*`,
            },
          ],
        }),
      }),
    );

    // Act
    const result = await doctor(s3Policy(bucket));

    // Assess
    expect(result.code, result.stderr).toBe(2);
    const put = doctorRows(result.stdout).find((row) => row.check === "bucket policy: s3:PutObject");
    expect(put).toMatchObject({
      status: "fail",
      where: `${HOME}/${REGION}`,
      detail: `no statement allows delivery.logs.amazonaws.com s3:PutObject on arn:aws:s3:::${bucket}/${HOME}/AWSLogs/${HOME}/`,
      fix: expect.stringContaining(`s3:PutObject on arn:aws:s3:::${bucket}/${HOME}/AWSLogs/${HOME}/*`),
    });
    expect(result.stderr).toMatch(/failed: \d+ check\(s\) over 1 account-region\(s\)/);
  });

  it("passes every check with AWS's documented bucket policy (exit 0)", async () => {
    // Prepare
    const bucket = "doctor-documented";
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await s3().send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: documentedBucketPolicy(bucket, `${HOME}/`, HOME),
      }),
    );

    // Act
    const result = await doctor(s3Policy(bucket));

    // Assess
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const rows = doctorRows(result.stdout);
    expect(rows.map((row) => [row.check, row.status])).toEqual(
      expect.arrayContaining([
        ["bucket exists", "pass"],
        ["bucket policy: s3:PutObject", "pass"],
        ["bucket policy: s3:GetBucketAcl", "pass"],
      ]),
    );
    expect(rows.filter((row) => row.status === "fail")).toEqual([]);
  });

  it("fails on an explicit Deny even next to the documented grant", async () => {
    // Prepare
    const bucket = "doctor-denied";
    const policy = JSON.parse(documentedBucketPolicy(bucket, `${HOME}/`, HOME)) as { Statement: unknown[] };
    policy.Statement.push({
      Sid: "NoLogDelivery",
      Effect: "Deny",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:*",
      Resource: `arn:aws:s3:::${bucket}/*`,
    });
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));

    // Act
    const result = await doctor(s3Policy(bucket));

    // Assess
    expect(result.code).toBe(2);
    expect(
      doctorRows(result.stdout).find((row) => row.check === "bucket policy: s3:PutObject"),
    ).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^Statement\[2\] \(NoLogDelivery\) denies/),
    });
  });

  it("fails when the bucket does not exist, and prints a table with the fix by default", async () => {
    // Act
    const result = await runFlowlogs(motoEndpoint(), [
      "doctor",
      "--policy",
      policySourceFile(s3Policy("doctor-missing-bucket")),
      "--regions",
      REGION,
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^STATUS\s+CHECK\s+DESTINATION\s+WHERE\s+DETAIL\n/);
    expect(result.stdout).toMatch(
      /FAIL\s+bucket exists\s+arn:aws:s3:::doctor-missing-bucket\/123456789012\/\s+-\s+no such bucket\n\s+fix: create the bucket/,
    );
  });
});

describe("flowlogs doctor on a CloudWatch Logs destination", () => {
  it("fails on a delivery role that trusts ec2.amazonaws.com instead of vpc-flow-logs.amazonaws.com", async () => {
    // Prepare
    await new IAMClient({ region: REGION }).send(
      new CreateRoleCommand({
        RoleName: "ec2-trusting-delivery",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    await new CloudWatchLogsClient({ region: REGION }).send(
      new CreateLogGroupCommand({ logGroupName: "/vpc-flow-logs/doctor" }),
    );
    const policy = `version: 1
resourceTypes: [VPC]
defaults:
  destination:
    type: cloud-watch-logs
    logGroupName: /vpc-flow-logs/doctor
    deliverLogsPermissionArn: "arn:\${Partition}:iam::\${AccountId}:role/ec2-trusting-delivery"
`;

    // Act
    const result = await doctor(policy);

    // Assess
    expect(result.code).toBe(2);
    const rows = doctorRows(result.stdout);
    expect(rows.find((row) => row.check === "delivery role")).toMatchObject({
      status: "fail",
      destination: `arn:aws:iam::${HOME}:role/ec2-trusting-delivery`,
      detail: "trusts ec2.amazonaws.com, not vpc-flow-logs.amazonaws.com: flow logs cannot assume it",
    });
    expect(rows.find((row) => row.check === "log group")).toMatchObject({ status: "pass" });
  });
});

describe("delivery role from the member stack set", () => {
  let member: TestCredentials;

  beforeAll(async () => {
    member = await credentialsForAccount(motoEndpoint(), MEMBER);
    const cfn = new CloudFormationClient({ region: REGION, credentials: member });
    await cfn.send(
      new CreateStackCommand({
        StackName: "vpc-flow-log-enforcer-member",
        TemplateBody: readFileSync("templates/member.yaml", "utf-8"),
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        // What MemberStackSet passes, with template.yaml's defaults for the rest.
        Parameters: [
          { ParameterKey: "OrganizationId", ParameterValue: "o-abcdefghij" },
          { ParameterKey: "TrustedRoleArns", ParameterValue: `arn:aws:iam::${HOME}:role/enforcer` },
          {
            ParameterKey: "CentralEventBusArn",
            ParameterValue: `arn:aws:events:${REGION}:${HOME}:event-bus/central`,
          },
          { ParameterKey: "GlobalResourcesRegion", ParameterValue: REGION },
        ],
      }),
    );
  });

  it("is the role the seeded cloud-watch-logs policy names, and doctor finds it trusting vpc-flow-logs", async () => {
    // Prepare
    const seeded = seededPolicyText({ DefaultDestination: "cloud-watch-logs" });
    const { Stacks = [] } = await new CloudFormationClient({ region: REGION, credentials: member }).send(
      new DescribeStacksCommand({ StackName: "vpc-flow-log-enforcer-member" }),
    );
    const created = Stacks[0]?.Outputs?.find((output) => output.OutputKey === "DeliveryRoleArn")?.OutputValue;

    // Act
    const resolution = resolveFlowLogSettings(
      parsePolicy(seeded, "template.yaml PolicyParameter"),
      { type: "VPC", id: "vpc-0123456789abcdef0", tags: {} },
      { accountId: MEMBER as never, region: REGION as never, partition: "aws" },
    );
    const result = await doctor(seeded, "--accounts", MEMBER);

    // Assess
    expect(created).toBe(`arn:aws:iam::${MEMBER}:role/flow-logs-delivery`);
    expect(resolution).toMatchObject({
      kind: "enforce",
      settings: { destination: { deliverLogsPermissionArn: created } },
    });
    expect(doctorRows(result.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          check: "delivery role",
          destination: created,
          status: "pass",
          detail: "trusts vpc-flow-logs.amazonaws.com",
        }),
        expect.objectContaining({ check: "log group", status: "pass" }),
      ]),
    );
    expect(result.code, result.stdout).toBe(0);
  });
});

describe("log groups the enforcer prepares", () => {
  it("creates the missing log group with the policy's retention, tagged, before the flow log to it", async () => {
    // Prepare
    const policy = policySourceFile(`version: 1
resourceTypes: [VPC]
defaults:
  destination:
    type: cloud-watch-logs
    logGroupName: "/vpc-flow-logs/\${VpcId}"
    deliverLogsPermissionArn: "arn:\${Partition}:iam::\${AccountId}:role/flow-logs-delivery"
    logGroup: { retentionDays: 30 }
`);
    const credentials = await credentialsForAccount(motoEndpoint(), MEMBER);
    const vpcId = await createVpc(ec2Client(credentials), {}, "10.20.0.0/16");
    const event = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId, [SAMPLE_IDS.account]: MEMBER });

    // Act
    // A single-account deployment acts in the member account only when ALLOWED_ACCOUNTS lists it.
    const result = await invokeFunction("EventEnforcerFunction", event, {
      env: { POLICY_SOURCE: policy, ALLOWED_ACCOUNTS: `${HOME},${MEMBER}` },
    });

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "created" }),
    ]);
    const logs = new CloudWatchLogsClient({ region: REGION, credentials });
    const { logGroups = [] } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: `/vpc-flow-logs/${vpcId}` }),
    );
    expect(logGroups).toEqual([
      expect.objectContaining({ logGroupName: `/vpc-flow-logs/${vpcId}`, retentionInDays: 30 }),
    ]);
    const { tags } = await logs.send(
      new ListTagsForResourceCommand({
        resourceArn: `arn:aws:logs:${REGION}:${MEMBER}:log-group:/vpc-flow-logs/${vpcId}`,
      }),
    );
    expect(tags).toEqual({ CreatedBy: "vpc-flow-log-enforcer" });
    expect(await flowLogsOn(ec2Client(credentials), vpcId)).toEqual([
      expect.objectContaining({
        LogGroupName: `/vpc-flow-logs/${vpcId}`,
        DeliverLogsPermissionArn: `arn:aws:iam::${MEMBER}:role/flow-logs-delivery`,
        DeliverLogsStatus: "SUCCESS",
      }),
    ]);
  });
});
