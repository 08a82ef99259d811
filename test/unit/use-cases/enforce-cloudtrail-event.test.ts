import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeTagsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EnforcementFailedError, EventValidationError, PolicyValidationError } from "../../../src/errors.js";
import { logger } from "../../../src/observability.js";
import { createRuntime, type Runtime } from "../../../src/runtime.js";
import { enforceCloudTrailEvent } from "../../../src/use-cases/enforce-cloudtrail-event.js";
import { fixturePath, readEvent, readFixture } from "../support/fixtures.js";

const ec2Mock = mockClient(EC2Client);
const stsMock = mockClient(STSClient);
const ssmMock = mockClient(SSMClient);

const HOME = "123456789012";
const MEMBER = "222222222222";
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

beforeEach(() => {
  ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  ec2Mock.on(DescribeTagsCommand).resolves({ Tags: [] });
  ec2Mock.on(CreateFlowLogsCommand).callsFake((input: { ResourceIds?: string[] }) => ({
    FlowLogIds: (input.ResourceIds ?? []).map((_, index) => `fl-0123456789abcdef${index}`),
  }));
});

afterEach(() => {
  ec2Mock.reset();
  stsMock.reset();
  ssmMock.reset();
});

function runtime(env: Record<string, string> = {}): Runtime {
  const created = createRuntime({
    POLICY_SOURCE: `file:${fixturePath("policies/minimal-s3.json")}`,
    AWS_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
    ...env,
  });
  created.accounts.setHomeAccount(HOME);
  return created;
}

/** A sample event as a plain object whose fields a test may change (a fresh copy per call). */
function sampleEvent(name: string): { detail: Record<string, unknown> } & Record<string, unknown> {
  const event = readEvent(name);
  if (typeof event !== "object" || event === null || !("detail" in event))
    throw new Error(`${name} has no detail`);
  const { detail, ...envelope } = event;
  if (typeof detail !== "object" || detail === null) throw new Error(`${name} has no detail object`);
  return { ...envelope, detail: { ...detail } };
}

describe("enforceCloudTrailEvent", () => {
  it("creates the policy's flow log for a new VPC with one read and one write, and no AssumeRole at home", async () => {
    // Prepare
    const event = readEvent("vpc-created.json");

    // Act
    const report = await enforceCloudTrailEvent(event, runtime());

    // Assess
    expect(report.outcomes).toEqual([
      expect.objectContaining({
        accountId: HOME,
        resourceId: VPC,
        outcome: "created",
        flowLogIds: ["fl-0123456789abcdef0"],
      }),
    ]);
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(DescribeFlowLogsCommand, {
      Filter: [{ Name: "resource-id", Values: [VPC] }],
    });
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(CreateFlowLogsCommand, {
      ResourceIds: [VPC],
      ResourceType: "VPC",
      LogDestinationType: "s3",
      LogDestination: CENTRAL,
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeTagsCommand, 0);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it("sends the same ClientToken when the same event is delivered twice", async () => {
    // Prepare
    const shared = runtime();

    // Act
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), shared);
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), shared);

    // Assess
    const [first, second] = ec2Mock
      .commandCalls(CreateFlowLogsCommand)
      .map((call) => call.args[0].input.ClientToken);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 2);
    expect(second).toBe(first);
  });

  it("makes one EC2 call for a subnet whose VPC already has a compliant flow log", async () => {
    // Prepare
    ec2Mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        {
          FlowLogId: "fl-0a1b2c3d4e5f60001",
          ResourceId: VPC,
          FlowLogStatus: "ACTIVE",
          DeliverLogsStatus: "SUCCESS",
          LogDestinationType: "s3",
          LogDestination: CENTRAL,
          TrafficType: "ALL",
        },
      ],
    });

    // Act
    const report = await enforceCloudTrailEvent(readEvent("subnet-created.json"), runtime());

    // Assess
    expect(report.outcomes).toEqual([
      expect.objectContaining({
        resourceId: SUBNET,
        outcome: "compliant",
        reason: `covered by its VPC ${VPC}`,
      }),
    ]);
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(DescribeFlowLogsCommand, {
      Filter: [{ Name: "resource-id", Values: [SUBNET, VPC] }],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 0);
  });

  it("reads current tags alongside the flow logs when the policy matches on tags", async () => {
    // Prepare
    const env = { POLICY_SOURCE: `file:${fixturePath("policies/issue-example.yaml")}` };
    ec2Mock.on(DescribeTagsCommand).resolves({
      Tags: [{ ResourceId: VPC, ResourceType: "vpc", Key: "flow-logs", Value: "disabled" }],
    });

    // Act
    const report = await enforceCloudTrailEvent(readEvent("subnet-created.json"), runtime(env));

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: SUBNET, outcome: "exempt" })]);
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(DescribeTagsCommand, {
      Filters: [{ Name: "resource-id", Values: [SUBNET, VPC] }],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 0);
  });

  it("ignores a failed API call without loading the policy or calling AWS", async () => {
    // Prepare
    const env = { POLICY_SOURCE: "ssm:/vpc-flow-log-enforcer/policy" };

    // Act
    const report = await enforceCloudTrailEvent(readEvent("vpc-created-failed-call.json"), runtime(env));

    // Assess
    expect(report).toEqual({
      outcomes: [],
      ignored: expect.stringContaining("Client.UnauthorizedOperation"),
    });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 0);
    expect(ec2Mock).not.toHaveReceivedAnyCommand();
  });

  it("writes nothing for a malformed event", async () => {
    // Prepare
    const event = sampleEvent("vpc-created.json");
    event.detail.responseElements = { vpc: {} };

    // Act
    const handling = enforceCloudTrailEvent(event, runtime());

    // Assess
    await expect(handling).rejects.toThrow(EventValidationError);
    expect(ec2Mock).not.toHaveReceivedAnyCommand();
  });

  it("writes nothing with an invalid policy, and names the policy's problem", async () => {
    // Prepare
    const env = { POLICY_SOURCE: "ssm:/vpc-flow-log-enforcer/policy" };
    ssmMock
      .on(GetParameterCommand)
      .resolves({ Parameter: { Value: readFixture("policies/schema-errors.yaml") } });

    // Act
    const handling = enforceCloudTrailEvent(readEvent("vpc-created.json"), runtime(env));

    // Assess
    await expect(handling).rejects.toThrow(PolicyValidationError);
    await expect(handling).rejects.toThrow("defaults.destination.arn: unknown placeholder ${Acount}");
    expect(ec2Mock).not.toHaveReceivedAnyCommand();
  });

  it("assumes the member role in the account the event names", async () => {
    // Prepare
    const event = sampleEvent("vpc-created.json");
    event.detail.recipientAccountId = MEMBER;
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAMEMBER",
        SecretAccessKey: "secret",
        SessionToken: "session",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });

    // Act
    const report = await enforceCloudTrailEvent(event, runtime());

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ accountId: MEMBER, outcome: "created" })]);
    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateFlowLogsCommand, {
      LogDestination: `arn:aws:s3:::central-flow-logs/${MEMBER}/`,
    });
  });

  it("refuses an account outside ALLOWED_ACCOUNTS before assuming any role, and fails the invocation", async () => {
    // Prepare
    const event = sampleEvent("vpc-created.json");
    event.detail.recipientAccountId = MEMBER;

    // Act
    const error = await enforceCloudTrailEvent(event, runtime({ ALLOWED_ACCOUNTS: HOME })).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(error).toMatchObject({
      failures: [
        { resourceId: VPC, reason: `AccountNotAllowedError: account ${MEMBER} is not in ALLOWED_ACCOUNTS` },
      ],
    });
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(ec2Mock).not.toHaveReceivedAnyCommand();
  });

  it("fails the invocation, after reporting, when CreateFlowLogs reports the resource Unsuccessful", async () => {
    // Prepare
    ec2Mock.on(CreateFlowLogsCommand).resolves({
      FlowLogIds: [],
      Unsuccessful: [
        {
          ResourceId: VPC,
          Error: { Code: "400", Message: "Access Denied for LogDestination: central-flow-logs" },
        },
      ],
    });

    // Act
    const error = await enforceCloudTrailEvent(readEvent("vpc-created.json"), runtime()).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(error).toMatchObject({
      message: expect.stringContaining("Access Denied for LogDestination: central-flow-logs"),
      report: { outcomes: [expect.objectContaining({ resourceId: VPC, outcome: "failed" })] },
    });
  });
});
