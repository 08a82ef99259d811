import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  DescribeFlowLogsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type DescribeVpcsCommandInput,
  EC2Client,
  type Vpc,
} from "@aws-sdk/client-ec2";
import { ListAccountsCommand, ListParentsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../../src/runtime.js";
import { parseSweepMessage, sweepMessageBody } from "../../../src/triggers/sweep-message.js";
import { processSweepBatch, sweepAccountRegion } from "../../../src/use-cases/sweep-account-region.js";
import { accountId } from "../support/builders.js";

const ec2Mock = mockClient(EC2Client);
const stsMock = mockClient(STSClient);
const orgMock = mockClient(OrganizationsClient);

const HOME = "111111111111";
const MEMBER = "222222222222";
const OUTSIDER = "333333333333";
const PROD_OU = "ou-ab12-11111111";
const RUN = "org-sweep-run-1";

const DEFAULT_POLICY = `
version: 1
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::central-flow-logs/\${AccountId}/" }
`;

afterEach(() => {
  ec2Mock.reset();
  stsMock.reset();
  orgMock.reset();
});

beforeEach(() => {
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAMEMBER",
      SecretAccessKey: "secret",
      SessionToken: "token",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
  ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  ec2Mock.on(CreateFlowLogsCommand).callsFake((input: CreateFlowLogsCommandInput) => ({
    FlowLogIds: (input.ResourceIds ?? []).map((id) => `fl-${id.slice(4)}`),
    Unsuccessful: [],
  }));
});

function runtimeWith(policy: string, env: Record<string, string> = {}): Runtime {
  const dir = mkdtempSync(join(tmpdir(), "sweep-policy-"));
  writeFileSync(join(dir, "policy.yaml"), policy);
  const runtime = createRuntime({
    POLICY_SOURCE: `file:${join(dir, "policy.yaml")}`,
    AWS_MAX_ATTEMPTS: "1",
    ...env,
  });
  runtime.accounts.setHomeAccount(HOME);
  return runtime;
}

function vpcs(count: number, prefix = "0a", tags: Vpc["Tags"] = []): Vpc[] {
  return Array.from({ length: count }, (_, i) => ({
    VpcId: `vpc-${prefix}${i.toString(16).padStart(15, "0")}`,
    Tags: tags,
  }));
}

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1795397651482",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1795397651488",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111111111111:sweep",
    awsRegion: "us-east-1",
  };
}

function message(account: string, region = "us-east-1", runId = RUN): string {
  return sweepMessageBody({ accountId: accountId(account), region }, runId);
}

const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "SweepWorkerFunction",
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${HOME}:function:SweepWorkerFunction`,
  memoryLimitInMB: "256",
  awsRequestId: "req-1",
  logGroupName: "/aws/lambda/SweepWorkerFunction",
  logStreamName: "stream",
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

function createCalls(): CreateFlowLogsCommandInput[] {
  return ec2Mock.commandCalls(CreateFlowLogsCommand).map((call) => call.args[0].input);
}

describe("processSweepBatch", () => {
  it("reports only the malformed record and the account whose role cannot be assumed; the others finish", async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: vpcs(2) });
    stsMock
      .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${OUTSIDER}:role/FlowLogEnforcerMemberRole` })
      .rejects(
        new STSServiceException({ name: "AccessDenied", $fault: "client", $metadata: {}, message: "no" }),
      );
    const event: SQSEvent = {
      Records: [
        record("home", message(HOME)),
        record("malformed", JSON.stringify({ accountId: HOME, region: "us-east-1" })),
        record("denied", message(OUTSIDER)),
        record("member", message(MEMBER, "eu-west-1")),
      ],
    };

    // Act
    const response = await processSweepBatch(event, context, runtimeWith(DEFAULT_POLICY));

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "malformed" },
      { itemIdentifier: "denied" },
    ]);
    expect(createCalls().map((input) => input.LogDestination)).toEqual([
      `arn:aws:s3:::central-flow-logs/${HOME}/`,
      `arn:aws:s3:::central-flow-logs/${MEMBER}/`,
    ]);
  });

  it("refuses an account outside the organization before any AssumeRole or EC2 call", async () => {
    // Prepare
    orgMock.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: HOME, State: "ACTIVE" },
        { Id: MEMBER, State: "ACTIVE" },
      ],
    });
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: vpcs(1) });
    const event: SQSEvent = {
      Records: [record("outsider", message(OUTSIDER)), record("member", message(MEMBER))],
    };

    // Act
    const response = await processSweepBatch(
      event,
      context,
      runtimeWith(DEFAULT_POLICY, { ORGANIZATION_CHECK: "on" }),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "outsider" }]);
    expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([
      `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
    ]);
    expect(createCalls()).toHaveLength(1);
  });

  it("does not ask Organizations about the function's own account, which it reaches without AssumeRole", async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: vpcs(1) });
    const event: SQSEvent = { Records: [record("home", message(HOME))] };

    // Act
    const response = await processSweepBatch(
      event,
      context,
      runtimeWith(DEFAULT_POLICY, { ORGANIZATION_CHECK: "on" }),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(orgMock).toHaveReceivedCommandTimes(ListAccountsCommand, 0);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it("reports every record as failed rather than throwing when the whole batch fails", async () => {
    // Prepare
    const event: SQSEvent = { Records: [record("a", "not json"), record("b", "{}")] };

    // Act
    const response = await processSweepBatch(event, context, runtimeWith(DEFAULT_POLICY));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "a" }, { itemIdentifier: "b" }]);
  });
});

describe("sweepAccountRegion", () => {
  it("reads every page of VPCs and creates their flow logs in calls of at most 1000, grouped by settings and OU rule", async () => {
    // Prepare
    const restricted = vpcs(500, "0c", [{ Key: "tier", Value: "restricted" }]);
    const pages: Record<string, { Vpcs: Vpc[]; NextToken?: string }> = {
      first: { Vpcs: vpcs(1000, "0a"), NextToken: "p2" },
      p2: { Vpcs: [...vpcs(500, "0b"), ...restricted.slice(0, 500)], NextToken: "p3" },
      p3: { Vpcs: vpcs(500, "0d") },
    };
    ec2Mock
      .on(DescribeVpcsCommand)
      .callsFake((input: DescribeVpcsCommandInput) => pages[input.NextToken ?? "first"]);
    orgMock.on(ListParentsCommand, { ChildId: MEMBER }).resolves({ Parents: [{ Id: PROD_OU }] });
    orgMock.on(ListParentsCommand, { ChildId: PROD_OU }).resolves({ Parents: [{ Id: "r-ab12" }] });
    const policy = `
version: 1
resourceTypes: [VPC]
defaults:
  destination: { type: s3, arn: "arn:aws:s3:::central-flow-logs" }
rules:
  - name: restricted
    match: { tags: { tier: restricted } }
    destination: { type: s3, arn: "arn:aws:s3:::restricted-flow-logs" }
  - name: production
    match: { organizationalUnits: [${PROD_OU}] }
    destination: { type: s3, arn: "arn:aws:s3:::prod-flow-logs" }
`;

    // Act
    const summary = await sweepAccountRegion(parseSweepMessage(message(MEMBER)), runtimeWith(policy));

    // Assess
    const calls = createCalls().map((input) => [input.LogDestination, input.ResourceIds?.length]);
    expect(calls.sort()).toEqual(
      [
        ["arn:aws:s3:::prod-flow-logs", 1000],
        ["arn:aws:s3:::prod-flow-logs", 1000],
        ["arn:aws:s3:::restricted-flow-logs", 500],
      ].sort(),
    );
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVpcsCommand, 3);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 1);
    expect(summary).toMatchObject({ accountId: MEMBER, resources: 2500, counts: { created: 2500 } });
  });

  it("gives a redelivered message the same ClientTokens and a new run new ones", async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: vpcs(3) });
    const runtime = runtimeWith(DEFAULT_POLICY);

    // Act
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "us-east-1", "run-A")), runtime);
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "us-east-1", "run-A")), runtime);
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "us-east-1", "run-B")), runtime);

    // Assess
    const [first, redelivered, nextRun] = createCalls().map((input) => input.ClientToken);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(redelivered).toBe(first);
    expect(nextRun).not.toBe(first);
  });

  it("writes nothing in audit mode and lists what would be created in the summary", async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: vpcs(2) });

    // Act
    const summary = await sweepAccountRegion(
      parseSweepMessage(message(MEMBER)),
      runtimeWith(`${DEFAULT_POLICY}mode: audit\n`),
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 0);
    expect(summary.mode).toBe("audit");
    expect(summary.counts).toEqual({ "would-create": 2 });
    expect(summary.wouldCreate).toEqual([
      expect.stringMatching(
        /^vpc-0a0{15}: .*would create a VPC flow log .*central-flow-logs\/222222222222\//,
      ),
      expect.stringMatching(/^vpc-0a0{14}1: /),
    ]);
  });
});
