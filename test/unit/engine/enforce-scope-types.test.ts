// The account-region scope may list other types than the policy's (a Config rule's scope).
import { describe, expect, it } from "vitest";
import { enforceCoverage } from "../../../src/engine/enforce.js";
import { placement, SUBNET_A1, VPC_A, vpcId } from "../support/builders.js";
import { FakeFlowLogPort } from "../support/fake-flow-log-port.js";
import { policyWith } from "../support/fixtures.js";

const SEED = "config-periodic-run";

function portWithVpcSubnetAndEni(): FakeFlowLogPort {
  const ec2 = new FakeFlowLogPort();
  ec2.resources.push(
    { type: "VPC", id: VPC_A },
    { type: "Subnet", id: SUBNET_A1, vpcId: vpcId(VPC_A) },
    { type: "NetworkInterface", id: "eni-0a1b2c3d4e5f60718", vpcId: vpcId(VPC_A) },
  );
  return ec2;
}

describe("enforceCoverage: account-region scope with resourceTypes", () => {
  it("lists only the given types, not every type of the policy", async () => {
    // Prepare
    const ec2 = portWithVpcSubnetAndEni();
    const policy = policyWith({ resourceTypes: ["VPC", "Subnet", "NetworkInterface"], mode: "audit" });

    // Act
    const report = await enforceCoverage(
      {
        placement: placement(),
        scope: { kind: "account-region", resourceTypes: ["VPC", "Subnet"] },
        idempotencySeed: SEED,
      },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("listResources")).toEqual([
      { method: "listResources", types: ["VPC", "Subnet"], vpcIds: undefined },
    ]);
    expect(report.outcomes.map((o) => o.resourceId)).toEqual([VPC_A, SUBNET_A1]);
  });

  it("reports a listed type outside the policy as ignored", async () => {
    // Prepare
    const ec2 = portWithVpcSubnetAndEni();
    const policy = policyWith({ resourceTypes: ["VPC"], mode: "audit" });

    // Act
    const report = await enforceCoverage(
      {
        placement: placement(),
        scope: { kind: "account-region", resourceTypes: ["VPC", "Subnet"] },
        idempotencySeed: SEED,
      },
      { policy, ec2 },
    );

    // Assess
    expect(report.outcomes.map((o) => [o.resourceId, o.outcome])).toEqual([
      [VPC_A, "would-create"],
      [SUBNET_A1, "ignored"],
    ]);
  });

  it("lists the policy's types when none are given", async () => {
    // Prepare
    const ec2 = portWithVpcSubnetAndEni();
    const policy = policyWith({ resourceTypes: ["VPC", "NetworkInterface"], mode: "audit" });

    // Act
    await enforceCoverage(
      { placement: placement(), scope: { kind: "account-region" }, idempotencySeed: SEED },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("listResources")).toEqual([
      { method: "listResources", types: ["VPC", "NetworkInterface"], vpcIds: undefined },
    ]);
  });
});
