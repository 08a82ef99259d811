import { beforeAll, describe, expect, it } from "vitest";
import { EnforcementFailedError, EventValidationError, PolicyValidationError } from "../../../src/errors.js";
import { logger } from "../../../src/observability.js";
import { enforceCloudTrailEvent } from "../../../src/use-cases/enforce-cloudtrail-event.js";
import { flowLog, target, vpcId } from "../support/builders.js";
import { FakeEnforcementPorts, HOME, MEMBER } from "../support/fake-ports.js";
import { policyFixture, readEvent } from "../support/fixtures.js";

// The sample events name these resources.
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

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
  it("creates the policy's flow log for a new VPC with one read and one write, in the home account", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const ec2 = ports.ec2For(target(HOME));

    // Act
    const report = await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    expect(report.outcomes).toEqual([
      expect.objectContaining({ accountId: HOME, resourceId: VPC, outcome: "created" }),
    ]);
    expect(ec2.calls.map((call) => call.method)).toEqual(["describeFlowLogs", "createFlowLogs"]);
    expect(ec2.callsOf("describeFlowLogs")[0]?.resourceIds).toEqual([VPC]);
    expect(ec2.callsOf("createFlowLogs")[0]).toMatchObject({
      resourceIds: [VPC],
      settings: { resourceType: "VPC", destination: { type: "s3", arn: CENTRAL } },
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(ports.reached).toEqual([target(HOME)]);
  });

  it("enforces on the default VPC and its default subnets when a CreateDefaultVpc record carries no response", async () => {
    // Prepare: CloudTrail wrote responseElements null, so the event names no ID.
    const ports = new FakeEnforcementPorts();
    const ec2 = ports.ec2For(target(HOME));
    const defaultVpc = "vpc-0f1e2d3c4b5a69788";
    const defaultSubnet = "subnet-0d9c8b7a6f5e4d3c2";
    ec2.resources.push(
      { type: "VPC", id: defaultVpc },
      { type: "Subnet", id: defaultSubnet, vpcId: vpcId(defaultVpc) },
      { type: "VPC", id: VPC },
    );
    ec2.defaults.add(defaultVpc).add(defaultSubnet);
    const event = sampleEvent("default-vpc-created.json");
    event.detail.responseElements = null;

    // Act
    const report = await enforceCloudTrailEvent(event, ports);

    // Assess: nothing goes to the dead-letter queue; one VPC flow log covers both.
    expect(report.outcomes.map(({ resourceId, outcome }) => [resourceId, outcome])).toEqual([
      [defaultVpc, "created"],
      [defaultSubnet, "created"],
    ]);
    expect(ec2.callsOf("createFlowLogs").map((call) => call.resourceIds)).toEqual([[defaultVpc]]);
  });

  it("sends the same ClientToken when the same event is delivered twice", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const ec2 = ports.ec2For(target(HOME));
    ec2.failures.set(VPC, { resourceId: VPC, status: "already-exists" });

    // Act
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    const [first, second] = ec2.callsOf("createFlowLogs").map((call) => call.clientToken);
    expect(ec2.callsOf("createFlowLogs")).toHaveLength(2);
    expect(second).toBe(first);
  });

  it("reads once and writes nothing for a subnet whose VPC already has a compliant flow log", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const ec2 = ports.ec2For(target(HOME));
    ec2.flowLogs.push(flowLog(VPC, { logDestination: CENTRAL }));

    // Act
    const report = await enforceCloudTrailEvent(readEvent("subnet-created.json"), ports);

    // Assess
    expect(report.outcomes).toEqual([
      expect.objectContaining({
        resourceId: SUBNET,
        outcome: "compliant",
        reason: `covered by its VPC ${VPC}`,
      }),
    ]);
    expect(ec2.calls).toEqual([{ method: "describeFlowLogs", resourceIds: [SUBNET, VPC] }]);
  });

  it("reads current tags alongside the flow logs when the policy matches on tags", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    ports.policy = policyFixture("issue-example.yaml");
    const ec2 = ports.ec2For(target(HOME));
    ec2.tags.set(VPC, { "flow-logs": "disabled" });

    // Act
    const report = await enforceCloudTrailEvent(readEvent("subnet-created.json"), ports);

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: SUBNET, outcome: "exempt" })]);
    expect(ec2.callsOf("describeTags")).toEqual([{ method: "describeTags", resourceIds: [SUBNET, VPC] }]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
  });

  it("ignores a failed API call without loading the policy or reaching any account", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();

    // Act
    const report = await enforceCloudTrailEvent(readEvent("vpc-created-failed-call.json"), ports);

    // Assess
    expect(report).toEqual({
      outcomes: [],
      ignored: expect.stringContaining("Client.UnauthorizedOperation"),
    });
    expect(ports.policyLoads).toEqual([]);
    expect(ports.reached).toEqual([]);
  });

  it("writes nothing for a malformed event", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const event = sampleEvent("vpc-created.json");
    event.detail.responseElements = { vpc: {} };

    // Act
    const handling = enforceCloudTrailEvent(event, ports);

    // Assess
    await expect(handling).rejects.toThrow(EventValidationError);
    expect(ports.reached).toEqual([]);
  });

  it("writes nothing with an invalid policy, and passes its error on", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const invalid = new PolicyValidationError("ssm:/p", [
      { path: "defaults.destination.arn", message: "bad" },
    ]);
    ports.policy = invalid;

    // Act
    const handling = enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    await expect(handling).rejects.toBe(invalid);
    expect(ports.reached).toEqual([]);
  });

  it("acts in the account the event names, with that account's placeholders", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const event = sampleEvent("vpc-created.json");
    event.detail.recipientAccountId = MEMBER;

    // Act
    const report = await enforceCloudTrailEvent(event, ports);

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ accountId: MEMBER, outcome: "created" })]);
    expect(ports.reached).toEqual([target(MEMBER)]);
    expect(ports.ec2For(target(MEMBER)).callsOf("createFlowLogs")[0]?.settings.destination.arn).toBe(
      `arn:aws:s3:::central-flow-logs/${MEMBER}/`,
    );
  });

  it("refuses an account outside the allow-list before reaching it, and fails the invocation", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    ports.allowedAccounts = [HOME];
    const event = sampleEvent("vpc-created.json");
    event.detail.recipientAccountId = MEMBER;

    // Act
    const error = await enforceCloudTrailEvent(event, ports).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(error).toMatchObject({
      failures: [
        { resourceId: VPC, reason: `AccountNotAllowedError: account ${MEMBER} is not in ALLOWED_ACCOUNTS` },
      ],
    });
    expect(ports.reached).toEqual([]);
  });

  it("fails the invocation, after reporting, when the flow log cannot be created", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    ports.ec2For(target(HOME)).failures.set(VPC, {
      resourceId: VPC,
      status: "failed",
      reason: "400: Access Denied for LogDestination: central-flow-logs",
    });

    // Act
    const error = await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(error).toMatchObject({
      message: expect.stringContaining("Access Denied for LogDestination: central-flow-logs"),
      report: {
        mode: "enforce",
        outcomes: [expect.objectContaining({ resourceId: VPC, outcome: "failed" })],
      },
    });
  });
});
