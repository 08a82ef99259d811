import { ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type FlowLog,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EvaluationFailedError, EventValidationError } from "../../../src/errors.js";
import { ConfigClients } from "../../../src/gateways/config-gateway.js";
import { logger } from "../../../src/observability.js";
import { createRuntime } from "../../../src/runtime.js";
import { type ConfigRuleDeps, evaluateConfigRuleEvent } from "../../../src/use-cases/evaluate-config-rule.js";
import { fixturePath, readEvent } from "../support/fixtures.js";

const ec2Mock = mockClient(EC2Client);
const configMock = mockClient(ConfigServiceClient);
const stsMock = mockClient(STSClient);

const HOME = "123456789012";
const MEMBER = "222222222222";
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;

beforeAll(() => {
  // A periodic run logs one line per resource; thousands of them would bury the test output.
  logger.setLogLevel("SILENT");
});

beforeEach(() => {
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  ec2Mock.on(DescribeTagsCommand).resolves({ Tags: [] });
});

afterEach(() => {
  ec2Mock.reset();
  configMock.reset();
  stsMock.reset();
});

/** What the handler builds at cold start, with the policy from a fixture. */
function deps(policy = "config-rule.yaml"): ConfigRuleDeps {
  const runtime = createRuntime({
    POLICY_SOURCE: `file:${fixturePath(`policies/${policy}`)}`,
    AWS_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
  });
  runtime.accounts.setHomeAccount(HOME);
  const configClients = new ConfigClients(runtime.accounts, 1);
  return { runtime, configFor: (target) => configClients.configFor(target) };
}

function event(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const sample = readEvent(name);
  if (typeof sample !== "object" || sample === null) throw new Error(`${name} is not an object`);
  return { ...sample, ...overrides };
}

function flowLog(resourceId: string, destination: string, id = `fl-${resourceId.slice(-8)}`): FlowLog {
  return {
    FlowLogId: id,
    ResourceId: resourceId,
    FlowLogStatus: "ACTIVE",
    DeliverLogsStatus: "SUCCESS",
    LogDestinationType: "s3",
    LogDestination: destination,
    TrafficType: "ALL",
  };
}

function sentEvaluations() {
  return configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? [])
    .map((e) => ({ id: e.ComplianceResourceId, type: e.ComplianceType, annotation: e.Annotation }));
}

function ids(prefix: string, from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${(from + i).toString(16).padStart(17, "0")}`);
}

describe("evaluateConfigRuleEvent: one configuration item", () => {
  it("reports a VPC without flow log NON_COMPLIANT, saying what is missing, and writes nothing under an enforce policy", async () => {
    // Prepare
    const created = event("config-item-vpc-created.json");

    // Act
    const report = await evaluateConfigRuleEvent(created, deps());

    // Assess
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: "TESTMODE",
      TestMode: true,
      Evaluations: [
        {
          ComplianceResourceType: "AWS::EC2::VPC",
          ComplianceResourceId: VPC,
          ComplianceType: "NON_COMPLIANT",
          Annotation: `no ACTIVE flow log to ${CENTRAL}; found none; would create a VPC flow log on ${VPC} to ${CENTRAL}`,
          OrderingTimestamp: new Date("2026-11-20T09:14:52.318Z"),
        },
      ],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateFlowLogsCommand);
    expect(report.evaluations.map((e) => e.complianceType)).toEqual(["NON_COMPLIANT"]);
  });

  it("reports COMPLIANT when a flow log goes to the policy's S3 prefix (with or without the trailing slash)", async () => {
    // Prepare
    ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [flowLog(VPC, CENTRAL.replace(/\/$/, ""))] });

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), deps());

    // Assess
    expect(sentEvaluations()).toEqual([
      { id: VPC, type: "COMPLIANT", annotation: "has a compliant flow log" },
    ]);
  });

  it("names a flow log to another destination in the NON_COMPLIANT annotation", async () => {
    // Prepare
    ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [flowLog(VPC, "arn:aws:s3:::team-bucket/")] });

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), deps());

    // Assess
    expect(sentEvaluations()).toEqual([
      {
        id: VPC,
        type: "NON_COMPLIANT",
        annotation: expect.stringMatching(
          `^no ACTIVE flow log to ${CENTRAL}; found 1 to another destination; would create`,
        ),
      },
    ]);
  });

  it("reports a VPC exempted by its current tags NOT_APPLICABLE, naming the rule", async () => {
    // Prepare
    ec2Mock
      .on(DescribeTagsCommand)
      .resolves({ Tags: [{ ResourceId: VPC, Key: "flow-logs", Value: "disabled" }] });

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), deps());

    // Assess
    expect(sentEvaluations()).toEqual([
      { id: VPC, type: "NOT_APPLICABLE", annotation: "exempt by rule sandboxes-exempt" },
    ]);
  });

  it("reports a deleted VPC NOT_APPLICABLE without any EC2 call", async () => {
    // Prepare
    const deleted = event("config-item-deleted.json");

    // Act
    await evaluateConfigRuleEvent(deleted, deps());

    // Assess
    expect(sentEvaluations()).toEqual([
      { id: VPC, type: "NOT_APPLICABLE", annotation: "configuration item status is ResourceDeleted" },
    ]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it("reads an oversized subnet's VPC from EC2 and finds it covered by the VPC's flow log", async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET, VpcId: VPC }] });
    ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [flowLog(VPC, CENTRAL)] });

    // Act
    await evaluateConfigRuleEvent(event("config-item-oversized.json"), deps());

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "subnet-id", Values: [SUBNET] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeFlowLogsCommand, {
      Filter: [{ Name: "resource-id", Values: [SUBNET, VPC] }],
    });
    expect(sentEvaluations()).toEqual([
      { id: SUBNET, type: "COMPLIANT", annotation: `covered by its VPC ${VPC}` },
    ]);
  });

  it("evaluates a member account's resource with the member role", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAMEMBER",
        SecretAccessKey: "secret",
        SessionToken: "session",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const created = event("config-item-vpc-created.json");
    const memberEvent = {
      ...created,
      accountId: MEMBER,
      invokingEvent: String(created.invokingEvent).split(HOME).join(MEMBER),
    };

    // Act
    const report = await evaluateConfigRuleEvent(memberEvent, deps());

    // Assess
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
    });
    expect(report).toMatchObject({ accountId: MEMBER, evaluations: [{ complianceType: "NON_COMPLIANT" }] });
  });

  it("sends no made-up verdict when the member role cannot be assumed, and fails naming the role", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).rejects(new Error("not authorized to perform sts:AssumeRole"));
    const created = event("config-item-vpc-created.json");
    const memberEvent = {
      ...created,
      accountId: MEMBER,
      invokingEvent: String(created.invokingEvent).split(HOME).join(MEMBER),
    };

    // Act
    const evaluating = evaluateConfigRuleEvent(memberEvent, deps());

    // Assess
    const error = await evaluating.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(String(error)).toContain(`cannot assume arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`);
    expect(configMock.calls()).toHaveLength(0);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it("loads the policy named by the rule parameters instead of POLICY_SOURCE", async () => {
    // Prepare
    const overridden = event("config-item-vpc-created.json", {
      ruleParameters: JSON.stringify({ policySource: `file:${fixturePath("policies/exempt-all.yaml")}` }),
    });

    // Act
    await evaluateConfigRuleEvent(overridden, deps("config-rule.yaml"));

    // Assess
    expect(sentEvaluations()).toEqual([
      { id: VPC, type: "NOT_APPLICABLE", annotation: "exempt by rule everything-exempt" },
    ]);
  });
});

describe("evaluateConfigRuleEvent: periodic runs", () => {
  it("pages through every VPC, subnet and flow log and sends the evaluations in batches of 100", async () => {
    // Prepare
    const vpcs = ids("vpc", 0, 1150);
    const subnets = ids("subnet", 0, 2);
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolvesOnce({ Vpcs: vpcs.slice(0, 1000).map((VpcId) => ({ VpcId })), NextToken: "vpcs-2" })
      .resolvesOnce({
        Vpcs: vpcs.slice(1000).map((VpcId, i) => ({
          VpcId,
          ...(i === 0 ? { Tags: [{ Key: "flow-logs", Value: "disabled" }] } : {}),
        })),
      });
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: subnets.map((SubnetId) => ({ SubnetId, VpcId: vpcs[1] })),
    });
    ec2Mock
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [flowLog(vpcs[0] ?? "", CENTRAL)], NextToken: "logs-2" })
      .resolvesOnce({ FlowLogs: [flowLog(vpcs[1] ?? "", CENTRAL)] });

    // Act
    const report = await evaluateConfigRuleEvent(event("config-periodic.json"), deps());

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVpcsCommand, 2);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVpcsCommand, 2, { NextToken: "vpcs-2" });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 2);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateFlowLogsCommand);
    const batches = configMock
      .commandCalls(PutEvaluationsCommand)
      .map((c) => c.args[0].input.Evaluations ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([...Array(11).fill(100), 52]);
    expect(report.putEvaluationsCalls).toBe(12);
    const byId = new Map(sentEvaluations().map((e) => [e.id, e]));
    expect(byId.size).toBe(1152);
    expect(byId.get(vpcs[0] ?? "")?.type).toBe("COMPLIANT");
    expect(byId.get(vpcs[2] ?? "")?.type).toBe("NON_COMPLIANT");
    expect(byId.get(vpcs[1000] ?? "")).toMatchObject({
      type: "NOT_APPLICABLE",
      annotation: "exempt by rule sandboxes-exempt",
    });
    expect(byId.get(subnets[0] ?? "")).toMatchObject({
      type: "COMPLIANT",
      annotation: `covered by its VPC ${vpcs[1]}`,
    });
    expect(
      batches.flat().every((e) => e.OrderingTimestamp?.toISOString() === "2026-11-22T00:00:04.557Z"),
    ).toBe(true);
  });

  it("sends the evaluations it reached, then fails for the resources without a verdict", async () => {
    // Prepare: the subnet comes without its VPC, so the per-VPC destination cannot be resolved for it.
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC }] });
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET }] });

    // Act
    const evaluating = evaluateConfigRuleEvent(event("config-periodic.json"), deps("per-vpc-prefix.yaml"));

    // Assess
    const error = await evaluating.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(String(error)).toContain(`${SUBNET}: PlaceholderError: \${VpcId} has no value for this resource`);
    expect(sentEvaluations()).toEqual([{ id: VPC, type: "NON_COMPLIANT", annotation: expect.any(String) }]);
  });
});

describe("evaluateConfigRuleEvent: malformed events", () => {
  it.each([
    ["bad invokingEvent JSON", { invokingEvent: "{not json" }, "invokingEvent: not valid JSON"],
    [
      "an unknown messageType",
      { invokingEvent: JSON.stringify({ messageType: "ComplianceChangeNotification" }) },
      'invokingEvent.messageType: unsupported "ComplianceChangeNotification"',
    ],
    ["a missing resultToken", { resultToken: undefined }, "resultToken: required"],
  ])("rejects %s by name and sends no evaluation and no EC2 call", async (_case, change, problem) => {
    // Prepare
    const malformed = event("config-item-vpc-created.json", change);

    // Act
    const evaluating = evaluateConfigRuleEvent(malformed, deps());

    // Assess
    const error = await evaluating.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventValidationError);
    expect(String(error)).toContain(`malformed Config rule event: ${problem}`);
    expect(configMock.calls()).toHaveLength(0);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});
