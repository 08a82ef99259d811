import { describe, expect, it } from "vitest";
import type { Outcome, OutcomeKind } from "../../../src/engine/enforce.js";
import {
  evaluationOf,
  MAX_ANNOTATION_LENGTH,
  truncateAnnotation,
} from "../../../src/triggers/config-evaluations.js";
import { ACCOUNT, REGION, SUBNET_A1, VPC_A } from "../support/builders.js";

const AT = new Date("2026-11-20T09:14:52.318Z");

function outcome(kind: OutcomeKind, overrides: Partial<Outcome> = {}): Outcome {
  return {
    accountId: ACCOUNT,
    region: REGION,
    resourceType: "VPC",
    resourceId: VPC_A,
    outcome: kind,
    reason: `reason of ${kind}`,
    ...overrides,
  };
}

describe("evaluationOf", () => {
  it.each([
    ["compliant", "COMPLIANT"],
    ["created", "COMPLIANT"],
    ["would-create", "NON_COMPLIANT"],
    ["delivery-failing", "NON_COMPLIANT"],
    ["exempt", "NOT_APPLICABLE"],
    ["ignored", "NOT_APPLICABLE"],
    ["not-found", "NOT_APPLICABLE"],
  ] as const)("maps %s to %s, with the engine's reason as annotation", (kind, complianceType) => {
    // Prepare
    const input = outcome(kind);

    // Act
    const evaluation = evaluationOf(input, AT);

    // Assess
    expect(evaluation).toEqual({
      resourceType: "AWS::EC2::VPC",
      resourceId: VPC_A,
      complianceType,
      annotation: `reason of ${kind}`,
      orderingTimestamp: AT,
    });
  });

  it("names the exempting rule in the annotation of an exempt resource", () => {
    // Prepare
    const input = outcome("exempt", { rule: "sandboxes-exempt", reason: "exempt by rule sandboxes-exempt" });

    // Act
    const evaluation = evaluationOf(input, AT);

    // Assess
    expect(evaluation).toMatchObject({
      complianceType: "NOT_APPLICABLE",
      annotation: "exempt by rule sandboxes-exempt",
    });
  });

  it("gives a failed outcome no evaluation rather than a made-up verdict", () => {
    // Prepare
    const input = outcome("failed", { reason: "AccessDenied: not authorized" });

    // Act
    const evaluation = evaluationOf(input, AT);

    // Assess
    expect(evaluation).toBeUndefined();
  });

  it("sends subnets as AWS::EC2::Subnet and skips types outside the rule's scope", () => {
    // Prepare
    const subnet = outcome("compliant", { resourceType: "Subnet", resourceId: SUBNET_A1 });
    const eni = outcome("compliant", {
      resourceType: "NetworkInterface",
      resourceId: "eni-0a1b2c3d4e5f60718",
    });

    // Act
    const evaluations = [evaluationOf(subnet, AT), evaluationOf(eni, AT)];

    // Assess
    expect(evaluations).toEqual([expect.objectContaining({ resourceType: "AWS::EC2::Subnet" }), undefined]);
  });

  it("truncates a long reason to Config's 256-character limit", () => {
    // Prepare
    const reason = `no ACTIVE flow log to arn:aws:s3:::central-flow-logs/${"a".repeat(300)}/; found 1 to another destination`;

    // Act
    const evaluation = evaluationOf(outcome("would-create", { reason }), AT);

    // Assess
    expect(evaluation?.annotation).toHaveLength(MAX_ANNOTATION_LENGTH);
    expect(
      evaluation?.annotation?.startsWith("no ACTIVE flow log to arn:aws:s3:::central-flow-logs/aaa"),
    ).toBe(true);
    expect(evaluation?.annotation?.endsWith("a…")).toBe(true);
  });
});

describe("truncateAnnotation", () => {
  it("keeps a text of exactly 256 characters whole", () => {
    // Prepare
    const text = "x".repeat(MAX_ANNOTATION_LENGTH);

    // Act
    const annotation = truncateAnnotation(text);

    // Assess
    expect(annotation).toBe(text);
  });

  it("cuts a 257-character text to 255 characters and an ellipsis", () => {
    // Prepare
    const text = "x".repeat(MAX_ANNOTATION_LENGTH + 1);

    // Act
    const annotation = truncateAnnotation(text);

    // Assess
    expect(annotation).toBe(`${"x".repeat(MAX_ANNOTATION_LENGTH - 1)}…`);
  });

  it("counts characters, so it never splits a character outside the Basic Multilingual Plane", () => {
    // Prepare
    const text = "🪵".repeat(300);

    // Act
    const annotation = truncateAnnotation(text);

    // Assess
    expect([...annotation]).toHaveLength(MAX_ANNOTATION_LENGTH);
    expect(annotation).toBe(`${"🪵".repeat(MAX_ANNOTATION_LENGTH - 1)}…`);
  });
});
