import { beforeAll, describe, expect, it } from "vitest";
import type { RegionName } from "../../../src/domain/resources.js";
import { EnforcementFailedError, EventValidationError } from "../../../src/errors.js";
import { logger } from "../../../src/observability.js";
import {
  type RemediationPorts,
  remediateConfigResource,
} from "../../../src/use-cases/remediate-config-resource.js";
import { regionName, target, vpcId } from "../support/builders.js";
import { FakeEnforcementPorts, HOME, MEMBER } from "../support/fake-ports.js";
import { policyFixture, readEvent } from "../support/fixtures.js";

// The sample payload names this VPC.
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;
const INVOCATION = { homeAccountId: HOME, requestId: "8a7c1f0e-5d2b-4c3a-9e8f-0b1c2d3e4f5a" };

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

class FakeRemediationPorts extends FakeEnforcementPorts implements RemediationPorts {
  homeRegion: RegionName | undefined = regionName("us-east-1");
}

/** The function's ports; the sample payload's VPC exists in the home account. */
function ports(): FakeRemediationPorts {
  const fake = new FakeRemediationPorts();
  fake.policy = policyFixture("config-rule.yaml");
  fake.ec2For(target(HOME)).seed({ type: "VPC", id: VPC });
  return fake;
}

function clientTokens(fake: FakeEnforcementPorts): string[] {
  return fake
    .ec2For(target(HOME))
    .callsOf("createFlowLogs")
    .map((call) => call.clientToken);
}

describe("remediateConfigResource", () => {
  it("creates the policy's flow log on a VPC named only by its ID, in the function's account and region", async () => {
    // Prepare
    const fake = ports();

    // Act
    const report = await remediateConfigResource(readEvent("config-remediation-vpc.json"), fake, INVOCATION);

    // Assess
    expect(fake.reached).toEqual([target(HOME, "us-east-1")]);
    expect(fake.ec2For(target(HOME)).callsOf("createFlowLogs")[0]).toMatchObject({
      resourceIds: [VPC],
      settings: { resourceType: "VPC", destination: { type: "s3", arn: CENTRAL } },
    });
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: VPC, outcome: "created" })]);
  });

  it("remediates a subnet through its VPC, found in EC2", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).resources.push({ type: "Subnet", id: SUBNET, vpcId: vpcId(VPC) });

    // Act
    const report = await remediateConfigResource({ ResourceId: SUBNET }, fake, INVOCATION);

    // Assess
    expect(fake.ec2For(target(HOME)).callsOf("createFlowLogs")[0]).toMatchObject({
      resourceIds: [VPC],
      settings: { resourceType: "VPC" },
    });
    expect(report.outcomes).toEqual([
      expect.objectContaining({ resourceType: "Subnet", resourceId: SUBNET, outcome: "created" }),
    ]);
  });

  it("derives the ClientToken from the Automation execution, so retries of one execution share it", async () => {
    // Prepare
    const fake = ports();
    const first = { ResourceId: VPC, ExecutionId: "exec-1" };
    const retry = { ResourceId: VPC, ExecutionId: "exec-1" };
    const later = { ResourceId: VPC, ExecutionId: "exec-2" };
    fake.ec2For(target(HOME)).failures.set(VPC, { resourceId: VPC, status: "already-exists" });

    // Act
    for (const event of [first, retry, later]) await remediateConfigResource(event, fake, INVOCATION);

    // Assess
    const [a, b, c] = clientTokens(fake);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("seeds the ClientToken with Lambda's request ID when the payload has no execution ID", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).failures.set(VPC, { resourceId: VPC, status: "already-exists" });

    // Act
    await remediateConfigResource({ ResourceId: VPC }, fake, INVOCATION);
    await remediateConfigResource({ ResourceId: VPC }, fake, { ...INVOCATION, requestId: "another-request" });

    // Assess
    const [a, b] = clientTokens(fake);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });

  it("throws with the reason when the outcome is failed, so the Automation step fails", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).failures.set(VPC, {
      resourceId: VPC,
      status: "failed",
      reason: "AccessDenied: LogDestination: bucket policy denies",
    });

    // Act
    const error = await remediateConfigResource({ ResourceId: VPC }, fake, INVOCATION).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(String(error)).toContain(
      `${VPC}: creating a VPC flow log on ${VPC} to ${CENTRAL} failed: AccessDenied`,
    );
  });

  it("reports a VPC deleted before remediation as not-found without failing", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).failures.set(VPC, {
      resourceId: VPC,
      status: "not-found",
      reason: `InvalidVpcID.NotFound: The vpc ID '${VPC}' does not exist`,
    });

    // Act
    const report = await remediateConfigResource({ ResourceId: VPC }, fake, INVOCATION);

    // Assess
    expect(report.outcomes).toEqual([expect.objectContaining({ outcome: "not-found" })]);
  });

  it("writes nothing when the payload asks for audit mode", async () => {
    // Prepare
    const fake = ports();

    // Act
    const report = await remediateConfigResource({ ResourceId: VPC, Mode: "audit" }, fake, INVOCATION);

    // Assess
    expect(fake.ec2For(target(HOME)).callsOf("createFlowLogs")).toEqual([]);
    expect(report).toMatchObject({
      mode: "audit",
      outcomes: [expect.objectContaining({ outcome: "would-create" })],
    });
  });

  it("refuses a payload naming another account before reaching it: remediation acts at home only", async () => {
    // Prepare
    const fake = ports();
    fake.accountBoundary = { kind: "home-account" };
    const payload = { ResourceId: VPC, AccountId: MEMBER, Region: "us-east-1" };

    // Act
    const error = await remediateConfigResource(payload, fake, INVOCATION).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EnforcementFailedError);
    expect(String(error)).toContain(`account ${MEMBER} is not this deployment's own account`);
    expect(fake.reached).toEqual([]);
  });

  it("rejects a malformed payload before reaching any account", async () => {
    // Prepare
    const fake = ports();

    // Act
    const remediating = remediateConfigResource(
      { ResourceId: VPC, ResourceType: "AWS::EC2::Subnet" },
      fake,
      INVOCATION,
    );

    // Assess
    await expect(remediating).rejects.toBeInstanceOf(EventValidationError);
    expect(fake.reached).toEqual([]);
  });
});
