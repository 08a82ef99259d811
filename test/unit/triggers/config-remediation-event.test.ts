import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../../src/errors.js";
import { parseRemediationEvent } from "../../../src/triggers/config-remediation-event.js";
import { regionName } from "../support/builders.js";
import { readEvent } from "../support/fixtures.js";

const HOME = { accountId: "111111111111", region: regionName("eu-west-1") };

function problemsOf(event: unknown): readonly string[] {
  try {
    parseRemediationEvent(event, HOME);
  } catch (error) {
    if (error instanceof EventValidationError) return error.problems;
    throw error;
  }
  throw new Error("the payload parsed");
}

describe("parseRemediationEvent", () => {
  it("reads the sample payload the Automation step sends", () => {
    // Prepare
    const event = readEvent("config-remediation-vpc.json");

    // Act
    const request = parseRemediationEvent(event, HOME);

    // Assess
    expect(request).toEqual({
      target: { accountId: "123456789012", region: "us-east-1", partition: "aws" },
      resource: { type: "VPC", id: "vpc-0a1b2c3d4e5f60718" },
      executionId: "4f2d9a6e-3b1c-4e8f-9a0d-7c5b2e1f6a34",
    });
  });

  it("resolves the type from the ID prefix and the place from the function's own account and region", () => {
    // Prepare
    const event = { ResourceId: "subnet-0a1b2c3d4e5f60719" };

    // Act
    const request = parseRemediationEvent(event, HOME);

    // Assess
    expect(request).toEqual({
      target: { accountId: "111111111111", region: "eu-west-1", partition: "aws" },
      resource: { type: "Subnet", id: "subnet-0a1b2c3d4e5f60719" },
    });
  });

  it("passes policy source and mode overrides on", () => {
    // Prepare
    const event = { ResourceId: "vpc-0a1b2c3d4e5f60718", PolicySource: "ssm:/other/policy", Mode: "audit" };

    // Act
    const request = parseRemediationEvent(event, HOME);

    // Assess
    expect(request).toMatchObject({
      policySource: { kind: "ssm", parameterName: "/other/policy" },
      mode: "audit",
    });
  });

  it.each([
    ["no ResourceId", {}, "ResourceId: required (Config passes RESOURCE_ID)"],
    [
      "an ID of another kind",
      { ResourceId: "i-0a1b2c3d4e5f60718" },
      "ResourceId: must be a VPC (vpc-…) or subnet (subnet-…) ID",
    ],
    [
      "a type that contradicts the ID",
      { ResourceId: "vpc-0a1b2c3d4e5f60718", ResourceType: "AWS::EC2::Subnet" },
      "ResourceType: AWS::EC2::Subnet does not match ResourceId vpc-0a1b2c3d4e5f60718",
    ],
    [
      "a type the action does not remediate",
      { ResourceId: "vpc-0a1b2c3d4e5f60718", ResourceType: "AWS::EC2::Instance" },
      "ResourceType: must be one of AWS::EC2::VPC, AWS::EC2::Subnet",
    ],
    [
      "a bad account",
      { ResourceId: "vpc-0a1b2c3d4e5f60718", AccountId: "12345" },
      "AccountId: must be a 12-digit account ID",
    ],
    ["a bad mode", { ResourceId: "vpc-0a1b2c3d4e5f60718", Mode: "repair" }, expect.stringMatching(/^Mode: /)],
  ])("rejects a payload with %s by name", (_case, event, problem) => {
    // Prepare: the payload above

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([problem]);
  });

  it("needs an account when the function's own is unknown", () => {
    // Prepare
    const event = { ResourceId: "vpc-0a1b2c3d4e5f60718" };

    // Act
    const act = () => parseRemediationEvent(event, { region: regionName("us-east-1") });

    // Assess
    expect(act).toThrow("AccountId: required, since the function's own account is unknown");
  });
});
