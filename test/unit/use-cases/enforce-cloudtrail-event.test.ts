import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EnforcementFailedError, EventValidationError, PolicyValidationError } from "../../../src/errors.js";
import { logger } from "../../../src/observability.js";
import { enforceCloudTrailEvent } from "../../../src/use-cases/enforce-cloudtrail-event.js";
import { flowLog, target, vpcId } from "../support/builders.js";
import type { FakeFlowLogPort } from "../support/fake-flow-log-port.js";
import { FakeEnforcementPorts, HOME, MEMBER } from "../support/fake-ports.js";
import { editableEvent, policyFixture, readEvent } from "../support/fixtures.js";

// The sample events name these resources.
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

/** A sample event from `account`: envelope and detail agree, as EventBridge delivers them. */
function eventFrom(account: string, name = "vpc-created.json") {
  const event = editableEvent(name);
  event.account = account;
  event.detail.recipientAccountId = account;
  return event;
}

/** Ports whose home and member account-regions both show the sample events' VPC and subnet. */
function portsWithSampleResources(): FakeEnforcementPorts {
  const ports = new FakeEnforcementPorts();
  for (const account of [HOME, MEMBER]) withSampleResources(ports.ec2For(target(account)));
  return ports;
}

/** The sample events' VPC and subnet, as EC2 shows them in the account-region. */
function withSampleResources(ec2: FakeFlowLogPort): FakeFlowLogPort {
  return ec2.seed({ type: "VPC", id: VPC }, { type: "Subnet", id: SUBNET, vpcId: vpcId(VPC) });
}

describe("enforceCloudTrailEvent: the organization boundary", () => {
  it("acts only in its own account when the deployment is not organization-wide and lists no accounts", async () => {
    // Prepare
    const ports = portsWithSampleResources();
    ports.accountBoundary = { kind: "home-account" };

    // Act
    const home = await enforceCloudTrailEvent(eventFrom(HOME), ports);
    const member = await enforceCloudTrailEvent(eventFrom(MEMBER), ports).catch((caught: unknown) => caught);

    // Assess
    expect(home.outcomes).toEqual([expect.objectContaining({ accountId: HOME, outcome: "created" })]);
    expect(member).toMatchObject({
      failures: [
        {
          resourceId: VPC,
          reason: expect.stringContaining(`account ${MEMBER} is not this deployment's own account`),
        },
      ],
    });
    expect(ports.reached).toEqual([target(HOME)]);
  });

  it("acts in the other accounts ALLOWED_ACCOUNTS lists when the deployment is not organization-wide", async () => {
    // Prepare
    const ports = portsWithSampleResources();
    ports.accountBoundary = { kind: "home-account" };
    ports.allowedAccounts = [HOME, MEMBER];

    // Act
    const report = await enforceCloudTrailEvent(eventFrom(MEMBER), ports);

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ accountId: MEMBER, outcome: "created" })]);
  });

  it("acts in ACTIVE members of its organization and refuses any other account before reaching it", async () => {
    // Prepare
    const ports = portsWithSampleResources();
    ports.accountBoundary = { kind: "organization", organizationId: ports.organization.organizationId };
    ports.organization.members.add(MEMBER);
    const outsider = "999999999999";

    // Act
    const member = await enforceCloudTrailEvent(eventFrom(MEMBER), ports);
    const refused = await enforceCloudTrailEvent(eventFrom(outsider), ports).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(member.outcomes).toEqual([expect.objectContaining({ accountId: MEMBER, outcome: "created" })]);
    expect(refused).toMatchObject({
      failures: [
        {
          reason: `AccountNotAllowedError: account ${outsider} is not an ACTIVE member of the organization o-exampleorg1`,
        },
      ],
    });
    expect(ports.reached).toEqual([target(MEMBER)]);
  });

  it("refuses a member of another organization than its own", async () => {
    // Prepare
    const ports = portsWithSampleResources();
    ports.accountBoundary = { kind: "organization", organizationId: "o-someoneelse" };
    ports.organization.members.add(MEMBER);

    // Act
    const refused = await enforceCloudTrailEvent(eventFrom(MEMBER), ports).catch((caught: unknown) => caught);

    // Assess
    expect(refused).toBeInstanceOf(EnforcementFailedError);
    expect(ports.reached).toEqual([]);
  });
});

describe("enforceCloudTrailEvent: which policy decided", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("names the policy's source and SSM Version on every outcome line", async () => {
    // Prepare
    const ports = portsWithSampleResources();
    ports.policyVersion = "12";
    const lines = vi.spyOn(logger, "info");

    // Act
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    expect(lines).toHaveBeenCalledWith(
      "flow-log outcome",
      expect.objectContaining({
        resourceId: VPC,
        policySource: "ssm:/vpc-flow-log-enforcer/policy",
        policyVersion: "12",
      }),
    );
  });
});

describe("enforceCloudTrailEvent: the destination guard", () => {
  it("passes the deployment's ALLOWED_DESTINATIONS to the engine: no flow log outside it", async () => {
    // Prepare
    const ports = portsWithSampleResources();
    ports.allowedDestinations = ["arn:aws:s3:::elsewhere-*"];

    // Act
    const error = await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(String(error)).toContain(
      `destination ${CENTRAL.replace(/\/$/, "")} is outside ALLOWED_DESTINATIONS`,
    );
    expect(ports.ec2For(target(HOME)).callsOf("createFlowLogs")).toEqual([]);
  });
});

describe("enforceCloudTrailEvent", () => {
  it("creates the policy's flow log for a new VPC with two parallel reads and one write, in the home account", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const ec2 = withSampleResources(ports.ec2For(target(HOME)));

    // Act
    const report = await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    expect(report.outcomes).toEqual([
      expect.objectContaining({ accountId: HOME, resourceId: VPC, outcome: "created" }),
    ]);
    expect(ec2.calls.map((call) => call.method)).toEqual([
      "describeResources",
      "describeFlowLogs",
      "createFlowLogs",
    ]);
    expect(ec2.callsOf("describeResources")[0]?.ids).toEqual([VPC]);
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
    const event = editableEvent("default-vpc-created.json");
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
    const ec2 = withSampleResources(ports.ec2For(target(HOME)));
    ec2.failures.set(VPC, { resourceId: VPC, status: "already-exists" });

    // Act
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);
    await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    const [first, second] = ec2.callsOf("createFlowLogs").map((call) => call.clientToken);
    expect(ec2.callsOf("createFlowLogs")).toHaveLength(2);
    expect(second).toBe(first);
  });

  it("reads the subnet and the flow logs, and writes nothing, when its VPC has a compliant flow log", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const ec2 = withSampleResources(ports.ec2For(target(HOME)));
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
    expect(ec2.calls).toEqual([
      { method: "describeResources", ids: [SUBNET] },
      { method: "describeFlowLogs", resourceIds: [SUBNET, VPC] },
    ]);
  });

  it("reads the subnet's VPC alongside it (current tags) when the policy matches on tags", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    ports.policy = policyFixture("issue-example.yaml");
    const ec2 = withSampleResources(ports.ec2For(target(HOME)));
    ec2.tags.set(VPC, { "flow-logs": "disabled" });

    // Act
    const report = await enforceCloudTrailEvent(readEvent("subnet-created.json"), ports);

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: SUBNET, outcome: "exempt" })]);
    expect(ec2.callsOf("describeResources")).toEqual([{ method: "describeResources", ids: [SUBNET, VPC] }]);
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
    const event = editableEvent("vpc-created.json");
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
    withSampleResources(ports.ec2For(target(MEMBER)));

    // Act
    const report = await enforceCloudTrailEvent(eventFrom(MEMBER), ports);

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

    // Act
    const error = await enforceCloudTrailEvent(eventFrom(MEMBER), ports).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(error).toMatchObject({
      failures: [
        { resourceId: VPC, reason: `AccountNotAllowedError: account ${MEMBER} is not in ALLOWED_ACCOUNTS` },
      ],
    });
    expect(ports.reached).toEqual([]);
  });

  it("waits for a new VPC EC2 does not show yet (eventual consistency), then covers it", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const ec2 = withSampleResources(ports.ec2For(target(HOME)));
    ec2.invisibleFor.set(VPC, 2);

    // Act
    const report = await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    expect(ports.clock.sleeps).toEqual([500, 1_000]);
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: VPC, outcome: "created" })]);
  });

  it("reports a new VPC that never shows not-found after the configured wait, without failing", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    ports.newResourceWaitMs = 3_000;

    // Act
    const report = await enforceCloudTrailEvent(readEvent("vpc-created.json"), ports);

    // Assess
    expect(ports.clock.sleeps.reduce((sum, sleep) => sum + sleep, 0)).toBe(3_000);
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: VPC, outcome: "not-found" })]);
  });

  it("refuses an event whose envelope and detail name different accounts, reaching neither", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    const event = eventFrom(HOME);
    event.detail.recipientAccountId = MEMBER;

    // Act
    const handling = enforceCloudTrailEvent(event, ports);

    // Assess
    await expect(handling).rejects.toBeInstanceOf(EventValidationError);
    expect(ports.policyLoads).toEqual([]);
    expect(ports.reached).toEqual([]);
  });

  it("fails the invocation, after reporting, when the flow log cannot be created", async () => {
    // Prepare
    const ports = new FakeEnforcementPorts();
    withSampleResources(ports.ec2For(target(HOME))).failures.set(VPC, {
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
