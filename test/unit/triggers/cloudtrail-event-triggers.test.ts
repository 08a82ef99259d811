// The CloudTrail events added for issue 12: transit gateways, their attachments, interfaces, tag changes; and the
// fields every request now carries for the queued event path (eventTime, change, concerns, tagKeys).
import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../../src/errors.js";
import {
  HANDLED_EVENT_NAMES,
  OPT_IN_EVENT_NAMES,
  parseCloudTrailEvent,
} from "../../../src/triggers/cloudtrail-event.js";
import { editableEvent, readEvent } from "../support/fixtures.js";

const TARGET = { accountId: "123456789012", region: "us-east-1", partition: "aws" };

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

describe("parseCloudTrailEvent: transit gateways and interfaces", () => {
  it("transit-gateway-created.json: the new transit gateway, newly created", () => {
    // Act
    const request = parseCloudTrailEvent(readEvent("transit-gateway-created.json"));

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
      eventName: "CreateTransitGateway",
      eventTime: "2025-11-22T08:15:02.000Z",
      change: "created",
      concerns: ["TransitGateway"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [{ type: "TransitGateway", id: "tgw-0a1b2c3d4e5f60720" }],
        newlyCreated: true,
      },
    });
  });

  it.each([
    [
      "transit-gateway-attachment-created.json",
      "CreateTransitGatewayVpcAttachment",
      "tgw-attach-0a1b2c3d4e5f60721",
    ],
    [
      "transit-gateway-peering-attachment-created.json",
      "CreateTransitGatewayPeeringAttachment",
      "tgw-attach-0a1b2c3d4e5f60722",
    ],
    ["transit-gateway-connect-created.json", "CreateTransitGatewayConnect", "tgw-attach-0a1b2c3d4e5f60723"],
  ])("%s: the new attachment (%s), newly created", (file, eventName, attachmentId) => {
    // Act
    const request = parseCloudTrailEvent(readEvent(file));

    // Assess
    expect(request).toMatchObject({
      kind: "enforce",
      eventName,
      change: "created",
      concerns: ["TransitGatewayAttachment"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [{ type: "TransitGatewayAttachment", id: attachmentId }],
        newlyCreated: true,
      },
    });
  });

  it("network-interface-created.json: the new interface with its VPC, newly created", () => {
    // Act
    const request = parseCloudTrailEvent(readEvent("network-interface-created.json"));

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
      eventName: "CreateNetworkInterface",
      eventTime: "2025-11-22T09:05:47.000Z",
      change: "created",
      concerns: ["NetworkInterface"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [
          { type: "NetworkInterface", id: "eni-0a1b2c3d4e5f60724", vpcId: "vpc-0a1b2c3d4e5f60718" },
        ],
        newlyCreated: true,
      },
    });
  });

  it("accepts an interface record without vpcId (the engine reads it from EC2) and a wrapped response", () => {
    // Prepare
    const event = editableEvent("network-interface-created.json");
    event.detail.responseElements = {
      CreateNetworkInterfaceResponse: { networkInterface: { networkInterfaceId: "eni-0123456789abcdef0" } },
    };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({
      scope: { resources: [{ type: "NetworkInterface", id: "eni-0123456789abcdef0" }] },
    });
    expect(
      request.kind === "enforce" && request.scope.kind === "resources" && request.scope.resources[0],
    ).not.toHaveProperty("vpcId");
  });

  it("reads a transit gateway from an unwrapped response too", () => {
    // Prepare
    const event = editableEvent("transit-gateway-created.json");
    event.detail.responseElements = { transitGateway: { transitGatewayId: "tgw-0123456789abcdef0" } };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({
      scope: { resources: [{ type: "TransitGateway", id: "tgw-0123456789abcdef0" }] },
    });
  });
});

describe("parseCloudTrailEvent: tag changes", () => {
  it("tags-created.json: the VPC with its subnets, not newly created, the changed key, the instance ignored", () => {
    // Act
    const request = parseCloudTrailEvent(readEvent("tags-created.json"));

    // Assess
    expect(request).toEqual({
      kind: "enforce",
      eventId: "2d3e4f5a-6b7c-4d8e-9f9a-0b1c2d3e4f5a",
      eventName: "CreateTags",
      eventTime: "2025-11-22T09:20:05.000Z",
      change: "tags-changed",
      tagKeys: ["flow-logs"],
      concerns: ["VPC", "Subnet"],
      target: TARGET,
      scope: {
        kind: "resources",
        resources: [{ type: "VPC", id: "vpc-0a1b2c3d4e5f60718" }],
        withSubnetsOf: ["vpc-0a1b2c3d4e5f60718"],
      },
    });
  });

  it("tags-deleted.json: the removed key; no tag values are taken from the event", () => {
    // Act
    const request = parseCloudTrailEvent(readEvent("tags-deleted.json"));

    // Assess
    expect(request).toMatchObject({
      eventName: "DeleteTags",
      change: "tags-changed",
      tagKeys: ["flow-logs"],
    });
    expect(
      request.kind === "enforce" && request.scope.kind === "resources" && request.scope.resources[0],
    ).not.toHaveProperty("tags");
  });

  it("subnets only: concerns only subnets and lists no subnets of any VPC; duplicate IDs and keys count once", () => {
    // Prepare
    const event = editableEvent("tags-created.json");
    event.detail.requestParameters = {
      resourcesSet: {
        items: [
          { resourceId: "subnet-0a1b2c3d4e5f60719" },
          { resourceId: "subnet-0a1b2c3d4e5f60719" },
          { resourceId: "subnet-0123456789abcdef0" },
        ],
      },
      tagSet: {
        items: [
          { key: "env", value: "prod" },
          { key: "env", value: "dev" },
          { key: "team", value: "" },
        ],
      },
    };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({
      change: "tags-changed",
      tagKeys: ["env", "team"],
      concerns: ["Subnet"],
      scope: {
        kind: "resources",
        resources: [
          { type: "Subnet", id: "subnet-0a1b2c3d4e5f60719" },
          { type: "Subnet", id: "subnet-0123456789abcdef0" },
        ],
      },
    });
    expect(request).not.toHaveProperty("scope.withSubnetsOf");
  });

  it.each([
    ["no tagSet", undefined],
    ["an empty tagSet", {}],
  ])("DeleteTags with %s deleted every tag: tagKeys is all", (_case, tagSet) => {
    // Prepare
    const event = editableEvent("tags-deleted.json");
    event.detail.requestParameters = {
      resourcesSet: { items: [{ resourceId: "vpc-0a1b2c3d4e5f60718" }] },
      ...(tagSet === undefined ? {} : { tagSet }),
    };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({ kind: "enforce", change: "tags-changed", tagKeys: "all" });
  });

  it("ignores a tag change that names no VPC or subnet, naming what it named", () => {
    // Prepare
    const event = editableEvent("tags-created.json");
    event.detail.requestParameters = {
      resourcesSet: {
        items: [{ resourceId: "i-0a1b2c3d4e5f60727" }, { resourceId: "sg-0a1b2c3d4e5f60726" }],
      },
      tagSet: { items: [{ key: "flow-logs", value: "disabled" }] },
    };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toEqual({
      kind: "ignored",
      eventId: "2d3e4f5a-6b7c-4d8e-9f9a-0b1c2d3e4f5a",
      eventName: "CreateTags",
      eventTime: "2025-11-22T09:20:05.000Z",
      reason: "CreateTags named no VPC or subnet (i-0a1b2c3d4e5f60727, sg-0a1b2c3d4e5f60726)",
    });
  });

  it("ignores a CreateTags that names no tag", () => {
    // Prepare
    const event = editableEvent("tags-created.json");
    event.detail.requestParameters = { resourcesSet: { items: [{ resourceId: "vpc-0a1b2c3d4e5f60718" }] } };

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).toMatchObject({ kind: "ignored", reason: "CreateTags named no tag" });
  });
});

describe("parseCloudTrailEvent: eventTime", () => {
  it("normalizes detail.eventTime to toISOString, so times compare as strings", () => {
    // Prepare
    const event = editableEvent("vpc-created.json");
    event.detail.eventTime = "2025-11-20T14:03:27.5Z";

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request.eventTime).toBe("2025-11-20T14:03:27.500Z");
  });

  it("leaves eventTime out when the record has none", () => {
    // Prepare
    const event = editableEvent("flow-log-deleted.json");
    delete event.detail.eventTime;

    // Act
    const request = parseCloudTrailEvent(event);

    // Assess
    expect(request).not.toHaveProperty("eventTime");
  });

  it.each(["yesterday", "2025-11-20 14:03:27", "2025-11-20T14:03:27+02:00", 1732111407])(
    "rejects detail.eventTime %j, naming the field",
    (eventTime) => {
      // Prepare
      const event = editableEvent("vpc-created.json");
      event.detail.eventTime = eventTime;

      // Act
      const problems = problemsOf(event);

      // Assess
      expect(problems).toEqual([expect.stringMatching(/^detail\.eventTime: /)]);
    },
  );
});

describe("parseCloudTrailEvent: malformed records of the new events, one line naming the field", () => {
  it.each([
    [
      "transit-gateway-created.json",
      {
        CreateTransitGatewayResponse: {
          transitGateway: { transitGatewayId: "tgw-attach-0a1b2c3d4e5f60721" },
        },
      },
      "detail.responseElements.transitGateway.transitGatewayId: must be a TransitGateway ID (tgw-…)",
    ],
    [
      "transit-gateway-created.json",
      { CreateTransitGatewayResponse: { requestId: "r-1" } },
      "detail.responseElements.transitGateway: required",
    ],
    [
      "transit-gateway-attachment-created.json",
      {
        CreateTransitGatewayVpcAttachmentResponse: {
          transitGatewayVpcAttachment: { transitGatewayId: "tgw-0a1b2c3d4e5f60720" },
        },
      },
      "detail.responseElements.transitGatewayVpcAttachment.transitGatewayAttachmentId: required",
    ],
    [
      "transit-gateway-connect-created.json",
      // The Connect attachment's own ID, not its transport's, is what gets the flow log: without it, nothing.
      {
        CreateTransitGatewayConnectResponse: {
          transitGatewayConnect: { transportTransitGatewayAttachmentId: "tgw-attach-0a1b2c3d4e5f60721" },
        },
      },
      "detail.responseElements.transitGatewayConnect.transitGatewayAttachmentId: required",
    ],
    [
      "transit-gateway-peering-attachment-created.json",
      {
        CreateTransitGatewayPeeringAttachmentResponse: {
          transitGatewayPeeringAttachment: { transitGatewayAttachmentId: "tgw-0a1b2c3d4e5f60720" },
        },
      },
      "detail.responseElements.transitGatewayPeeringAttachment.transitGatewayAttachmentId: must be a TransitGatewayAttachment ID (tgw-attach-…)",
    ],
    [
      "network-interface-created.json",
      {
        networkInterface: { networkInterfaceId: "eni-0a1b2c3d4e5f60724", vpcId: "subnet-0a1b2c3d4e5f60719" },
      },
      "detail.responseElements.networkInterface.vpcId: must be a VPC ID (vpc-…)",
    ],
    [
      "network-interface-created.json",
      null,
      "detail.responseElements: Invalid input: expected object, received null",
    ],
  ])("%s with responseElements %j", (file, responseElements, problem) => {
    // Prepare
    const event = editableEvent(file);
    event.detail.responseElements = responseElements;

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([problem]);
  });

  it.each([
    [{ tagSet: { items: [{ key: "env" }] } }, "detail.requestParameters.resourcesSet: required"],
    [
      { resourcesSet: { items: [] } },
      expect.stringMatching(/^detail\.requestParameters\.resourcesSet\.items: /),
    ],
    [
      { resourcesSet: { items: [{ resourceId: 7 }] } },
      expect.stringMatching(/^detail\.requestParameters\.resourcesSet\.items\.0\.resourceId: /),
    ],
    [
      {
        resourcesSet: { items: [{ resourceId: "vpc-0a1b2c3d4e5f60718" }] },
        tagSet: { items: [{ value: "x" }] },
      },
      "detail.requestParameters.tagSet.items.0.key: required",
    ],
  ])("a tag change with requestParameters %j", (requestParameters, problem) => {
    // Prepare
    const event = editableEvent("tags-deleted.json");
    event.detail.requestParameters = requestParameters;

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([problem]);
  });

  it("a tag change without requestParameters", () => {
    // Prepare
    const event = editableEvent("tags-created.json");
    event.detail.requestParameters = null;

    // Act
    const problems = problemsOf(event);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^detail\.requestParameters: /)]);
  });
});

describe("HANDLED_EVENT_NAMES and OPT_IN_EVENT_NAMES", () => {
  it("every handled event has a sample in events/ that parses to it", () => {
    // Prepare
    const samples = [
      "vpc-created.json",
      "default-vpc-created.json",
      "subnet-created.json",
      "subnet-default-created.json",
      "flow-log-deleted.json",
      "transit-gateway-created.json",
      "transit-gateway-attachment-created.json",
      "transit-gateway-peering-attachment-created.json",
      "transit-gateway-connect-created.json",
      "network-interface-created.json",
      "tags-created.json",
      "tags-deleted.json",
    ];

    // Act
    const names = samples.map((file) => parseCloudTrailEvent(readEvent(file)).eventName);

    // Assess
    expect(names.toSorted()).toEqual([...HANDLED_EVENT_NAMES].toSorted());
  });

  it("only interface creation is opt-in", () => {
    expect(OPT_IN_EVENT_NAMES).toEqual(["CreateNetworkInterface"]);
  });
});
