import { describe, expect, it } from "vitest";
import { OUTCOMES, type Outcome, type OutcomeKind } from "../../../src/engine/enforce.js";
import {
  defaultProductArn,
  FINDING_REFRESH_DAYS,
  FINDING_VERDICT,
  type FindingContext,
  type FindingState,
  findingId,
  planFindings,
} from "../../../src/reports/findings.js";
import { target } from "../support/builders.js";

const NOW = new Date("2026-06-01T12:00:00.000Z");
const DAY = 24 * 60 * 60 * 1000;
const HERE = target("111111111111", "eu-west-1");
const CONTEXT: FindingContext = { target: HERE, mode: "audit", trigger: "sweep", now: NOW };
const VPC = "vpc-0a1b2c3d4e5f60718";
const ID = findingId(HERE, VPC);

function outcome(kind: OutcomeKind, overrides: Partial<Outcome> = {}): Outcome {
  return {
    accountId: HERE.accountId,
    region: HERE.region,
    resourceType: "VPC",
    resourceId: VPC,
    outcome: kind,
    ...overrides,
  };
}

function existing(overrides: Partial<FindingState> = {}): Map<string, FindingState> {
  const state: FindingState = {
    id: ID,
    status: "FAILED",
    recordState: "ACTIVE",
    outcome: "would-create",
    createdAt: "2026-05-20T00:00:00.000Z",
    updatedAt: new Date(NOW.getTime() - DAY).toISOString(),
    ...overrides,
  };
  return new Map([[ID, state]]);
}

describe("Security Hub findings", () => {
  it("maps every outcome kind to FAILED (with a severity), PASSED or RETIRED", () => {
    expect(Object.keys(FINDING_VERDICT).sort()).toEqual([...OUTCOMES].sort());
    expect(
      Object.fromEntries(
        Object.entries(FINDING_VERDICT).map(([kind, v]) => [kind, "severity" in v ? v.severity : v.status]),
      ),
    ).toEqual({
      "would-create": "MEDIUM",
      "delivery-failing": "MEDIUM",
      unapproved: "HIGH",
      failed: "HIGH",
      created: "PASSED",
      compliant: "PASSED",
      exempt: "PASSED",
      "not-found": "RETIRED",
      ignored: "RETIRED",
    });
  });

  it("imports one FAILED finding with a stable Id, the resource's ARN and type, reason, rule and remediation", () => {
    // Prepare
    const uncovered = outcome("would-create", {
      rule: "prod",
      reason: "no ACTIVE flow log to arn:aws:s3:::central; found none; would create a VPC flow log",
      remedy: `VPC flow log on ${VPC} to arn:aws:s3:::central`,
    });

    // Act
    const plan = planFindings([uncovered], new Map(), CONTEXT);

    // Assess
    expect(plan.resolve).toEqual([]);
    expect(plan.imports).toHaveLength(1);
    const [finding] = plan.imports;
    expect(finding).toMatchObject({
      SchemaVersion: "2018-10-08",
      Id: `vpc-flow-log-enforcer/111111111111/eu-west-1/${VPC}`,
      ProductArn: "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default",
      GeneratorId: "vpc-flow-log-enforcer/flow-log-coverage",
      AwsAccountId: "111111111111",
      CreatedAt: NOW.toISOString(),
      UpdatedAt: NOW.toISOString(),
      Severity: { Label: "MEDIUM" },
      FindingProviderFields: { Severity: { Label: "MEDIUM" } },
      Compliance: { Status: "FAILED" },
      RecordState: "ACTIVE",
      Resources: [
        {
          Type: "AwsEc2Vpc",
          Id: `arn:aws:ec2:eu-west-1:111111111111:vpc/${VPC}`,
          Partition: "aws",
          Region: "eu-west-1",
        },
      ],
      ProductFields: {
        "vpc-flow-log-enforcer/outcome": "would-create",
        "vpc-flow-log-enforcer/rule": "prod",
        "vpc-flow-log-enforcer/mode": "audit",
        "vpc-flow-log-enforcer/trigger": "sweep",
      },
    });
    expect(finding?.Description).toContain('rule "prod"');
    expect(finding?.Description).toContain("no ACTIVE flow log to arn:aws:s3:::central");
    expect(finding?.Remediation?.Recommendation.Text).toContain(
      `VPC flow log on ${VPC} to arn:aws:s3:::central`,
    );
  });

  it("names subnets, interfaces, transit gateways and their attachments with their ASFF type and ARN", () => {
    // Prepare
    const outcomes = [
      outcome("failed", { resourceType: "Subnet", resourceId: "subnet-0a1b2c3d4e5f60719" }),
      outcome("failed", { resourceType: "NetworkInterface", resourceId: "eni-0a1b2c3d4e5f60719" }),
      outcome("failed", { resourceType: "TransitGateway", resourceId: "tgw-0a1b2c3d4e5f60711" }),
      outcome("failed", {
        resourceType: "TransitGatewayAttachment",
        resourceId: "tgw-attach-0a1b2c3d4e5f6071",
      }),
    ];

    // Act
    const { imports } = planFindings(outcomes, new Map(), CONTEXT);

    // Assess
    expect(imports.map((f) => [f.Resources[0]?.Type, f.Resources[0]?.Id, f.Severity.Label])).toEqual([
      ["AwsEc2Subnet", "arn:aws:ec2:eu-west-1:111111111111:subnet/subnet-0a1b2c3d4e5f60719", "HIGH"],
      [
        "AwsEc2NetworkInterface",
        "arn:aws:ec2:eu-west-1:111111111111:network-interface/eni-0a1b2c3d4e5f60719",
        "HIGH",
      ],
      [
        "AwsEc2TransitGateway",
        "arn:aws:ec2:eu-west-1:111111111111:transit-gateway/tgw-0a1b2c3d4e5f60711",
        "HIGH",
      ],
      [
        "Other",
        "arn:aws:ec2:eu-west-1:111111111111:transit-gateway-attachment/tgw-attach-0a1b2c3d4e5f6071",
        "HIGH",
      ],
    ]);
  });

  it("imports nothing when nothing changed state: the same failure again, or a resource that never failed", () => {
    // Act
    const again = planFindings([outcome("would-create")], existing(), CONTEXT);
    const neverFailed = planFindings(
      [outcome("compliant"), outcome("exempt", { resourceId: "vpc-0b" })],
      new Map(),
      CONTEXT,
    );

    // Assess
    expect(again).toEqual({ imports: [], resolve: [] });
    expect(neverFailed).toEqual({ imports: [], resolve: [] });
  });

  it("passes and resolves a failed finding once its resource is covered, keeping its CreatedAt", () => {
    // Act
    const plan = planFindings([outcome("created")], existing(), CONTEXT);

    // Assess
    expect(plan.resolve).toEqual([ID]);
    expect(plan.imports).toMatchObject([
      {
        Id: ID,
        Compliance: { Status: "PASSED" },
        RecordState: "ACTIVE",
        Severity: { Label: "INFORMATIONAL" },
        CreatedAt: "2026-05-20T00:00:00.000Z",
      },
    ]);
    expect(plan.imports[0]?.Remediation).toBeUndefined();
    expect(planFindings([outcome("created")], existing({ status: "PASSED" }), CONTEXT)).toEqual({
      imports: [],
      resolve: [],
    });
  });

  it("imports again when the outcome kind changes, a passed or archived finding fails again, or it grows stale", () => {
    const failedNow = (previous: Map<string, FindingState>) =>
      planFindings([outcome("failed")], previous, CONTEXT).imports.length;
    const staleAt = new Date(NOW.getTime() - FINDING_REFRESH_DAYS * DAY).toISOString();

    expect(failedNow(existing())).toBe(1);
    expect(failedNow(existing({ outcome: "failed", status: "PASSED" }))).toBe(1);
    expect(failedNow(existing({ outcome: "failed", recordState: "ARCHIVED" }))).toBe(1);
    expect(failedNow(existing({ outcome: "failed", updatedAt: staleAt }))).toBe(1);
    expect(failedNow(existing({ outcome: "failed" }))).toBe(0);
  });

  it("archives the finding of a resource that is gone or out of scope, and skips unreachable account-regions", () => {
    // Act
    const gone = planFindings([outcome("not-found")], existing(), CONTEXT);
    const unreachable = planFindings(
      [outcome("failed", { resourceType: "AccountRegion", resourceId: "111111111111/eu-west-1" })],
      new Map(),
      CONTEXT,
    );

    // Assess
    expect(gone.imports).toMatchObject([
      { Id: ID, RecordState: "ARCHIVED", Compliance: { Status: "FAILED" } },
    ]);
    expect(planFindings([outcome("ignored")], new Map(), CONTEXT).imports).toEqual([]);
    expect(unreachable.imports).toEqual([]);
  });

  it("builds the default product ARN in the account-region's partition", () => {
    expect(defaultProductArn(target("111111111111", "cn-north-1"))).toBe(
      "arn:aws-cn:securityhub:cn-north-1:111111111111:product/111111111111/default",
    );
  });
});
