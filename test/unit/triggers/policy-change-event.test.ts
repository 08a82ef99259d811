import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../../src/errors.js";
import { parsePolicyChangeEvent } from "../../../src/triggers/policy-change-event.js";
import { readEvent } from "../support/fixtures.js";

/** The sample with its detail replaced field by field. */
function withDetail(changes: Record<string, unknown>): Record<string, unknown> {
  const event = readEvent("policy-parameter-changed.json");
  if (typeof event !== "object" || event === null || !("detail" in event) || typeof event.detail !== "object")
    throw new Error("no detail");
  return { ...event, detail: { ...event.detail, ...changes } };
}

describe("parsePolicyChangeEvent", () => {
  it("names who changed which parameter, from where, and the version it created", () => {
    // Act
    const change = parsePolicyChangeEvent(readEvent("policy-parameter-changed.json"));

    // Assess
    expect(change).toEqual({
      eventId: "3f0c6a2e-8b1d-4c5e-9f7a-2b3c4d5e6f70",
      action: "PutParameter",
      parameters: ["/vpc-flow-log-enforcer/policy"],
      accountId: "123456789012",
      region: "us-east-1",
      changedBy: "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice",
      changedByRole: "arn:aws:iam::123456789012:role/PlatformAdmin",
      identityType: "AssumedRole",
      sourceIp: "203.0.113.10",
      userAgent: expect.stringMatching(/^aws-cli\//),
      eventTime: "2026-11-22T09:14:03Z",
      newVersion: 4,
    });
  });

  it("reads DeleteParameters' list of names, and a denied call's error", () => {
    // Act
    const change = parsePolicyChangeEvent(
      withDetail({
        eventName: "DeleteParameters",
        requestParameters: { names: ["/other", "/vpc-flow-log-enforcer/policy"] },
        responseElements: null,
        errorCode: "AccessDenied",
        errorMessage: "User is not authorized to perform: ssm:DeleteParameters",
      }),
    );

    // Assess
    expect(change).toMatchObject({
      action: "DeleteParameters",
      parameters: ["/other", "/vpc-flow-log-enforcer/policy"],
      errorCode: "AccessDenied",
    });
    expect(change).not.toHaveProperty("newVersion");
  });

  it("falls back to the principal ID when CloudTrail gives no ARN (an AWS service acting)", () => {
    // Act
    const change = parsePolicyChangeEvent(
      withDetail({ userIdentity: { type: "AWSService", invokedBy: "cloudformation.amazonaws.com" } }),
    );

    // Assess
    expect(change).toMatchObject({ changedBy: "AWSService", invokedBy: "cloudformation.amazonaws.com" });
  });

  it("rejects a call it does not audit, naming the field", () => {
    // Act
    const act = () => parsePolicyChangeEvent(withDetail({ eventName: "GetParameter" }));

    // Assess
    expect(act).toThrow(EventValidationError);
    expect(act).toThrow(/detail\.eventName/);
  });
});
