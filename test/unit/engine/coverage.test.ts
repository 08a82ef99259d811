import { describe, expect, it } from "vitest";
import { ENFORCER_MARK, type ExistingFlowLog } from "../../../src/domain/flow-logs.js";
import type { ResourceRef, Tags } from "../../../src/domain/resources.js";
import { evaluateCoverage, type Verdict } from "../../../src/engine/coverage.js";
import type { Policy } from "../../../src/policy/schema.js";
import {
  ACCOUNT,
  CENTRAL_BUCKET,
  flowLog,
  placement,
  SUBNET_A1,
  TGW,
  VPC_A,
  vpcId,
} from "../support/builders.js";
import { policyFixture, policyWith } from "../support/fixtures.js";

const VPC: ResourceRef = { type: "VPC", id: VPC_A };
const SUBNET: ResourceRef = { type: "Subnet", id: SUBNET_A1, vpcId: vpcId(VPC_A) };
const LOG_GROUP_ARN = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/vpc-flow-logs/central`;
const CLOUDWATCH_BY_NAME = {
  type: "cloud-watch-logs",
  logGroupName: "/vpc-flow-logs/central",
  deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-delivery",
} as const;

/** The one verdict evaluateCoverage reaches for `target`. */
function verdictFor(
  policy: Policy,
  target: ResourceRef,
  flowLogs: readonly ExistingFlowLog[],
  tags: ReadonlyMap<string, Tags> = new Map(),
): Verdict {
  const verdict = evaluateCoverage(policy, [target], { placement: placement(), tags, flowLogs }).get(
    target.id,
  );
  if (verdict === undefined) throw new Error(`no verdict for ${target.id}`);
  return verdict;
}

describe("evaluateCoverage: compliance levels", () => {
  it("any: counts an ACTIVE flow log to any destination", () => {
    // Prepare
    const policy = policyWith({ compliance: "any" });
    const logs = [
      flowLog(VPC_A, { destinationType: "kinesis-data-firehose", logDestination: "arn:aws:firehose:x" }),
    ];

    // Act
    const verdict = verdictFor(policy, VPC, logs);

    // Assess
    expect(verdict).toEqual({
      kind: "compliant",
      flowLogIds: [logs[0]?.flowLogId],
      reason: "has a compliant flow log",
    });
  });

  it("any: does not count a flow log that is not ACTIVE", () => {
    // Prepare
    const policy = policyWith({ compliance: "any" });
    const logs = [flowLog(VPC_A, { status: "INACTIVE" })];

    // Act
    const verdict = verdictFor(policy, VPC, logs);

    // Assess
    expect(verdict).toMatchObject({ kind: "missing", reason: "no ACTIVE flow log; found 1 not ACTIVE" });
  });

  it("destination: does not count a flow log to another bucket, and says what is missing and what was found", () => {
    // Prepare
    const policy = policyWith({ compliance: "destination" });
    const logs = [flowLog(VPC_A, { logDestination: "arn:aws:s3:::somewhere-else" })];

    // Act
    const verdict = verdictFor(policy, VPC, logs);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      reason: `no ACTIVE flow log to ${CENTRAL_BUCKET}; found 1 to another destination`,
    });
  });

  it("destination: reports a flow log of another destination type by that type", () => {
    // Prepare
    const policy = policyWith({});
    const logs = [flowLog(VPC_A, { destinationType: "cloud-watch-logs", logGroupName: "x" })];

    // Act
    const verdict = verdictFor(policy, VPC, logs);

    // Assess
    expect(verdict).toMatchObject({
      reason: `no ACTIVE flow log to ${CENTRAL_BUCKET}; found 1 to another destination type (cloud-watch-logs)`,
    });
  });

  it("says it found none when the resource has no flow log at all", () => {
    // Prepare
    const policy = policyWith({});

    // Act
    const verdict = verdictFor(policy, VPC, []);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      reason: `no ACTIVE flow log to ${CENTRAL_BUCKET}; found none`,
    });
  });

  it("destination: ignores log format and interval, which exact compares", () => {
    // Prepare
    const logs = [flowLog(VPC_A, { logFormat: "${version} ${srcaddr}", maxAggregationInterval: 60 })];

    // Act
    const atDestination = verdictFor(policyWith({ compliance: "destination" }), VPC, logs);
    const atExact = verdictFor(policyWith({ compliance: "exact" }), VPC, logs);

    // Assess
    expect(atDestination.kind).toBe("compliant");
    expect(atExact).toMatchObject({
      kind: "missing",
      reason: expect.stringContaining("1 with another log format"),
    });
  });

  it("exact: compares the aggregation interval", () => {
    // Prepare
    const logs = [flowLog(VPC_A, { maxAggregationInterval: 60 })];

    // Act
    const verdict = verdictFor(policyWith({ compliance: "exact" }), VPC, logs);

    // Assess
    expect(verdict).toMatchObject({ reason: expect.stringContaining("1 with another aggregation interval") });
  });

  it("exact: treats a flow log without LogFormat as AWS's default format", () => {
    // Prepare
    const policy = policyWith({
      compliance: "exact",
      defaults: {
        destination: { type: "s3", arn: "arn:${Partition}:s3:::central-flow-logs/${AccountId}/" },
        logFormat:
          "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
      },
    });

    // Act
    const verdict = verdictFor(policy, VPC, [flowLog(VPC_A)]);

    // Assess
    expect(verdict.kind).toBe("compliant");
  });

  it("exact: compares destination options as DescribeFlowLogs reports them (real EC2 always returns them for S3)", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const exact = policyWith({ ...policy, compliance: "exact" });
    const parquetHourly = {
      fileFormat: "parquet",
      hiveCompatiblePartitions: true,
      perHourPartition: true,
    } as const;
    // What real EC2 returns for an S3 flow log created without DestinationOptions.
    const defaults = {
      fileFormat: "plain-text",
      hiveCompatiblePartitions: false,
      perHourPartition: false,
    } as const;
    const format = policy.defaults.logFormat;

    // Act
    const withOptions = verdictFor(exact, VPC, [
      flowLog(VPC_A, { logFormat: format, destinationOptions: parquetHourly }),
    ]);
    const plain = verdictFor(exact, VPC, [
      flowLog(VPC_A, { logFormat: format, destinationOptions: defaults }),
    ]);

    // Assess
    expect(withOptions.kind).toBe("compliant");
    expect(plain).toMatchObject({
      kind: "missing",
      reason: expect.stringContaining("1 with other destination options"),
    });
  });

  it("exact: a flow log whose DescribeFlowLogs entry has no DestinationOptions (moto) is not judged on them", () => {
    // Prepare: without the field the options are unknown; calling them "plain-text" made audit say would-create
    // where enforcement, refused with FlowLogAlreadyExists for the same destination, said compliant.
    const policy = policyFixture("issue-example.yaml");
    const exact = policyWith({ ...policy, compliance: "exact" });

    // Act
    const verdict = verdictFor(exact, VPC, [flowLog(VPC_A, { logFormat: policy.defaults.logFormat })]);

    // Assess
    expect(verdict.kind).toBe("compliant");
  });
});

describe("evaluateCoverage: delivery", () => {
  it("reports delivery-failing when DeliverLogsErrorMessage is set without DeliverLogsStatus", () => {
    // Prepare: the shape of a recorded DescribeFlowLogs entry (see test/fixtures/ec2).
    const policy = policyWith({});
    const log = flowLog(VPC_A, { deliverLogsErrorMessage: "Access error" });
    const { deliverLogsStatus: _omitted, ...withoutStatus } = log;

    // Act
    const verdict = verdictFor(policy, VPC, [withoutStatus]);

    // Assess
    expect(verdict).toEqual({
      kind: "delivery-failing",
      flowLogIds: [log.flowLogId],
      reason: "flow log delivery is failing: Access error",
    });
  });
});

describe("evaluateCoverage: shared VPCs (owned by another account)", () => {
  const OWNER = "999999999999";

  it("ignores a VPC another account owns, naming the owner, and plans no remedy", () => {
    // Prepare
    const policy = policyWith({});

    // Act
    const verdict = verdictFor(policy, { ...VPC, ownerId: OWNER }, []);

    // Assess
    expect(verdict).toEqual({
      kind: "ignored",
      reason: `owned by account ${OWNER}: shared with this account; only the owner can create or see its flow logs, so it is enforced there`,
    });
  });

  it("ignores a subnet another account owns, and one in a VPC another account owns", () => {
    // Prepare
    const policy = policyWith({});
    const owners = new Map([[VPC_A, OWNER]]);

    // Act
    const sharedSubnet = verdictFor(policy, { ...SUBNET, ownerId: OWNER }, []);
    const inSharedVpc = evaluateCoverage(policy, [{ ...SUBNET, ownerId: ACCOUNT }], {
      placement: placement(),
      tags: new Map(),
      owners,
      flowLogs: [],
    }).get(SUBNET_A1);

    // Assess
    expect(sharedSubnet).toMatchObject({
      kind: "ignored",
      reason: expect.stringContaining(`owned by account ${OWNER}`),
    });
    expect(inSharedVpc).toMatchObject({
      kind: "ignored",
      reason: expect.stringContaining(`in VPC ${VPC_A} owned by account ${OWNER}`),
    });
  });

  it("enforces a resource the account owns itself", () => {
    // Act
    const verdict = verdictFor(policyWith({}), { ...VPC, ownerId: ACCOUNT }, []);

    // Assess
    expect(verdict.kind).toBe("missing");
  });
});

describe("evaluateCoverage: unapproved and outdated flow logs", () => {
  const OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket";
  const APPROVED = "arn:aws:s3:::approved-archive";
  const withApproval = (overrides: Parameters<typeof policyWith>[0] = {}) =>
    policyWith({ approvedDestinations: ["arn:${Partition}:s3:::approved-*"], ...overrides });

  it("finds nothing unapproved when the policy lists no approvedDestinations", () => {
    // Act
    const verdict = verdictFor(policyWith({}), VPC, [
      flowLog(VPC_A),
      flowLog(VPC_A, { flowLogId: "fl-other", logDestination: OTHER_BUCKET }),
    ]);

    // Assess
    expect(verdict.findings).toBeUndefined();
  });

  it("approves the resolved destination and pattern matches, and names every other flow log", () => {
    // Act
    const verdict = verdictFor(withApproval(), VPC, [
      flowLog(VPC_A),
      flowLog(VPC_A, { flowLogId: "fl-archive", logDestination: APPROVED }),
      flowLog(VPC_A, { flowLogId: "fl-other", logDestination: OTHER_BUCKET }),
    ]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "compliant",
      findings: { unapproved: [{ flowLogId: "fl-other", destination: OTHER_BUCKET }], outdated: [] },
    });
  });

  it("names unapproved flow logs on exempt resources too (exempt: needs no flow log, not may log anywhere)", () => {
    // Prepare
    const policy = withApproval({ rules: [{ name: "all-exempt", exempt: true }] });

    // Act
    const verdict = verdictFor(policy, VPC, [
      flowLog(VPC_A, { flowLogId: "fl-other", logDestination: OTHER_BUCKET }),
    ]);

    // Assess
    expect(verdict).toMatchObject({ kind: "exempt", findings: { unapproved: [{ flowLogId: "fl-other" }] } });
  });

  it("compliance any: a flow log to an unapproved destination does not cover the resource", () => {
    // Act
    const verdict = verdictFor(withApproval({ compliance: "any" }), VPC, [
      flowLog(VPC_A, { flowLogId: "fl-other", logDestination: OTHER_BUCKET }),
    ]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      reason: "no ACTIVE flow log; found 1 to an unapproved destination",
      findings: { unapproved: [{ flowLogId: "fl-other" }] },
    });
  });

  it("replaceOutdated: names flow logs the enforcer created that no longer satisfy the policy, only those", () => {
    // Prepare
    const policy = policyWith({ replaceOutdated: true });
    const mark = { [ENFORCER_MARK.key]: ENFORCER_MARK.value };
    const logs = [
      flowLog(VPC_A, { flowLogId: "fl-old-ours", logDestination: OTHER_BUCKET, tags: mark }),
      flowLog(VPC_A, {
        flowLogId: "fl-old-theirs",
        logDestination: OTHER_BUCKET,
        tags: { ManagedBy: "team" },
      }),
      flowLog(VPC_A, { flowLogId: "fl-current-ours", tags: mark }),
    ];

    // Act
    const verdict = verdictFor(policy, VPC, logs);
    const notReplacing = verdictFor(policyWith({}), VPC, logs);

    // Assess
    expect(verdict).toMatchObject({
      kind: "compliant",
      flowLogIds: ["fl-current-ours"],
      findings: { unapproved: [], outdated: [{ flowLogId: "fl-old-ours", destination: OTHER_BUCKET }] },
    });
    expect(notReplacing.findings).toBeUndefined();
  });
});

describe("evaluateCoverage: destination normalization", () => {
  it.each([
    [
      "policy with trailing slash, flow log without",
      "arn:aws:s3:::central-flow-logs/${AccountId}/",
      CENTRAL_BUCKET.slice(0, -1),
    ],
    [
      "policy without trailing slash, flow log with",
      "arn:aws:s3:::central-flow-logs/${AccountId}",
      CENTRAL_BUCKET,
    ],
  ])(
    "treats an S3 prefix ARN with and without trailing slash as the same place (%s)",
    (_, wanted, actual) => {
      // Prepare
      const policy = policyWith({ defaults: { destination: { type: "s3", arn: wanted } } });

      // Act
      const verdict = verdictFor(policy, VPC, [flowLog(VPC_A, { logDestination: actual })]);

      // Assess
      expect(verdict.kind).toBe("compliant");
    },
  );

  it("tells S3 prefixes apart", () => {
    // Prepare
    const policy = policyWith({
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::flow-logs/prod/" } },
    });

    // Act
    const verdict = verdictFor(policy, VPC, [
      flowLog(VPC_A, { logDestination: "arn:aws:s3:::flow-logs/production/" }),
    ]);

    // Assess
    expect(verdict.kind).toBe("missing");
  });

  it.each([
    ["its ARN", { logDestination: LOG_GROUP_ARN }],
    ["its ARN with :*", { logDestination: `${LOG_GROUP_ARN}:*` }],
    ["an empty name and its ARN (moto)", { logGroupName: "", logDestination: LOG_GROUP_ARN }],
  ])("matches a policy's log group name with a flow log that names the group by %s", (_, destination) => {
    // Prepare
    const policy = policyWith({ defaults: { destination: CLOUDWATCH_BY_NAME } });
    const log = flowLog(VPC_A, {
      destinationType: "cloud-watch-logs",
      ...destination,
    });

    // Act
    const verdict = verdictFor(policy, VPC, [log]);

    // Assess
    expect(verdict.kind).toBe("compliant");
  });

  it("matches a policy's log group ARN (with :*) with a flow log that has only the group's name", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: {
          type: "cloud-watch-logs",
          arn: `${LOG_GROUP_ARN}:*`,
          deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-delivery",
        },
      },
    });
    const log = flowLog(VPC_A, {
      destinationType: "cloud-watch-logs",
      logDestination: undefined,
      logGroupName: "/vpc-flow-logs/central",
    });

    // Act
    const verdict = verdictFor(policy, VPC, [log]);

    // Assess
    expect(verdict.kind).toBe("compliant");
  });

  it("does not match another log group, and names the wanted group in the reason", () => {
    // Prepare
    const policy = policyWith({ defaults: { destination: CLOUDWATCH_BY_NAME } });
    const log = flowLog(VPC_A, {
      destinationType: "cloud-watch-logs",
      logDestination: undefined,
      logGroupName: "/vpc-flow-logs/central-old",
    });

    // Act
    const verdict = verdictFor(policy, VPC, [log]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      reason: "no ACTIVE flow log to log group /vpc-flow-logs/central; found 1 to another destination",
    });
  });
});

describe("evaluateCoverage: traffic type and delivery", () => {
  it("counts an ALL flow log for a policy that wants ACCEPT", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs/${AccountId}/" },
        trafficType: "ACCEPT",
      },
    });

    // Act
    const verdict = verdictFor(policy, VPC, [flowLog(VPC_A, { trafficType: "ALL" })]);

    // Assess
    expect(verdict.kind).toBe("compliant");
  });

  it("does not count an ACCEPT flow log for a policy that wants ALL", () => {
    // Prepare
    const policy = policyWith({});

    // Act
    const verdict = verdictFor(policy, VPC, [flowLog(VPC_A, { trafficType: "ACCEPT" })]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      reason: expect.stringContaining("1 with traffic type ACCEPT"),
    });
  });

  it("reports a matching flow log whose delivery FAILED as delivery-failing with AWS's message, not as missing", () => {
    // Prepare
    const policy = policyWith({});
    const logs = [flowLog(VPC_A, { deliverLogsStatus: "FAILED", deliverLogsErrorMessage: "Access error" })];

    // Act
    const verdict = verdictFor(policy, VPC, logs);

    // Assess
    expect(verdict).toEqual({
      kind: "delivery-failing",
      flowLogIds: [logs[0]?.flowLogId],
      reason: "flow log delivery is failing: Access error",
    });
  });

  it("is compliant when a delivering flow log sits next to a failing one", () => {
    // Prepare
    const policy = policyWith({});
    const logs = [
      flowLog(VPC_A, {
        flowLogId: "fl-failing",
        deliverLogsStatus: "FAILED",
        deliverLogsErrorMessage: "Access error",
      }),
      flowLog(VPC_A, { flowLogId: "fl-delivering" }),
    ];

    // Act
    const verdict = verdictFor(policy, VPC, logs);

    // Assess
    expect(verdict).toMatchObject({ kind: "compliant", flowLogIds: ["fl-delivering"] });
  });

  it("ignores a non-ACTIVE flow log even when it matches", () => {
    // Prepare
    const policy = policyWith({});

    // Act
    const verdict = verdictFor(policy, VPC, [flowLog(VPC_A, { status: "INACTIVE" })]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      reason: `no ACTIVE flow log to ${CENTRAL_BUCKET}; found 1 not ACTIVE`,
      remedy: { resourceType: "VPC", resourceId: VPC_A },
    });
  });
});

describe("evaluateCoverage: subnets", () => {
  it("subnetCoverage vpc: a compliant flow log on the VPC covers the subnet", () => {
    // Prepare
    const policy = policyWith({ subnetCoverage: "vpc" });
    const vpcLog = flowLog(VPC_A);

    // Act
    const verdict = verdictFor(policy, SUBNET, [vpcLog]);

    // Assess
    expect(verdict).toEqual({
      kind: "compliant",
      flowLogIds: [vpcLog.flowLogId],
      reason: `covered by its VPC ${VPC_A}`,
    });
  });

  it("subnetCoverage vpc: counts a VPC flow log that meets the VPC's own rule, not the subnet's", () => {
    // Prepare
    const policy = policyWith({
      rules: [
        {
          name: "vpcs-elsewhere",
          match: { resourceTypes: ["VPC"] },
          destination: { type: "s3", arn: "arn:aws:s3:::vpc-logs" },
        },
      ],
    });

    // Act
    const verdict = verdictFor(policy, SUBNET, [flowLog(VPC_A, { logDestination: "arn:aws:s3:::vpc-logs" })]);

    // Assess
    expect(verdict).toMatchObject({ kind: "compliant", reason: `covered by its VPC ${VPC_A}` });
  });

  it("remedies an uncovered subnet on its VPC when the VPC is in scope and not exempt", () => {
    // Prepare
    const policy = policyWith({});

    // Act
    const verdict = verdictFor(policy, SUBNET, []);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      remedy: { resourceType: "VPC", resourceId: VPC_A, settings: { resourceType: "VPC" } },
    });
  });

  it("remedies the subnet itself when its VPC is exempt by a rule that does not exempt the subnet", () => {
    // Prepare
    const policy = policyWith({
      rules: [{ name: "no-vpc-logs", match: { resourceTypes: ["VPC"] }, exempt: true }],
    });

    // Act
    const verdict = verdictFor(policy, SUBNET, []);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      remedy: { resourceType: "Subnet", resourceId: SUBNET_A1, settings: { resourceType: "Subnet" } },
    });
  });

  it("remedies the subnet itself when VPCs are not in the policy's resourceTypes", () => {
    // Prepare
    const policy = policyWith({ resourceTypes: ["Subnet"] });

    // Act
    const verdict = verdictFor(policy, SUBNET, []);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      remedy: { resourceType: "Subnet", resourceId: SUBNET_A1 },
    });
  });

  it("subnetCoverage own: wants the subnet's own flow log even when its VPC has a compliant one", () => {
    // Prepare
    const policy = policyWith({ subnetCoverage: "own" });

    // Act
    const verdict = verdictFor(policy, SUBNET, [flowLog(VPC_A)]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      remedy: { resourceType: "Subnet", resourceId: SUBNET_A1 },
    });
  });

  it("reports the VPC's failing delivery for an uncovered subnet instead of asking for another flow log", () => {
    // Prepare
    const policy = policyWith({});
    const vpcLog = flowLog(VPC_A, { deliverLogsStatus: "FAILED", deliverLogsErrorMessage: "Access error" });

    // Act
    const verdict = verdictFor(policy, SUBNET, [vpcLog]);

    // Assess
    expect(verdict).toMatchObject({
      kind: "delivery-failing",
      flowLogIds: [vpcLog.flowLogId],
      reason: "flow log delivery is failing: Access error",
    });
  });

  it("exempts a subnet whose VPC carries the exempting tag, from the snapshot's tags", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const tags = new Map<string, Tags>([[VPC_A, { "flow-logs": "disabled" }]]);

    // Act
    const verdict = verdictFor(policy, SUBNET, [], tags);

    // Assess
    expect(verdict).toEqual({ kind: "exempt", rule: "sandboxes-exempt" });
  });

  it("does not exempt a subnet that overrides its VPC's exempting tag", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const tags = new Map<string, Tags>([
      [VPC_A, { "flow-logs": "disabled" }],
      [SUBNET_A1, { "flow-logs": "required" }],
    ]);

    // Act
    const verdict = verdictFor(policy, SUBNET, [], tags);

    // Assess
    expect(verdict).toMatchObject({
      kind: "missing",
      remedy: { resourceType: "Subnet", resourceId: SUBNET_A1 },
    });
  });
});

describe("evaluateCoverage: verdicts that are not about flow logs", () => {
  it("turns a ${VpcId} placeholder on a transit gateway into a failed verdict for that resource only", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC", "TransitGateway"],
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs/${VpcId}/" } },
    });
    const targets: ResourceRef[] = [VPC, { type: "TransitGateway", id: TGW }];

    // Act
    const verdicts = evaluateCoverage(policy, targets, {
      placement: placement(),
      tags: new Map(),
      flowLogs: [],
    });

    // Assess
    expect(verdicts.get(TGW)).toEqual({
      kind: "failed",
      reason: "PlaceholderError: ${VpcId} has no value for this resource",
    });
    expect(verdicts.get(VPC_A)?.kind).toBe("missing");
  });

  it("ignores a resource type outside the policy's resourceTypes, with the reason", () => {
    // Prepare
    const policy = policyWith({});

    // Act
    const verdict = verdictFor(policy, { type: "TransitGateway", id: TGW }, []);

    // Assess
    expect(verdict).toEqual({
      kind: "ignored",
      reason: "resource type TransitGateway is not in the policy's resourceTypes",
    });
  });

  it("matches rules on tags the target carries when the snapshot has none for it", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");

    // Act
    const verdict = verdictFor(policy, { ...VPC, tags: { "flow-logs": "disabled" } }, []);

    // Assess
    expect(verdict).toEqual({ kind: "exempt", rule: "sandboxes-exempt" });
  });
});
