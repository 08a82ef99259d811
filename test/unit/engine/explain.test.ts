import { describe, expect, it } from "vitest";
import type { ResourceRef } from "../../../src/domain/resources.js";
import type { Verdict } from "../../../src/engine/coverage.js";
import { enforceCoverage, gatherFacts, type OutcomeKind } from "../../../src/engine/enforce.js";
import { explainCoverage } from "../../../src/engine/explain.js";
import { CENTRAL_BUCKET, flowLog, placement, SUBNET_A1, VPC_A, vpcId } from "../support/builders.js";
import { FakeFlowLogPort } from "../support/fake-flow-log-port.js";
import { policyFixture, policyWith } from "../support/fixtures.js";

/** What an audit run reports for each verdict the explanation can give. */
const AUDIT_OUTCOME: Record<Verdict["kind"], OutcomeKind> = {
  compliant: "compliant",
  "delivery-failing": "delivery-failing",
  missing: "would-create",
  exempt: "exempt",
  ignored: "ignored",
  failed: "failed",
};

type Scenario = [string, (ec2: FakeFlowLogPort) => void, ResourceRef, Verdict["kind"]];

const SUBNET: ResourceRef = { type: "Subnet", id: SUBNET_A1, vpcId: vpcId(VPC_A) };
const VPC: ResourceRef = { type: "VPC", id: VPC_A };

const SCENARIOS: Scenario[] = [
  ["a VPC without flow log", () => undefined, VPC, "missing"],
  ["a VPC with a compliant flow log", (ec2) => ec2.flowLogs.push(flowLog(VPC_A)), VPC, "compliant"],
  [
    "a VPC whose only flow log goes elsewhere",
    (ec2) => ec2.flowLogs.push(flowLog(VPC_A, { logDestination: "arn:aws:s3:::team-bucket" })),
    VPC,
    "missing",
  ],
  [
    "a VPC whose flow log cannot deliver",
    (ec2) =>
      ec2.flowLogs.push(
        flowLog(VPC_A, { deliverLogsStatus: "FAILED", deliverLogsErrorMessage: "Access error" }),
      ),
    VPC,
    "delivery-failing",
  ],
  ["a subnet covered by its VPC", (ec2) => ec2.flowLogs.push(flowLog(VPC_A)), SUBNET, "compliant"],
  [
    "a subnet exempt through its VPC's tag",
    (ec2) => ec2.tags.set(VPC_A, { "flow-logs": "disabled" }),
    SUBNET,
    "exempt",
  ],
];

describe("explainCoverage", () => {
  it.each(SCENARIOS)(
    "gives the verdict enforcement gives, from the same facts: %s",
    async (_name, seed, resource, kind) => {
      // Prepare: the example policy without its Parquet options and log format, which the builder's flow logs lack.
      const {
        logFormat: _format,
        destinationOptions: _options,
        ...defaults
      } = policyFixture("issue-example.yaml").defaults;
      const policy = policyWith({ ...policyFixture("issue-example.yaml"), defaults, compliance: "exact" });
      const where = placement();
      const scope = { kind: "resources", resources: [resource] } as const;
      const explainEc2 = new FakeFlowLogPort().seed(VPC, SUBNET);
      const enforceEc2 = new FakeFlowLogPort().seed(VPC, SUBNET);
      seed(explainEc2);
      seed(enforceEc2);

      // Act
      const facts = await gatherFacts(scope, { policy, ec2: explainEc2 });
      const explanation = explainCoverage(policy, where, facts, resource.id, "EC2");
      const report = await enforceCoverage(
        { placement: where, scope, idempotencySeed: "explain-test", mode: "audit" },
        { policy, ec2: enforceEc2 },
      );

      // Assess
      const [outcome] = report.outcomes;
      expect(explanation?.coverage?.kind).toBe(kind);
      expect(AUDIT_OUTCOME[explanation?.coverage?.kind ?? "failed"]).toBe(outcome?.outcome);
      if (
        explanation?.coverage !== undefined &&
        "reason" in explanation.coverage &&
        outcome?.outcome !== "would-create"
      )
        expect(outcome?.reason).toBe(explanation.coverage.reason);
      expect(explainEc2.calls).toEqual(enforceEc2.calls);
    },
  );

  it("traces the rules with the resource's effective tags, a subnet inheriting its VPC's", async () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const ec2 = new FakeFlowLogPort().seed(VPC, SUBNET);
    ec2.tags.set(VPC_A, { "flow-logs": "disabled" });

    // Act
    const facts = await gatherFacts({ kind: "resources", resources: [SUBNET] }, { policy, ec2 });
    const explanation = explainCoverage(policy, placement(), facts, SUBNET_A1, "EC2");

    // Assess
    expect(explanation?.resource.tags).toEqual({ "flow-logs": "disabled" });
    expect(explanation?.result).toEqual({ kind: "exempt", rule: "sandboxes-exempt" });
    expect(explanation?.coverage).toEqual({ kind: "exempt", rule: "sandboxes-exempt" });
  });

  it("shows the unapproved flow logs enforcement would report, from the same facts", async () => {
    // Prepare
    const policy = policyWith({ approvedDestinations: ["arn:${Partition}:s3:::archive-*"] });
    const ec2 = new FakeFlowLogPort().seed(VPC);
    ec2.flowLogs.push(
      flowLog(VPC_A),
      flowLog(VPC_A, { flowLogId: "fl-x", logDestination: "arn:aws:s3:::elsewhere" }),
    );

    // Act
    const facts = await gatherFacts({ kind: "resources", resources: [VPC] }, { policy, ec2 });
    const explanation = explainCoverage(policy, placement(), facts, VPC_A, "not needed");

    // Assess
    expect(explanation?.coverage?.findings).toEqual({
      unapproved: [{ flowLogId: "fl-x", destination: "arn:aws:s3:::elsewhere" }],
      outdated: [],
    });
  });

  it("says nothing about a resource the facts do not hold, nor about one EC2 does not show", async () => {
    // Prepare
    const policy = policyWith({});
    const ec2 = new FakeFlowLogPort().seed(VPC);
    const gone: ResourceRef = { type: "VPC", id: "vpc-0eeeeeeeeeeeeeeee" };

    // Act
    const facts = await gatherFacts({ kind: "resources", resources: [VPC, gone] }, { policy, ec2 });

    // Assess
    expect(facts.notFound).toEqual([gone]);
    expect(explainCoverage(policy, placement(), facts, gone.id, "not needed")).toBeUndefined();
    expect(
      explainCoverage(policy, placement(), facts, "vpc-0ffffffffffffffff", "not needed"),
    ).toBeUndefined();
    expect(explainCoverage(policy, placement(), facts, VPC_A, "not needed")?.coverage).toMatchObject({
      kind: "missing",
      remedy: { resourceId: VPC_A, settings: { destination: { arn: CENTRAL_BUCKET } } },
    });
  });
});
