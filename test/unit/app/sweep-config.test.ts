import { describe, expect, it } from "vitest";
import { readConfig, readSweepConfig } from "../../../src/app/config.js";
import { ConfigurationError } from "../../../src/errors.js";

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/sweep";

describe("readSweepConfig", () => {
  it("reads the queue and the governed regions, dropping blanks and repeats", () => {
    // Prepare
    const env = { SWEEP_QUEUE_URL: QUEUE, GOVERNED_REGIONS: " eu-west-1, us-east-1,,eu-west-1 " };

    // Act
    const config = readSweepConfig(env);

    // Assess
    expect(config).toEqual({
      queueUrl: QUEUE,
      governedRegions: ["eu-west-1", "us-east-1"],
      maxAttempts: 5,
      organizationCacheTtlSeconds: 300,
      memberRoleName: "FlowLogEnforcerMemberRole",
    });
  });

  it("reads ALL as every enabled region of each account, with the member role and home region to ask them", () => {
    // Act
    const config = readSweepConfig({
      SWEEP_QUEUE_URL: QUEUE,
      GOVERNED_REGIONS: "ALL",
      MEMBER_ROLE_NAME: "Member",
      AWS_REGION: "eu-west-1",
    });

    // Assess
    expect(config).toMatchObject({ governedRegions: "all", memberRoleName: "Member", region: "eu-west-1" });
  });

  it.each([
    [{ GOVERNED_REGIONS: "eu-west-1" }, /SWEEP_QUEUE_URL is required/],
    [{ SWEEP_QUEUE_URL: QUEUE }, /GOVERNED_REGIONS is required/],
    [
      { SWEEP_QUEUE_URL: QUEUE, GOVERNED_REGIONS: "eu-west-1,Ireland" },
      /GOVERNED_REGIONS must be .*"eu-west-1,Ireland"/,
    ],
    [{ SWEEP_QUEUE_URL: "sweep", GOVERNED_REGIONS: "eu-west-1" }, /SWEEP_QUEUE_URL must be an SQS queue URL/],
  ])("fails at cold start naming the variable (%o)", (env, message) => {
    // Act
    const read = () => readSweepConfig(env);

    // Assess
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(message);
  });
});

describe("ORGANIZATION_ID", () => {
  it("bounds an organization-wide deployment to its organization, any other to its own account", () => {
    // Prepare
    const base = { POLICY_SOURCE: "ssm:/p" };

    // Act
    const boundaries = [undefined, "", " o-a1b2c3d4e5 "].map(
      (value) => readConfig(value === undefined ? base : { ...base, ORGANIZATION_ID: value }).accountBoundary,
    );

    // Assess
    expect(boundaries).toEqual([
      { kind: "home-account" },
      { kind: "home-account" },
      { kind: "organization", organizationId: "o-a1b2c3d4e5" },
    ]);
  });

  it("rejects a value that is not an organization ID, by name", () => {
    // Act
    const read = () => readConfig({ POLICY_SOURCE: "ssm:/p", ORGANIZATION_ID: "r-ab12" });

    // Assess
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(/ORGANIZATION_ID must be an organization ID such as o-a1b2c3d4e5 \(got "r-ab12"\)/);
  });

  it("refuses the old ORGANIZATION_CHECK switch instead of ignoring it", () => {
    // Act
    const read = () => readConfig({ POLICY_SOURCE: "ssm:/p", ORGANIZATION_CHECK: "on" });

    // Assess
    expect(read).toThrow(/ORGANIZATION_CHECK is no longer read: set ORGANIZATION_ID/);
  });
});
