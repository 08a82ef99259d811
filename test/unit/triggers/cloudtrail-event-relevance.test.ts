// Whether a parsed CloudTrail event can change any verdict under a policy, decided without AWS calls.
import { describe, expect, it } from "vitest";
import type { Policy } from "../../../src/policy/schema.js";
import { type CloudTrailRequest, parseCloudTrailEvent } from "../../../src/triggers/cloudtrail-event.js";
import { policyIrrelevance } from "../../../src/triggers/cloudtrail-relevance.js";
import { policyWith, readEvent } from "../support/fixtures.js";

/** True when the gate lets the request through (it names no reason to skip it). */
function isRelevant(request: CloudTrailRequest, policy: Policy): boolean {
  return policyIrrelevance(request, policy) === undefined;
}

/** A sample parsed; with `requestParameters`, those replace the sample's. */
function request(file: string, requestParameters?: Record<string, unknown>): CloudTrailRequest {
  const event = readEvent(file);
  if (requestParameters !== undefined && typeof event === "object" && event !== null && "detail" in event)
    Object.assign(Object(event.detail), { requestParameters });
  return parseCloudTrailEvent(event);
}

const exemptSandboxes = {
  name: "sandboxes-exempt",
  match: { tags: { "flow-logs": "disabled" } },
  exempt: true,
  reason: "sandboxes",
};

describe("policyIrrelevance: resource types", () => {
  it.each([
    ["transit-gateway-created.json", ["VPC", "Subnet"], false],
    ["transit-gateway-created.json", ["VPC", "TransitGateway"], true],
    ["transit-gateway-attachment-created.json", ["TransitGateway"], false],
    ["transit-gateway-connect-created.json", ["TransitGatewayAttachment"], true],
    ["network-interface-created.json", ["VPC", "Subnet"], false],
    ["network-interface-created.json", ["NetworkInterface"], true],
    ["vpc-created.json", ["Subnet"], false],
    ["default-vpc-created.json", ["Subnet"], true],
    ["subnet-created.json", ["VPC"], false],
    ["flow-log-deleted.json", ["TransitGatewayAttachment"], true],
    ["flow-log-deleted.json", ["VPC"], true],
  ] as const)("%s under resourceTypes %j: %s", (file, resourceTypes, relevant) => {
    // Prepare
    const policy = policyWith({ resourceTypes: [...resourceTypes] });

    // Act
    const result = isRelevant(request(file), policy);

    // Assess
    expect(result).toBe(relevant);
  });

  it("says which types the event concerns and which the policy enforces", () => {
    // Prepare
    const policy = policyWith({ resourceTypes: ["VPC", "Subnet"] });

    // Act
    const reason = policyIrrelevance(request("transit-gateway-created.json"), policy);

    // Assess
    expect(reason).toBe(
      "the policy's resourceTypes [VPC, Subnet] include none of the types CreateTransitGateway concerns [TransitGateway]",
    );
  });

  it("an ignored request is never relevant, for the reason it was ignored", () => {
    // Prepare
    const policy = policyWith({ resourceTypes: ["VPC"] });
    const failed = request("vpc-created-failed-call.json");

    // Act
    const reason = policyIrrelevance(failed, policy);

    // Assess
    expect(reason).toMatch(/^the CreateVpc call failed/);
    expect(isRelevant(failed, policy)).toBe(false);
  });
});

describe("policyIrrelevance: tag changes", () => {
  it("removing the exemption tag matters to a policy whose exemption matches on it", () => {
    // Prepare
    const policy = policyWith({ resourceTypes: ["VPC", "Subnet"], rules: [exemptSandboxes] });

    // Act
    const result = isRelevant(request("tags-deleted.json"), policy);

    // Assess
    expect(result).toBe(true);
  });

  it("adding the exemption tag matters too (the resource is then reported exempt)", () => {
    // Prepare
    const policy = policyWith({ resourceTypes: ["VPC"], rules: [exemptSandboxes] });

    // Act
    const result = isRelevant(request("tags-created.json"), policy);

    // Assess
    expect(result).toBe(true);
  });

  it("a policy without tag rules cannot care about a tag change", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC", "Subnet"],
      rules: [{ name: "eu", match: { regions: ["eu-west-1"] }, trafficType: "REJECT" }],
    });

    // Act
    const reason = policyIrrelevance(request("tags-deleted.json"), policy);

    // Assess
    expect(reason).toBe(
      "DeleteTags changed tag flow-logs, and no rule of the policy matches on it for [VPC, Subnet]",
    );
  });

  it("a tag key no rule matches on does not matter, whatever other keys the rules use", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC", "Subnet"],
      rules: [exemptSandboxes, { name: "prod", match: { tags: { env: "prod" } }, trafficType: "ALL" }],
    });
    const changed = request("tags-created.json", {
      resourcesSet: { items: [{ resourceId: "vpc-0a1b2c3d4e5f60718" }] },
      tagSet: {
        items: [
          { key: "Name", value: "app" },
          { key: "owner", value: "me" },
        ],
      },
    });

    // Act
    const reason = policyIrrelevance(changed, policy);

    // Assess
    expect(reason).toBe(
      "CreateTags changed tags Name, owner, and no rule of the policy matches on any of them for [VPC, Subnet]",
    );
  });

  it("DeleteTags of every tag matters to any rule matching on tags", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC"],
      rules: [{ name: "prod", match: { tags: { env: "prod" } }, trafficType: "ALL" }],
    });
    const everything = request("tags-deleted.json", {
      resourcesSet: { items: [{ resourceId: "vpc-0a1b2c3d4e5f60718" }] },
    });

    // Act
    const result = isRelevant(everything, policy);

    // Assess
    expect(result).toBe(true);
  });

  it("a tag rule limited to types the change does not concern does not count", () => {
    // Prepare: a subnet's own tags change; the only tag rule is for VPCs (a VPC's tags do not follow its subnets').
    const policy = policyWith({
      resourceTypes: ["VPC", "Subnet"],
      rules: [{ ...exemptSandboxes, match: { resourceTypes: ["VPC"], tags: { "flow-logs": "disabled" } } }],
    });
    const onSubnet = request("tags-deleted.json", {
      resourcesSet: { items: [{ resourceId: "subnet-0a1b2c3d4e5f60719" }] },
      tagSet: { items: [{ key: "flow-logs" }] },
    });

    // Act
    const result = isRelevant(onSubnet, policy);

    // Assess
    expect(result).toBe(false);
  });

  it("a VPC's tag change reaches a subnet-only tag rule (subnets inherit their VPC's tags)", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC", "Subnet"],
      subnetCoverage: "own",
      rules: [
        { ...exemptSandboxes, match: { resourceTypes: ["Subnet"], tags: { "flow-logs": "disabled" } } },
      ],
    });

    // Act
    const result = isRelevant(request("tags-deleted.json"), policy);

    // Assess
    expect(result).toBe(true);
  });

  it("a tag change on a VPC does not matter to a policy enforcing only transit gateways", () => {
    // Prepare
    const policy = policyWith({ resourceTypes: ["TransitGateway"], rules: [exemptSandboxes] });

    // Act
    const result = isRelevant(request("tags-deleted.json"), policy);

    // Assess
    expect(result).toBe(false);
  });
});
