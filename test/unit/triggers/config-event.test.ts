import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../../src/errors.js";
import { parseConfigRuleEvent } from "../../../src/triggers/config-event.js";
import { regionName } from "../support/builders.js";
import { readEvent } from "../support/fixtures.js";

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";

/** A sample event from events/ with its invokingEvent (a JSON string) decoded, changed and re-encoded. */
function withInvokingEvent(
  name: string,
  change: (invoking: Record<string, unknown>) => void,
): Record<string, unknown> {
  const event = sampleObject(name);
  const invoking: unknown = JSON.parse(String(event.invokingEvent));
  if (typeof invoking !== "object" || invoking === null) throw new Error("invokingEvent is not an object");
  const copy = { ...invoking };
  change(copy);
  return { ...event, invokingEvent: JSON.stringify(copy) };
}

function sampleObject(name: string): Record<string, unknown> {
  const event = readEvent(name);
  if (typeof event !== "object" || event === null) throw new Error(`${name} is not an object`);
  return { ...event };
}

function itemOf(invoking: Record<string, unknown>): Record<string, unknown> {
  const item = invoking.configurationItem;
  if (typeof item !== "object" || item === null) throw new Error("no configurationItem");
  const copy = { ...item };
  invoking.configurationItem = copy;
  return copy;
}

function problemsOf(event: unknown): readonly string[] {
  try {
    parseConfigRuleEvent(event, { region: regionName("us-east-1") });
  } catch (error) {
    if (error instanceof EventValidationError) return error.problems;
    throw error;
  }
  throw new Error("the event parsed");
}

describe("parseConfigRuleEvent: change notifications", () => {
  it("reads a created VPC: its ID, tags, account, region and the item's capture time", () => {
    // Prepare
    const event = readEvent("config-item-vpc-created.json");

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "resource",
      messageType: "ConfigurationItemChangeNotification",
      resultToken: "TESTMODE",
      ruleName: "vpc-flow-log-coverage",
      parameters: {},
      target: { accountId: "123456789012", region: "us-east-1", partition: "aws" },
      orderingTimestamp: new Date("2026-11-20T09:14:52.318Z"),
      configType: "AWS::EC2::VPC",
      resource: { type: "VPC", id: VPC, tags: { Name: "app", env: "dev" } },
    });
  });

  it("reads a subnet's VPC from the item's configuration, so no DescribeSubnets is needed", () => {
    // Prepare
    const event = readEvent("config-item-subnet-changed.json");

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "resource",
      configType: "AWS::EC2::Subnet",
      resource: { type: "Subnet", id: SUBNET, vpcId: VPC, tags: { Name: "app-public-a" } },
    });
  });

  it("reads only type and ID of an oversized item, leaving the VPC to be read from EC2", () => {
    // Prepare
    const event = readEvent("config-item-oversized.json");

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "resource",
      messageType: "OversizedConfigurationItemChangeNotification",
      orderingTimestamp: new Date("2026-11-20T11:40:07.662Z"),
      resource: { type: "Subnet", id: SUBNET },
    });
    expect(request.kind === "resource" ? request.resource : undefined).not.toHaveProperty("vpcId");
  });

  it.each([
    ["ResourceDeleted", "configuration item status is ResourceDeleted"],
    ["ResourceDeletedNotRecorded", "configuration item status is ResourceDeletedNotRecorded"],
    ["ResourceNotRecorded", "configuration item status is ResourceNotRecorded"],
  ])("makes a %s item not applicable", (status, reason) => {
    // Prepare
    const event = withInvokingEvent("config-item-deleted.json", (invoking) => {
      itemOf(invoking).configurationItemStatus = status;
    });

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "not-applicable",
      resource: { configType: "AWS::EC2::VPC", id: VPC },
      reason,
      orderingTimestamp: new Date("2026-11-21T16:45:30.119Z"),
    });
  });

  it("makes a resource that left the rule's scope not applicable", () => {
    // Prepare
    const event = { ...sampleObject("config-item-vpc-created.json"), eventLeftScope: true };

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request).toMatchObject({ kind: "not-applicable", reason: "the resource left the rule's scope" });
  });

  it("makes an item of a type the rule does not judge not applicable", () => {
    // Prepare
    const event = withInvokingEvent("config-item-vpc-created.json", (invoking) => {
      const item = itemOf(invoking);
      item.resourceType = "AWS::EC2::Instance";
      item.resourceId = "i-0a1b2c3d4e5f60718";
    });

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "not-applicable",
      resource: { configType: "AWS::EC2::Instance", id: "i-0a1b2c3d4e5f60718" },
      reason: "the rule does not evaluate AWS::EC2::Instance resources",
    });
  });
});

describe("parseConfigRuleEvent: periodic runs", () => {
  it("targets the account-region of the rule, ordered by the notification time", () => {
    // Prepare
    const event = { ...sampleObject("config-periodic.json"), configRuleArn: undefined };
    const withArn = readEvent("config-periodic.json");

    // Act
    const fromDefault = parseConfigRuleEvent(event, { region: regionName("eu-west-1") });
    const fromArn = parseConfigRuleEvent(withArn, { region: regionName("eu-west-1") });

    // Assess
    expect(fromArn).toMatchObject({
      kind: "account-region",
      target: { accountId: "123456789012", region: "us-east-1" },
      orderingTimestamp: new Date("2026-11-22T00:00:04.557Z"),
    });
    expect(fromDefault).toMatchObject({ target: { region: regionName("eu-west-1") } });
  });

  it("reads the rule parameters that override the policy source and the mode", () => {
    // Prepare
    const event = {
      ...sampleObject("config-periodic.json"),
      ruleParameters: JSON.stringify({ policySource: "s3://org-config/flow-logs.yaml", mode: "audit" }),
    };

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request.parameters).toEqual({
      policySource: { kind: "s3", bucket: "org-config", key: "flow-logs.yaml" },
      mode: "audit",
    });
  });

  it("ignores rule parameters it does not know, naming them for the log, as AWS's example events carry some", () => {
    // Prepare
    const event = {
      ...sampleObject("config-periodic.json"),
      ruleParameters: JSON.stringify({ myParameterKey: "myParameterValue", mode: "audit" }),
    };

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request.parameters).toEqual({ mode: "audit", ignored: ["myParameterKey"] });
  });

  it("treats empty rule parameters as unset", () => {
    // Prepare
    const event = {
      ...sampleObject("config-periodic.json"),
      ruleParameters: JSON.stringify({ policySource: "", mode: "" }),
    };

    // Act
    const request = parseConfigRuleEvent(event);

    // Assess
    expect(request.parameters).toEqual({});
  });
});

describe("parseConfigRuleEvent: malformed events", () => {
  it("names an invokingEvent that is not JSON", () => {
    // Prepare
    const event = { ...sampleObject("config-item-vpc-created.json"), invokingEvent: "{configurationItem:" };

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^invokingEvent: not valid JSON \(.+\)$/)]);
  });

  it("names an unknown messageType and lists the known ones", () => {
    // Prepare
    const event = withInvokingEvent("config-periodic.json", (invoking) => {
      invoking.messageType = "ConfigurationSnapshotDeliveryCompleted";
    });

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([
      'invokingEvent.messageType: unsupported "ConfigurationSnapshotDeliveryCompleted" (expected one of ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification, ScheduledNotification)',
    ]);
  });

  it("names a missing resultToken", () => {
    // Prepare
    const { resultToken: _dropped, ...event } = sampleObject("config-item-vpc-created.json");

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["resultToken: required (the token PutEvaluations needs)"]);
  });

  it("names a missing field of the configuration item by its path", () => {
    // Prepare
    const event = withInvokingEvent("config-item-vpc-created.json", (invoking) => {
      delete itemOf(invoking).awsRegion;
    });

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["invokingEvent.configurationItem.awsRegion: required"]);
  });

  it("names a missing account ID as missing, not as malformed", () => {
    // Prepare
    const missing = withInvokingEvent("config-item-vpc-created.json", (invoking) => {
      delete itemOf(invoking).awsAccountId;
    });
    const malformed = withInvokingEvent("config-item-vpc-created.json", (invoking) => {
      itemOf(invoking).awsAccountId = "12345";
    });

    // Act
    const problems = [...problemsOf(missing), ...problemsOf(malformed)];

    // Assess
    expect(problems).toEqual([
      "invokingEvent.configurationItem.awsAccountId: required",
      "invokingEvent.configurationItem.awsAccountId: must be a 12-digit account ID",
    ]);
  });

  it("names a missing string field as required rather than by the type it lacks", () => {
    // Prepare
    const event = withInvokingEvent("config-item-vpc-created.json", (invoking) => {
      delete itemOf(invoking).resourceType;
    });

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["invokingEvent.configurationItem.resourceType: required"]);
  });

  it("rejects a resource ID that does not fit the resource type", () => {
    // Prepare
    const event = withInvokingEvent("config-item-vpc-created.json", (invoking) => {
      itemOf(invoking).resourceId = SUBNET;
    });

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([
      `invokingEvent.configurationItem.resourceId: "${SUBNET}" does not name a resource of type AWS::EC2::VPC`,
    ]);
  });

  it.each([
    ["not JSON", "{policySource", /^ruleParameters: not valid JSON/],
    [
      "a bad policy source",
      JSON.stringify({ policySource: "dynamodb:policies" }),
      /^ruleParameters\.policySource: must be ssm:<parameter name>, s3:\/\/bucket\/key or file:<path>$/,
    ],
    ["a bad mode", JSON.stringify({ mode: "fix" }), /^ruleParameters\.mode: /],
  ])("names rule parameters with %s", (_case, ruleParameters, expected) => {
    // Prepare
    const event = { ...sampleObject("config-periodic.json"), ruleParameters };

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it("needs a region for a periodic run without a rule ARN", () => {
    // Prepare
    const event = { ...sampleObject("config-periodic.json"), configRuleArn: undefined };

    // Act
    const act = () => parseConfigRuleEvent(event, {});

    // Assess
    expect(act).toThrow("configRuleArn: required to know the region of a periodic run");
  });
});
