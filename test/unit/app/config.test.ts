import { describe, expect, it } from "vitest";
import { readConfig, readPolicyAuditConfig } from "../../../src/app/config.js";
import { ConfigurationError } from "../../../src/errors.js";

const POLICY_SOURCE = "ssm:/vpc-flow-log-enforcer/policy";

describe("readConfig: ALLOWED_DESTINATIONS", () => {
  it("reads the destination guard's patterns, and none when empty", () => {
    // Act
    const guarded = readConfig({
      POLICY_SOURCE,
      ALLOWED_DESTINATIONS: "arn:aws:s3:::central,arn:aws:s3:::central/*,",
    });
    const open = readConfig({ POLICY_SOURCE, ALLOWED_DESTINATIONS: "" });

    // Assess
    expect(guarded.allowedDestinations).toEqual(["arn:aws:s3:::central", "arn:aws:s3:::central/*"]);
    expect(open).not.toHaveProperty("allowedDestinations");
  });

  it("fails at cold start on a pattern that is not an ARN, naming the variable", () => {
    // Act
    const read = () => readConfig({ POLICY_SOURCE, ALLOWED_DESTINATIONS: "central-flow-logs" });

    // Assess
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(
      'environment variable ALLOWED_DESTINATIONS must list ARN patterns (arn:…) or * (got "central-flow-logs")',
    );
  });
});

describe("readConfig", () => {
  it("reads the policy source and applies the defaults", () => {
    // Prepare
    const env = { POLICY_SOURCE };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config).toMatchObject({
      policySource: { kind: "ssm", parameterName: "/vpc-flow-log-enforcer/policy" },
      memberRoleName: "FlowLogEnforcerMemberRole",
      policyCacheTtlSeconds: 60,
      maxAttempts: 5,
      newResourceWaitSeconds: 20,
    });
    expect(config).not.toHaveProperty("allowedAccounts");
  });

  it("reads every optional setting", () => {
    // Prepare
    const env = {
      POLICY_SOURCE: "s3://org-config/flow-logs/policy.yaml",
      MEMBER_ROLE_NAME: "OrgFlowLogs",
      POLICY_CACHE_TTL_SECONDS: "0",
      AWS_MAX_ATTEMPTS: "8",
      ALLOWED_ACCOUNTS: " 111111111111, 222222222222 ,",
      NEW_RESOURCE_WAIT_SECONDS: "5",
    };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config).toMatchObject({
      policySource: { kind: "s3", bucket: "org-config", key: "flow-logs/policy.yaml" },
      memberRoleName: "OrgFlowLogs",
      policyCacheTtlSeconds: 0,
      maxAttempts: 8,
      allowedAccounts: ["111111111111", "222222222222"],
      newResourceWaitSeconds: 5,
    });
  });

  it.each([
    ["missing", {}],
    ["blank", { POLICY_SOURCE: "  " }],
  ])("fails with ConfigurationError naming POLICY_SOURCE when it is %s", (_, env: Record<string, string>) => {
    // Prepare
    const environment = { ...env, MEMBER_ROLE_NAME: "OrgFlowLogs" };

    // Act
    const act = () => readConfig(environment);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow("environment variable POLICY_SOURCE is required");
  });

  it.each([
    "/vpc-flow-log-enforcer/policy",
    "ssm:",
    "s3://org-config",
    "s3://org-config/",
    "https://example.com/policy.yaml",
  ])("rejects POLICY_SOURCE %j, saying which forms it accepts", (source) => {
    // Prepare
    const env = { POLICY_SOURCE: source };

    // Act
    const act = () => readConfig(env);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(
      `POLICY_SOURCE must be ssm:<parameter name>, s3://bucket/key or file:<path> (got "${source}")`,
    );
  });

  it("accepts a file: source", () => {
    // Prepare
    const env = { POLICY_SOURCE: "file:./policy.yaml" };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config.policySource).toEqual({ kind: "file", path: "./policy.yaml" });
  });

  it("rejects an ALLOWED_ACCOUNTS entry that is not a 12-digit account ID, naming it", () => {
    // Prepare
    const env = { POLICY_SOURCE, ALLOWED_ACCOUNTS: "111111111111,22222222222" };

    // Act
    const act = () => readConfig(env);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow('ALLOWED_ACCOUNTS must list 12-digit account IDs (got "22222222222")');
  });

  it("treats an empty ALLOWED_ACCOUNTS as no allow-list", () => {
    // Prepare
    const env = { POLICY_SOURCE, ALLOWED_ACCOUNTS: "" };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config).not.toHaveProperty("allowedAccounts");
  });

  it.each(["POLICY_CACHE_TTL_SECONDS", "AWS_MAX_ATTEMPTS"])(
    "rejects a %s that is not a number, naming it",
    (name) => {
      // Prepare
      const env = { POLICY_SOURCE, [name]: "five" };

      // Act
      const act = () => readConfig(env);

      // Assess
      expect(act).toThrow(ConfigurationError);
      expect(act).toThrow(`environment variable ${name} must be a non-negative number (got "five")`);
    },
  );
});

describe("readPolicyAuditConfig", () => {
  it("reads the alarm topic, and none when ALARM_TOPIC_ARN is empty", () => {
    // Act
    const withTopic = readPolicyAuditConfig({ ALARM_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:alarms" });
    const without = readPolicyAuditConfig({ ALARM_TOPIC_ARN: "" });

    // Assess
    expect(withTopic.alarmTopicArn).toBe("arn:aws:sns:us-east-1:123456789012:alarms");
    expect(without).not.toHaveProperty("alarmTopicArn");
  });

  it("fails at cold start on a topic that is not an SNS ARN", () => {
    // Act
    const read = () => readPolicyAuditConfig({ ALARM_TOPIC_ARN: "alarms" });

    // Assess
    expect(read).toThrow('environment variable ALARM_TOPIC_ARN must be an SNS topic ARN (got "alarms")');
  });
});
