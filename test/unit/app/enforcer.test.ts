// The wiring: which gateway serves which port, with what credentials. SDK mocks stand in for AWS here, as in the
// gateway tests; the use cases themselves are tested with in-memory ports.
import { ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { DescribeFlowLogsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configRuleFromEnvironment } from "../../../src/app/config-rule.js";
import { createEnforcer, type EnforcerOptions } from "../../../src/app/enforcer.js";
import { AssumeRoleError } from "../../../src/errors.js";
import { accountId, target } from "../support/builders.js";
import { fixturePath } from "../support/fixtures.js";

const ec2Mock = mockClient(EC2Client);
const stsMock = mockClient(STSClient);
const configMock = mockClient(ConfigServiceClient);

const HOME = "111111111111";
const MEMBER = "222222222222";
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`;

beforeEach(() => {
  ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAMEMBER",
      SecretAccessKey: "secret",
      SessionToken: "session",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
});

afterEach(() => {
  ec2Mock.reset();
  stsMock.reset();
  configMock.reset();
});

function options(overrides: Partial<EnforcerOptions> = {}): EnforcerOptions {
  return {
    policySource: { kind: "file", path: fixturePath("policies/minimal-s3.json") },
    memberRoleName: "FlowLogEnforcerMemberRole",
    policyCacheTtlSeconds: 60,
    maxAttempts: 1,
    accountBoundary: { kind: "home-account" },
    organizationCacheTtlSeconds: 300,
    homeAccountId: accountId(HOME),
    ...overrides,
  };
}

describe("createEnforcer", () => {
  it("reaches EC2 at home with the function's own credentials, and a member account with its member role", async () => {
    // Prepare
    const enforcer = createEnforcer(options());

    // Act
    await (await enforcer.flowLogsIn(target(HOME))).describeFlowLogs(["vpc-0a1b2c3d4e5f60718"]);
    await (await enforcer.flowLogsIn(target(MEMBER, "eu-west-1"))).describeFlowLogs([
      "vpc-0a1b2c3d4e5f60718",
    ]);

    // Assess
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: MEMBER_ROLE });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 2);
  });

  it("surfaces an unusable member role before any EC2 call", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).rejects(new Error("not authorized to perform sts:AssumeRole"));
    const enforcer = createEnforcer(options());

    // Act
    const reaching = enforcer.flowLogsIn(target(MEMBER));

    // Assess
    await expect(reaching).rejects.toBeInstanceOf(AssumeRoleError);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it("loads the deployment's policy unless a job names another source", async () => {
    // Prepare
    const enforcer = createEnforcer(options());

    // Act
    const deployed = await enforcer.loadPolicy();
    const named = await enforcer.loadPolicy({ kind: "file", path: fixturePath("policies/exempt-all.yaml") });

    // Assess
    expect(deployed.policy.rules).toEqual([]);
    expect(named.policy.rules.map((rule) => rule.name)).toEqual(["everything-exempt"]);
  });

  it("passes the home region and the deployment's allow-list on to the use cases", () => {
    // Prepare, Act
    const enforcer = createEnforcer(options({ allowedAccounts: [accountId(HOME)], region: target().region }));

    // Assess
    expect(enforcer.allowedAccounts).toEqual([HOME]);
    expect(enforcer.homeRegion).toBe(target().region);
  });

  it("passes the wait for resources EC2 does not show yet on in milliseconds, or leaves the engine's default", () => {
    // Act
    const configured = createEnforcer(options({ newResourceWaitSeconds: 5 }));
    const unset = createEnforcer(options());

    // Assess
    expect(configured.newResourceWaitMs).toBe(5_000);
    expect(unset.newResourceWaitMs).toBeUndefined();
  });
});

describe("configRuleFromEnvironment", () => {
  it("sends a member account's evaluations to Config in that account, with its member role", async () => {
    // Prepare
    const app = configRuleFromEnvironment({
      POLICY_SOURCE: `file:${fixturePath("policies/minimal-s3.json")}`,
      AWS_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "1",
    });
    app.accounts.setHomeAccount(HOME);
    const evaluation = {
      resourceType: "AWS::EC2::VPC",
      resourceId: "vpc-0a1b2c3d4e5f60718",
      complianceType: "COMPLIANT",
      orderingTimestamp: new Date("2026-11-20T09:14:52.318Z"),
    } as const;

    // Act
    const { calls } = await app.sendEvaluations(target(MEMBER, "eu-west-1"), "TESTMODE", [evaluation]);

    // Assess
    expect(calls).toBe(1);
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: "TESTMODE",
      TestMode: true,
    });
    // The mock answers before the request is signed: resolve the client's credentials as signing would.
    const client = configMock.commandCalls(PutEvaluationsCommand)[0]?.thisValue;
    expect(await client?.config.region()).toBe("eu-west-1");
    expect((await client?.config.credentials())?.accessKeyId).toBe("ASIAMEMBER");
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: MEMBER_ROLE });
  });
});
