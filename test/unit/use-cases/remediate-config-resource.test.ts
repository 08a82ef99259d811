import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EnforcementFailedError, EventValidationError } from "../../../src/errors.js";
import { logger } from "../../../src/observability.js";
import { createRuntime, type Runtime } from "../../../src/runtime.js";
import { remediateConfigResource } from "../../../src/use-cases/remediate-config-resource.js";
import { fixturePath, readEvent } from "../support/fixtures.js";

const ec2Mock = mockClient(EC2Client);

const HOME = "123456789012";
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;
const INVOCATION = { homeAccountId: HOME, requestId: "8a7c1f0e-5d2b-4c3a-9e8f-0b1c2d3e4f5a" };

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

beforeEach(() => {
  ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  ec2Mock.on(DescribeTagsCommand).resolves({ Tags: [] });
  ec2Mock.on(CreateFlowLogsCommand).resolves({ FlowLogIds: ["fl-0123456789abcdef0"], Unsuccessful: [] });
});

afterEach(() => {
  ec2Mock.reset();
});

function runtime(): Runtime {
  const created = createRuntime({
    POLICY_SOURCE: `file:${fixturePath("policies/config-rule.yaml")}`,
    AWS_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
  });
  created.accounts.setHomeAccount(HOME);
  return created;
}

function clientTokens(): Array<string | undefined> {
  return ec2Mock.commandCalls(CreateFlowLogsCommand).map((call) => call.args[0].input.ClientToken);
}

describe("remediateConfigResource", () => {
  it("creates the policy's flow log on a VPC named only by its ID", async () => {
    // Prepare
    const event = readEvent("config-remediation-vpc.json");

    // Act
    const report = await remediateConfigResource(event, runtime(), INVOCATION);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateFlowLogsCommand, {
      ResourceIds: [VPC],
      ResourceType: "VPC",
      LogDestinationType: "s3",
      LogDestination: CENTRAL,
    });
    expect(report.outcomes).toEqual([
      expect.objectContaining({ resourceId: VPC, outcome: "created", flowLogIds: ["fl-0123456789abcdef0"] }),
    ]);
  });

  it("remediates a subnet through its VPC, found with DescribeSubnets", async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET, VpcId: VPC }] });

    // Act
    const report = await remediateConfigResource({ ResourceId: SUBNET }, runtime(), INVOCATION);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateFlowLogsCommand, {
      ResourceIds: [VPC],
      ResourceType: "VPC",
    });
    expect(report.outcomes).toEqual([
      expect.objectContaining({ resourceType: "Subnet", resourceId: SUBNET, outcome: "created" }),
    ]);
  });

  it("derives the ClientToken from the Automation execution, so retries of one execution share it", async () => {
    // Prepare
    const first = { ResourceId: VPC, ExecutionId: "exec-1" };
    const retry = { ResourceId: VPC, ExecutionId: "exec-1" };
    const later = { ResourceId: VPC, ExecutionId: "exec-2" };

    // Act
    for (const event of [first, retry, later]) await remediateConfigResource(event, runtime(), INVOCATION);

    // Assess
    const [a, b, c] = clientTokens();
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("seeds the ClientToken with Lambda's request ID when the payload has no execution ID", async () => {
    // Prepare
    const event = { ResourceId: VPC };

    // Act
    await remediateConfigResource(event, runtime(), INVOCATION);
    await remediateConfigResource(event, runtime(), { ...INVOCATION, requestId: "another-request" });

    // Assess
    const [a, b] = clientTokens();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });

  it("throws with the reason when the outcome is failed, so the Automation step fails", async () => {
    // Prepare
    ec2Mock.on(CreateFlowLogsCommand).resolves({
      FlowLogIds: [],
      Unsuccessful: [
        { ResourceId: VPC, Error: { Code: "AccessDenied", Message: "LogDestination: bucket policy denies" } },
      ],
    });

    // Act
    const remediating = remediateConfigResource({ ResourceId: VPC }, runtime(), INVOCATION);

    // Assess
    const error = await remediating.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(String(error)).toContain(
      `${VPC}: creating a VPC flow log on ${VPC} to ${CENTRAL} failed: AccessDenied`,
    );
  });

  it("reports a VPC deleted before remediation as not-found without failing", async () => {
    // Prepare
    ec2Mock.on(CreateFlowLogsCommand).resolves({
      Unsuccessful: [
        {
          ResourceId: VPC,
          Error: { Code: "InvalidVpcID.NotFound", Message: `The vpc ID '${VPC}' does not exist` },
        },
      ],
    });

    // Act
    const report = await remediateConfigResource({ ResourceId: VPC }, runtime(), INVOCATION);

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ outcome: "not-found" })]);
  });

  it("writes nothing when the payload asks for audit mode", async () => {
    // Prepare
    const event = { ResourceId: VPC, Mode: "audit" };

    // Act
    const report = await remediateConfigResource(event, runtime(), INVOCATION);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(CreateFlowLogsCommand);
    expect(report.outcomes).toEqual([expect.objectContaining({ outcome: "would-create" })]);
  });

  it("rejects a malformed payload before any EC2 call", async () => {
    // Prepare
    const event = { ResourceId: VPC, ResourceType: "AWS::EC2::Subnet" };

    // Act
    const remediating = remediateConfigResource(event, runtime(), INVOCATION);

    // Assess
    await expect(remediating).rejects.toBeInstanceOf(EventValidationError);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});
