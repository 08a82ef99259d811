import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ResourceRef } from "../../../src/domain/resources.js";
import { EvaluationFailedError, EventValidationError } from "../../../src/errors.js";
import { logger } from "../../../src/observability.js";
import { evaluateConfigRuleEvent } from "../../../src/use-cases/evaluate-config-rule.js";
import { flowLog, target, vpcId } from "../support/builders.js";
import { FakeConfigRulePorts, HOME, MEMBER } from "../support/fake-ports.js";
import { fixturePath, policyFixture, readEvent } from "../support/fixtures.js";

// The sample events name these resources.
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60719";
const CENTRAL = `arn:aws:s3:::central-flow-logs/${HOME}/`;

beforeAll(() => {
  // A periodic run logs one line per resource; thousands of them would bury the test output.
  logger.setLogLevel("SILENT");
});

/** What the handler wires at cold start, with the policy from a fixture, and EC2 without any resource. */
function emptyPorts(policy = "config-rule.yaml"): FakeConfigRulePorts {
  const fake = new FakeConfigRulePorts();
  fake.policy = policyFixture(policy);
  return fake;
}

/** The same, where the sample events' VPC and subnet exist (in the home and the member account). */
function ports(policy = "config-rule.yaml"): FakeConfigRulePorts {
  const fake = emptyPorts(policy);
  for (const account of [HOME, MEMBER])
    fake
      .ec2For(target(account))
      .seed({ type: "VPC", id: VPC }, { type: "Subnet", id: SUBNET, vpcId: vpcId(VPC) });
  return fake;
}

function event(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const sample = readEvent(name);
  if (typeof sample !== "object" || sample === null) throw new Error(`${name} is not an object`);
  return { ...sample, ...overrides };
}

/** The config-item-vpc-created.json sample, moved to the member account. */
function memberEvent(): Record<string, unknown> {
  const created = event("config-item-vpc-created.json");
  return {
    ...created,
    accountId: MEMBER,
    invokingEvent: String(created.invokingEvent).split(HOME).join(MEMBER),
  };
}

function sentEvaluations(fake: FakeConfigRulePorts) {
  return fake.sent
    .flatMap((sent) => sent.evaluations)
    .map((e) => ({ id: e.resourceId, type: e.complianceType, annotation: e.annotation }));
}

function ids(prefix: string, from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${(from + i).toString(16).padStart(17, "0")}`);
}

/** config-item-deleted.json, moved to `account`: NOT_APPLICABLE from the event alone. */
function deletedIn(account: string): Record<string, unknown> {
  const deleted = event("config-item-deleted.json");
  return {
    ...deleted,
    accountId: account,
    invokingEvent: String(deleted.invokingEvent).split(HOME).join(account),
  };
}

describe("evaluateConfigRuleEvent: the organization boundary", () => {
  const OUTSIDER = "999999999999";

  function organizationPorts(): FakeConfigRulePorts {
    const fake = ports();
    fake.accountBoundary = { kind: "organization", organizationId: fake.organization.organizationId };
    fake.organization.members.add(MEMBER);
    return fake;
  }

  it("neither reads nor sends evaluations for an item of an account outside the organization", async () => {
    // Prepare
    const fake = organizationPorts();
    const outsiderEvent = memberEvent();
    const item = String(outsiderEvent.invokingEvent).split(MEMBER).join(OUTSIDER);

    // Act
    const error = await evaluateConfigRuleEvent(
      { ...outsiderEvent, accountId: OUTSIDER, invokingEvent: item },
      fake,
    ).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(String(error)).toContain(`account ${OUTSIDER} is not an ACTIVE member of the organization`);
    expect(fake.reached).toEqual([]);
    expect(fake.sent).toEqual([]);
  });

  it("sends no NOT_APPLICABLE verdict to an account outside the organization either", async () => {
    // Prepare
    const fake = organizationPorts();

    // Act
    const error = await evaluateConfigRuleEvent(deletedIn(OUTSIDER), fake).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(fake.sent).toEqual([]);
    expect(fake.policyLoads).toEqual([]);
  });

  it("sends the NOT_APPLICABLE verdict of a member account there", async () => {
    // Prepare
    const fake = organizationPorts();

    // Act
    await evaluateConfigRuleEvent(deletedIn(MEMBER), fake);

    // Assess
    expect(fake.sent.map((sent) => sent.target)).toEqual([target(MEMBER)]);
    expect(fake.reached).toEqual([]);
  });

  it("reaches no other account at all when the deployment is not organization-wide", async () => {
    // Prepare
    const fake = ports();
    fake.accountBoundary = { kind: "home-account" };

    // Act
    const errors = await Promise.all(
      [memberEvent(), deletedIn(MEMBER)].map((e) =>
        evaluateConfigRuleEvent(e, fake).catch((caught: unknown) => caught),
      ),
    );

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(fake.reached).toEqual([]);
    expect(fake.sent).toEqual([]);
  });
});

describe("evaluateConfigRuleEvent: one configuration item", () => {
  it("reports a VPC without flow log NON_COMPLIANT, saying what is missing, and writes nothing under an enforce policy", async () => {
    // Prepare
    const fake = ports();

    // Act
    const report = await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), fake);

    // Assess
    expect(fake.sent).toEqual([
      {
        target: target(HOME),
        resultToken: "TESTMODE",
        evaluations: [
          {
            resourceType: "AWS::EC2::VPC",
            resourceId: VPC,
            complianceType: "NON_COMPLIANT",
            annotation: `no ACTIVE flow log to ${CENTRAL}; found none; would create a VPC flow log on ${VPC} to ${CENTRAL}`,
            orderingTimestamp: new Date("2026-11-20T09:14:52.318Z"),
          },
        ],
      },
    ]);
    expect(fake.ec2For(target(HOME)).callsOf("createFlowLogs")).toEqual([]);
    expect(report).toMatchObject({ testMode: true, putEvaluationsCalls: 1 });
  });

  it("reports COMPLIANT when a flow log goes to the policy's S3 prefix (with or without the trailing slash)", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).flowLogs.push(flowLog(VPC, { logDestination: CENTRAL.replace(/\/$/, "") }));

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), fake);

    // Assess
    expect(sentEvaluations(fake)).toEqual([
      { id: VPC, type: "COMPLIANT", annotation: "has a compliant flow log" },
    ]);
  });

  it("names a flow log to another destination in the NON_COMPLIANT annotation", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).flowLogs.push(flowLog(VPC, { logDestination: "arn:aws:s3:::team-bucket/" }));

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), fake);

    // Assess
    expect(sentEvaluations(fake)).toEqual([
      {
        id: VPC,
        type: "NON_COMPLIANT",
        annotation: expect.stringMatching(
          `^no ACTIVE flow log to ${CENTRAL}; found 1 to another destination; would create`,
        ),
      },
    ]);
  });

  it("reports a VPC exempted by its current tags NOT_APPLICABLE, naming the rule", async () => {
    // Prepare
    const fake = ports();
    fake.ec2For(target(HOME)).tags.set(VPC, { "flow-logs": "disabled" });

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), fake);

    // Assess
    expect(sentEvaluations(fake)).toEqual([
      { id: VPC, type: "NOT_APPLICABLE", annotation: "exempt by rule sandboxes-exempt" },
    ]);
  });

  it("reports a deleted VPC NOT_APPLICABLE without reaching EC2", async () => {
    // Prepare
    const fake = ports();

    // Act
    await evaluateConfigRuleEvent(event("config-item-deleted.json"), fake);

    // Assess
    expect(sentEvaluations(fake)).toEqual([
      { id: VPC, type: "NOT_APPLICABLE", annotation: "configuration item status is ResourceDeleted" },
    ]);
    expect(fake.reached).toEqual([]);
  });

  it("reads an oversized subnet's VPC from EC2 and finds it covered by the VPC's flow log", async () => {
    // Prepare
    const fake = ports();
    const ec2 = fake.ec2For(target(HOME));
    ec2.flowLogs.push(flowLog(VPC, { logDestination: CENTRAL }));

    // Act
    await evaluateConfigRuleEvent(event("config-item-oversized.json"), fake);

    // Assess
    // The subnet first (its VPC is unknown), then its VPC (whose tags it inherits) alongside the flow logs.
    expect(ec2.callsOf("describeResources")).toEqual([
      { method: "describeResources", ids: [SUBNET] },
      { method: "describeResources", ids: [VPC] },
    ]);
    expect(ec2.callsOf("describeFlowLogs")[0]?.resourceIds).toEqual([SUBNET, VPC]);
    expect(sentEvaluations(fake)).toEqual([
      { id: SUBNET, type: "COMPLIANT", annotation: `covered by its VPC ${VPC}` },
    ]);
  });

  it("reports an oversized item for a subnet that no longer exists NOT_APPLICABLE, like a deleted item", async () => {
    // Prepare
    const fake = emptyPorts();

    // Act
    await evaluateConfigRuleEvent(event("config-item-oversized.json"), fake);

    // Assess
    expect(sentEvaluations(fake)).toEqual([
      {
        id: SUBNET,
        type: "NOT_APPLICABLE",
        annotation: `Subnet ${SUBNET} does not exist in account ${HOME}, us-east-1`,
      },
    ]);
    expect(fake.ec2For(target(HOME)).callsOf("describeFlowLogs")).toEqual([]);
  });

  it("reports a VPC with a flow log to an unapproved destination NON_COMPLIANT, naming it in the annotation", async () => {
    // Prepare
    const fake = ports();
    fake.policy = {
      ...policyFixture("config-rule.yaml"),
      approvedDestinations: ["arn:${Partition}:s3:::archive-*"],
    };
    fake
      .ec2For(target(HOME))
      .flowLogs.push(
        flowLog(VPC, { logDestination: CENTRAL }),
        flowLog(VPC, { flowLogId: "fl-0000000000000bad1", logDestination: "arn:aws:s3:::exfiltration" }),
      );

    // Act
    await evaluateConfigRuleEvent(event("config-item-vpc-created.json"), fake);

    // Assess
    expect(sentEvaluations(fake)).toEqual([
      {
        id: VPC,
        type: "NON_COMPLIANT",
        annotation:
          "1 unapproved flow log: fl-0000000000000bad1 to arn:aws:s3:::exfiltration (reported); compliant: has a compliant flow log",
      },
    ]);
  });

  it("evaluates a member account's resource in that account, and sends its evaluations there", async () => {
    // Prepare
    const fake = ports();

    // Act
    const report = await evaluateConfigRuleEvent(memberEvent(), fake);

    // Assess
    expect(fake.reached).toEqual([target(MEMBER)]);
    expect(fake.sent.map((sent) => sent.target)).toEqual([target(MEMBER)]);
    expect(report).toMatchObject({ accountId: MEMBER, evaluations: [{ complianceType: "NON_COMPLIANT" }] });
  });

  it("sends no made-up verdict when the member role cannot be assumed, and fails naming the role", async () => {
    // Prepare
    const fake = ports();
    fake.unassumable.add(MEMBER);

    // Act
    const error = await evaluateConfigRuleEvent(memberEvent(), fake).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(String(error)).toContain(`cannot assume arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`);
    expect(fake.sent).toEqual([]);
  });

  it("evaluates despite a rule parameter it does not know, and logs the key it ignored", async () => {
    // Prepare: AWS's example events carry { "myParameterKey": "myParameterValue" }.
    const fake = ports();
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});

    // Act
    const report = await evaluateConfigRuleEvent(
      event("config-item-vpc-created.json", { ruleParameters: '{"myParameterKey":"myParameterValue"}' }),
      fake,
    );

    // Assess
    expect(report.evaluations).toEqual([
      expect.objectContaining({ resourceId: VPC, complianceType: "NON_COMPLIANT" }),
    ]);
    expect(warn).toHaveBeenCalledWith(
      "unknown rule parameters ignored",
      expect.objectContaining({ ignored: ["myParameterKey"], known: ["policySource", "mode"] }),
    );
    warn.mockRestore();
  });

  it("loads the policy named by the rule parameters instead of the deployment's", async () => {
    // Prepare
    const fake = ports("config-rule.yaml");
    const exemptAll = `file:${fixturePath("policies/exempt-all.yaml")}`;
    fake.policies.set(exemptAll, policyFixture("exempt-all.yaml"));
    const overridden = event("config-item-vpc-created.json", {
      ruleParameters: JSON.stringify({ policySource: exemptAll }),
    });

    // Act
    await evaluateConfigRuleEvent(overridden, fake);

    // Assess
    expect(fake.policyLoads).toEqual([{ kind: "file", path: fixturePath("policies/exempt-all.yaml") }]);
    expect(sentEvaluations(fake)).toEqual([
      { id: VPC, type: "NOT_APPLICABLE", annotation: "exempt by rule everything-exempt" },
    ]);
  });
});

describe("evaluateConfigRuleEvent: periodic runs", () => {
  it("evaluates every VPC and subnet of the account-region, audit only, and sends every evaluation at once", async () => {
    // Prepare
    const fake = emptyPorts();
    const ec2 = fake.ec2For(target(HOME));
    const vpcs = ids("vpc", 0, 1150);
    const subnets = ids("subnet", 0, 2);
    ec2.resources.push(
      ...vpcs.map((id): ResourceRef => ({ type: "VPC", id })),
      ...subnets.map((id): ResourceRef => ({ type: "Subnet", id, vpcId: vpcId(vpcs[1] ?? "") })),
    );
    ec2.tags.set(vpcs[1000] ?? "", { "flow-logs": "disabled" });
    ec2.flowLogs.push(
      flowLog(vpcs[0] ?? "", { logDestination: CENTRAL }),
      flowLog(vpcs[1] ?? "", { logDestination: CENTRAL }),
    );

    // Act
    const report = await evaluateConfigRuleEvent(event("config-periodic.json"), fake);

    // Assess
    expect(ec2.callsOf("listResources").map((call) => call.types)).toEqual([["VPC", "Subnet"]]);
    expect(ec2.callsOf("describeFlowLogs")).toEqual([{ method: "describeFlowLogs", resourceIds: "all" }]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(fake.sent).toHaveLength(1);
    expect(report.putEvaluationsCalls).toBe(12);
    const byId = new Map(sentEvaluations(fake).map((e) => [e.id, e]));
    expect(byId.size).toBe(1152);
    expect(byId.get(vpcs[0] ?? "")?.type).toBe("COMPLIANT");
    expect(byId.get(vpcs[2] ?? "")?.type).toBe("NON_COMPLIANT");
    expect(byId.get(vpcs[1000] ?? "")).toMatchObject({
      type: "NOT_APPLICABLE",
      annotation: "exempt by rule sandboxes-exempt",
    });
    expect(byId.get(subnets[0] ?? "")).toMatchObject({
      type: "COMPLIANT",
      annotation: `covered by its VPC ${vpcs[1]}`,
    });
    expect(
      fake.sent[0]?.evaluations.every(
        (e) => e.orderingTimestamp.toISOString() === "2026-11-22T00:00:04.557Z",
      ),
    ).toBe(true);
  });

  it("sends the evaluations it reached, then fails for the resources without a verdict", async () => {
    // Prepare: the subnet comes without its VPC, so the per-VPC destination cannot be resolved for it.
    const fake = emptyPorts("per-vpc-prefix.yaml");
    fake.ec2For(target(HOME)).resources.push({ type: "VPC", id: VPC }, { type: "Subnet", id: SUBNET });

    // Act
    const error = await evaluateConfigRuleEvent(event("config-periodic.json"), fake).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(EvaluationFailedError);
    expect(String(error)).toContain(`${SUBNET}: PlaceholderError: \${VpcId} has no value for this resource`);
    expect(sentEvaluations(fake)).toEqual([
      { id: VPC, type: "NON_COMPLIANT", annotation: expect.any(String) },
    ]);
  });
});

describe("evaluateConfigRuleEvent: malformed events", () => {
  it.each([
    ["bad invokingEvent JSON", { invokingEvent: "{not json" }, "invokingEvent: not valid JSON"],
    [
      "an unknown messageType",
      { invokingEvent: JSON.stringify({ messageType: "ComplianceChangeNotification" }) },
      'invokingEvent.messageType: unsupported "ComplianceChangeNotification"',
    ],
    ["a missing resultToken", { resultToken: undefined }, "resultToken: required"],
  ])("rejects %s by name and sends no evaluation and reaches no account", async (_case, change, problem) => {
    // Prepare
    const fake = ports();
    const malformed = event("config-item-vpc-created.json", change);

    // Act
    const error = await evaluateConfigRuleEvent(malformed, fake).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EventValidationError);
    expect(String(error)).toContain(`malformed Config rule event: ${problem}`);
    expect(fake.sent).toEqual([]);
    expect(fake.reached).toEqual([]);
  });
});
