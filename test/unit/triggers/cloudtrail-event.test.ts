import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../../src/errors.js";
import { parseCloudTrailEvent } from "../../../src/triggers/cloudtrail-event.js";
import { editableEvent, readEvent } from "../support/fixtures.js";

/** The problems an EventValidationError lists for this event; fails the test when the event is accepted. */
function problemsOf(event: unknown): readonly string[] {
  try {
    parseCloudTrailEvent(event);
  } catch (error) {
    if (error instanceof EventValidationError) return error.problems;
    throw error;
  }
  throw new Error("the event was accepted");
}

const TARGET = { accountId: "123456789012", region: "us-east-1", partition: "aws" };

describe("parseCloudTrailEvent: sample events", () => {
  it("vpc-created.json: enforces on the new VPC with the tags from the response", () => {
    // Prepare
    const event = readEvent("vpc-created.json");

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "6f9b3c1e-2d4a-4b8e-9c7f-1a2b3c4d5e6f",
      eventName: "CreateVpc",
      eventTime: "2025-11-20T14:03:27.000Z",
      change: "created",
      concerns: ["VPC"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [{ type: "VPC", id: "vpc-0a1b2c3d4e5f60718", tags: { Name: "app", env: "dev" } }],
        newlyCreated: true,
      },
    });
  });

  it("subnet-created.json: enforces on the new subnet, with its VPC from the event", () => {
    // Prepare
    const event = readEvent("subnet-created.json");

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "0d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a",
      eventName: "CreateSubnet",
      eventTime: "2025-11-20T14:04:11.000Z",
      change: "created",
      concerns: ["Subnet"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [
          { type: "Subnet", id: "subnet-0a1b2c3d4e5f60719", vpcId: "vpc-0a1b2c3d4e5f60718", tags: {} },
        ],
        newlyCreated: true,
      },
    });
  });

  it("default-vpc-created.json: enforces on the default VPC and its default subnets", () => {
    // Prepare
    const event = readEvent("default-vpc-created.json");

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "c41f2a9e-7b3d-4e6a-8f1c-5d2e9b0a7c63",
      eventName: "CreateDefaultVpc",
      eventTime: "2025-11-20T15:12:45.000Z",
      change: "created",
      concerns: ["VPC", "Subnet"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [{ type: "VPC", id: "vpc-0f1e2d3c4b5a69788", tags: {} }],
        withSubnetsOf: ["vpc-0f1e2d3c4b5a69788"],
        newlyCreated: true,
      },
    });
  });

  it("subnet-default-created.json: enforces on the default subnet", () => {
    // Prepare
    const event = readEvent("subnet-default-created.json");

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "enforce",
      eventName: "CreateDefaultSubnet",
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [
          { type: "Subnet", id: "subnet-0d9c8b7a6f5e4d3c2", vpcId: "vpc-0f1e2d3c4b5a69788", tags: {} },
        ],
        newlyCreated: true,
      },
    });
  });

  it("flow-log-deleted.json: re-evaluates the whole account-region", () => {
    // Prepare
    const event = readEvent("flow-log-deleted.json");

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
      eventName: "DeleteFlowLogs",
      eventTime: "2025-11-21T09:41:18.000Z",
      change: "flow-logs-deleted",
      concerns: ["VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"],
      target: TARGET,
      scope: { kind: "account-region" },
    });
  });

  it("vpc-created-failed-call.json: ignores a failed call, saying why", () => {
    // Prepare
    const event = readEvent("vpc-created-failed-call.json");

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "ignored",
      eventId: "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
      eventName: "CreateVpc",
      eventTime: "2025-11-21T10:02:36.000Z",
      reason: expect.stringMatching(
        /^the CreateVpc call failed \(Client\.UnauthorizedOperation: You are not authorized to perform this operation\./,
      ),
    });
  });
});

describe("parseCloudTrailEvent: other shapes", () => {
  it("ignores a failed call even when its event name is not one it handles", () => {
    // Prepare
    const event = editableEvent("vpc-created-failed-call.json");
    event.detail.eventName = "DeleteVpc";

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request.kind).toBe("ignored");
  });

  it.each([
    ["default-vpc-created.json", null],
    ["default-vpc-created.json", { requestId: "5f2e8d1c-4b7a-4c9e-b3d6-2a1f0e9d8c7b" }],
    ["subnet-default-created.json", null],
  ])("%s with responseElements %j: falls back to the account-region's default VPC", (file, response) => {
    // Prepare
    const event = editableEvent(file);
    event.detail.responseElements = response;

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({ kind: "enforce", target: TARGET, scope: { kind: "default-vpc" } });
  });

  it("still rejects a CreateVpc event with responseElements null: only default resources can be looked up", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.detail.responseElements = null;

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^detail\.responseElements/)]);
  });

  it("accepts a response wrapped as CreateDefaultVpcResponse", () => {
    // Prepare
    const event = editableEvent("default-vpc-created.json");
    event.detail.responseElements = {
      CreateDefaultVpcResponse: {
        requestId: "r-1",
        vpc: { vpcId: "vpc-0f1e2d3c4b5a69788", isDefault: true },
      },
    };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "enforce",
      scope: {
        resources: [{ type: "VPC", id: "vpc-0f1e2d3c4b5a69788" }],
        withSubnetsOf: ["vpc-0f1e2d3c4b5a69788"],
        newlyCreated: true,
      },
    });
  });

  it("acts in the envelope's account and region when the detail agrees", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.account = "222222222222";
    event.region = "eu-west-1";
    event.detail.recipientAccountId = "222222222222";
    event.detail.awsRegion = "eu-west-1";

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({
      kind: "enforce",
      target: { accountId: "222222222222", region: "eu-west-1" },
    });
  });

  it("acts in the envelope's account and region when the detail does not name them", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    delete event.detail.recipientAccountId;
    delete event.detail.awsRegion;

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({ kind: "enforce", target: TARGET });
  });

  it("derives the partition from the region", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.region = "cn-north-1";
    event.detail.awsRegion = "cn-north-1";

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({ target: { region: "cn-north-1", partition: "aws-cn" } });
  });
});

describe("parseCloudTrailEvent: envelope and detail must agree", () => {
  it("refuses an event whose detail.recipientAccountId is not the envelope's account", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.detail.recipientAccountId = "999999999999";

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([
      "detail.recipientAccountId 999999999999 differs from the envelope's account 123456789012",
    ]);
  });

  it("refuses an event whose detail.awsRegion is not the envelope's region, and names both disagreements", () => {
    // Prepare
    const event = editableEvent("flow-log-deleted.json");
    event.detail.recipientAccountId = "222222222222";
    event.detail.awsRegion = "eu-west-1";

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([
      "detail.recipientAccountId 222222222222 differs from the envelope's account 123456789012",
      "detail.awsRegion eu-west-1 differs from the envelope's region us-east-1",
    ]);
  });
});

describe("parseCloudTrailEvent: malformed events", () => {
  it("rejects an event name it does not handle, naming it", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.detail.eventName = "DeleteVpc";

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^detail\.eventName: unsupported event DeleteVpc \(expected one of /),
    ]);
  });

  it("rejects a CreateVpc event without responseElements.vpc.vpcId, naming the path", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.detail.responseElements = { vpc: { state: "pending" } };

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["detail.responseElements.vpc.vpcId: required"]);
  });

  it("rejects a CreateSubnet event whose subnet ID is a VPC ID", () => {
    // Prepare
    const event = editableEvent("subnet-created.json");
    event.detail.responseElements = {
      subnet: { subnetId: "vpc-0a1b2c3d4e5f60718", vpcId: "vpc-0a1b2c3d4e5f60718" },
    };

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["detail.responseElements.subnet.subnetId: must be a subnet ID (subnet-…)"]);
  });

  it("rejects a bad account, naming the field", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.account = "12345";

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["account: must be a 12-digit account ID"]);
  });

  it("rejects a malformed detail.awsRegion, the region it would act in, naming the field", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.detail.awsRegion = "";

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual(["detail.awsRegion: must be a region name such as eu-west-1"]);
  });

  it("rejects an event from another source or of another detail-type, naming each field", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.source = "aws.s3";
    event["detail-type"] = "Object Created";

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^detail-type: /), expect.stringMatching(/^source: /)]);
  });

  it("rejects something that is not an event at all", () => {
    // Prepare
    const event = "CreateVpc";

    // Act
    const act = () => parseCloudTrailEvent(event);

    // Assess
    expect(act).toThrow(EventValidationError);
    expect(act).toThrow(/^malformed CloudTrail event: \(event\): /);
  });
});
