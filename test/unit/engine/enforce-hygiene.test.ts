// The engine beyond adding flow logs: resources a creation event names that EC2 does not show yet, shared VPCs,
// unapproved destinations (report, delete, audit) and replacing the outdated flow logs the enforcer created.
import { describe, expect, it } from "vitest";
import { ENFORCER_MARK, type ExistingFlowLog } from "../../../src/domain/flow-logs.js";
import type { ResourceRef } from "../../../src/domain/resources.js";
import { type EnforcementRequest, enforceCoverage } from "../../../src/engine/enforce.js";
import type { Policy } from "../../../src/policy/schema.js";
import {
  ACCOUNT,
  CENTRAL_BUCKET,
  flowLog,
  placement,
  SUBNET_A1,
  VPC_A,
  VPC_B,
  vpcId,
} from "../support/builders.js";
import { FakeClock, FakeFlowLogPort } from "../support/fake-flow-log-port.js";
import { policyWith } from "../support/fixtures.js";

const SEED = "0b8f4d2e-7c1a-4e3b-9f6d-5a4b3c2d1e0f";
const OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket";
const OLD_BUCKET = "arn:aws:s3:::central-flow-logs-v1";
const MARK = { [ENFORCER_MARK.key]: ENFORCER_MARK.value };
const VPC: ResourceRef = { type: "VPC", id: VPC_A };

function request(resources: ResourceRef[], extra: Partial<EnforcementRequest> = {}): EnforcementRequest {
  return { placement: placement(), scope: { kind: "resources", resources }, idempotencySeed: SEED, ...extra };
}

function created(resources: ResourceRef[]): EnforcementRequest {
  return { ...request(resources), scope: { kind: "resources", resources, newlyCreated: true } };
}

function ec2With(...resources: ResourceRef[]): FakeFlowLogPort {
  return new FakeFlowLogPort().seed(...resources);
}

/** The policy with approvedDestinations (the central bucket is the resolved destination; archive-* is approved). */
function approving(overrides: Partial<Parameters<typeof policyWith>[0]> = {}): Policy {
  return policyWith({ approvedDestinations: ["arn:${Partition}:s3:::archive-*"], ...overrides });
}

const unapprovedLog = (resourceId = VPC_A): ExistingFlowLog =>
  flowLog(resourceId, { flowLogId: "fl-0000000000000bad1", logDestination: OTHER_BUCKET });

describe("resources a creation event names that EC2 does not show yet", () => {
  it("reads them again with backoff and creates the flow log once EC2 shows them", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.invisibleFor.set(VPC_A, 2);
    const clock = new FakeClock();

    // Act
    const { outcomes } = await enforceCoverage(created([VPC]), { policy: policyWith({}), ec2, clock });

    // Assess
    expect(ec2.callsOf("describeResources")).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 1_000]);
    expect(ec2.callsOf("createFlowLogs")).toMatchObject([{ resourceIds: [VPC_A] }]);
    expect(outcomes).toMatchObject([{ resourceId: VPC_A, outcome: "created" }]);
  });

  it("reads the flow logs again when the resource appeared late, so one created meanwhile is seen", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.invisibleFor.set(VPC_A, 1);
    const clock = new FakeClock();
    // Someone (a CloudFormation stack, say) created a compliant flow log while the VPC was not visible.
    const original = ec2.describeResources.bind(ec2);
    ec2.describeResources = async (ids) => {
      const seen = await original(ids);
      if (seen.length > 0 && ec2.flowLogs.length === 0) ec2.flowLogs.push(flowLog(VPC_A));
      return seen;
    };

    // Act
    const { outcomes } = await enforceCoverage(created([VPC]), { policy: policyWith({}), ec2, clock });

    // Assess
    expect(ec2.callsOf("describeFlowLogs")).toHaveLength(2);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([{ outcome: "compliant" }]);
  });

  it("gives up after about 20 s in all, with a bounded number of reads, and reports not-found", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.invisibleFor.set(VPC_A, 1_000);
    const clock = new FakeClock();

    // Act
    const { outcomes } = await enforceCoverage(created([VPC]), { policy: policyWith({}), ec2, clock });

    // Assess
    const waited = clock.sleeps.reduce((sum, sleep) => sum + sleep, 0);
    expect(waited).toBe(20_000);
    expect(clock.sleeps).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 2_500]);
    expect(ec2.callsOf("describeResources").length).toBeLessThanOrEqual(9);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([
      {
        resourceId: VPC_A,
        outcome: "not-found",
        reason: expect.stringContaining("did not show it while the enforcer waited"),
      },
    ]);
  });

  it("honours a shorter wait", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.invisibleFor.set(VPC_A, 1_000);
    const clock = new FakeClock();

    // Act
    await enforceCoverage(created([VPC]), { policy: policyWith({}), ec2, clock, newResourceWaitMs: 1_200 });

    // Assess
    expect(clock.sleeps).toEqual([500, 700]);
  });

  it("does not wait for resources named by anything but a creation event (a Config item, a remediation)", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.invisibleFor.set(VPC_A, 1);
    const clock = new FakeClock();

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), { policy: policyWith({}), ec2, clock });

    // Assess
    expect(clock.sleeps).toEqual([]);
    expect(outcomes).toMatchObject([{ outcome: "not-found" }]);
  });
});

describe("shared VPCs", () => {
  it("reports a VPC owned by another account ignored, naming the owner, and never writes to it", async () => {
    // Prepare
    const owner = "999999999999";
    const ec2 = ec2With({ ...VPC, ownerId: owner }, { type: "VPC", id: VPC_B, ownerId: ACCOUNT });

    // Act
    const { outcomes } = await enforceCoverage(
      { placement: placement(), scope: { kind: "account-region" }, idempotencySeed: SEED },
      { policy: policyWith({}), ec2 },
    );

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toMatchObject([{ resourceIds: [VPC_B] }]);
    expect(outcomes).toMatchObject([
      { resourceId: VPC_A, outcome: "ignored", reason: expect.stringContaining(`owned by account ${owner}`) },
      { resourceId: VPC_B, outcome: "created" },
    ]);
  });
});

describe("unapproved flow logs", () => {
  it("report: the outcome is unapproved, names the flow log and its destination, and nothing is deleted", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(flowLog(VPC_A), unapprovedLog());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), { policy: approving(), ec2 });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
    expect(outcomes).toEqual([
      expect.objectContaining({
        outcome: "unapproved",
        flowLogIds: [flowLog(VPC_A).flowLogId],
        unapprovedFlowLogs: [
          { flowLogId: "fl-0000000000000bad1", destination: OTHER_BUCKET, action: "reported" },
        ],
        reason: `1 unapproved flow log: fl-0000000000000bad1 to ${OTHER_BUCKET} (reported); compliant: has a compliant flow log`,
      }),
    ]);
  });

  it("approves the policy's own destination and approvedDestinations patterns (no unapproved outcome)", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(
      flowLog(VPC_A),
      flowLog(VPC_A, { flowLogId: "fl-archive", logDestination: "arn:aws:s3:::archive-eu" }),
    );

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), { policy: approving(), ec2 });

    // Assess
    expect(outcomes).toEqual([expect.not.objectContaining({ unapprovedFlowLogs: expect.anything() })]);
    expect(outcomes).toMatchObject([{ outcome: "compliant" }]);
  });

  it("delete, enforce mode: deletes it in one batched call and keeps the compliant flow log", async () => {
    // Prepare
    const ec2 = ec2With(VPC, { type: "VPC", id: VPC_B });
    ec2.flowLogs.push(
      flowLog(VPC_A),
      unapprovedLog(VPC_A),
      flowLog(VPC_B),
      flowLog(VPC_B, { flowLogId: "fl-0000000000000bad2", logDestination: OTHER_BUCKET }),
    );

    // Act
    const { outcomes } = await enforceCoverage(request([VPC, { type: "VPC", id: VPC_B }]), {
      policy: approving({ unapprovedFlowLogs: "delete" }),
      ec2,
    });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([
      { method: "deleteFlowLogs", flowLogIds: ["fl-0000000000000bad1", "fl-0000000000000bad2"] },
    ]);
    expect(ec2.flowLogs.map((log) => log.flowLogId)).toEqual([
      flowLog(VPC_A).flowLogId,
      flowLog(VPC_B).flowLogId,
    ]);
    expect(outcomes[0]).toMatchObject({
      outcome: "compliant",
      unapprovedFlowLogs: [
        { flowLogId: "fl-0000000000000bad1", destination: OTHER_BUCKET, action: "deleted" },
      ],
      reason: `has a compliant flow log; deleted unapproved fl-0000000000000bad1 (to ${OTHER_BUCKET})`,
    });
  });

  it("delete, audit mode: reports would-delete and deletes nothing", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(flowLog(VPC_A), unapprovedLog());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC], { mode: "audit" }), {
      policy: approving({ unapprovedFlowLogs: "delete" }),
      ec2,
    });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([
      { outcome: "unapproved", unapprovedFlowLogs: [{ action: "would-delete" }] },
    ]);
  });

  it("delete: creates the compliant flow log first, sees it in DescribeFlowLogs, then deletes", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(unapprovedLog());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), {
      policy: approving({ unapprovedFlowLogs: "delete" }),
      ec2,
      clock: new FakeClock(),
    });

    // Assess
    expect(ec2.calls.map((call) => call.method)).toEqual([
      "describeResources",
      "describeFlowLogs",
      "createFlowLogs",
      "describeFlowLogs",
      "deleteFlowLogs",
    ]);
    expect(ec2.flowLogs).toMatchObject([{ resourceId: VPC_A, logDestination: CENTRAL_BUCKET }]);
    expect(outcomes).toMatchObject([
      { outcome: "created", unapprovedFlowLogs: [{ flowLogId: "fl-0000000000000bad1", action: "deleted" }] },
    ]);
  });

  it("delete: keeps it while DescribeFlowLogs does not show the new flow log, after a few bounded re-reads", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(unapprovedLog());
    const clock = new FakeClock();
    const original = ec2.describeFlowLogs.bind(ec2);
    ec2.describeFlowLogs = async (ids) =>
      (await original(ids)).filter((log) => log.logDestination !== CENTRAL_BUCKET);

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), {
      policy: approving({ unapprovedFlowLogs: "delete" }),
      ec2,
      clock,
    });

    // Assess
    expect(clock.sleeps).toEqual([500, 1_000, 2_000]);
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([
      {
        outcome: "unapproved",
        unapprovedFlowLogs: [
          {
            action: "reported",
            reason: "kept: no compliant flow log covering the resource is seen in DescribeFlowLogs yet",
          },
        ],
      },
    ]);
  });

  it("delete: keeps it while the flow log to the policy's destination fails to deliver", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(flowLog(VPC_A, { deliverLogsErrorMessage: "Access error" }), unapprovedLog());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), {
      policy: approving({ unapprovedFlowLogs: "delete" }),
      ec2,
    });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([
      {
        outcome: "unapproved",
        unapprovedFlowLogs: [{ action: "reported", reason: expect.stringContaining("not delivering") }],
      },
    ]);
  });

  it("delete: deletes it on an exempt resource, which needs no flow log", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(unapprovedLog());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), {
      policy: approving({ unapprovedFlowLogs: "delete", rules: [{ name: "all-exempt", exempt: true }] }),
      ec2,
    });

    // Assess
    expect(ec2.flowLogs).toEqual([]);
    expect(outcomes).toMatchObject([{ outcome: "exempt", unapprovedFlowLogs: [{ action: "deleted" }] }]);
  });

  it("fails the outcome, naming the flow log, when DeleteFlowLogs refuses it", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(flowLog(VPC_A), unapprovedLog());
    ec2.deleteFailures.set("fl-0000000000000bad1", "UnauthorizedOperation: not authorized");

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), {
      policy: approving({ unapprovedFlowLogs: "delete" }),
      ec2,
    });

    // Assess
    expect(outcomes).toMatchObject([
      {
        outcome: "failed",
        reason: expect.stringContaining("deleting failed: fl-0000000000000bad1: UnauthorizedOperation"),
        unapprovedFlowLogs: [
          { action: "reported", reason: expect.stringContaining("DeleteFlowLogs failed") },
        ],
      },
    ]);
  });

  it("reports a subnet's own unapproved flow log on the subnet, not on its VPC", async () => {
    // Prepare
    const subnet: ResourceRef = { type: "Subnet", id: SUBNET_A1, vpcId: vpcId(VPC_A) };
    const ec2 = ec2With(VPC, subnet);
    ec2.flowLogs.push(flowLog(VPC_A), unapprovedLog(SUBNET_A1));

    // Act
    const { outcomes } = await enforceCoverage(request([VPC, subnet]), { policy: approving(), ec2 });

    // Assess
    expect(outcomes.map(({ resourceId, outcome }) => [resourceId, outcome])).toEqual([
      [VPC_A, "compliant"],
      [SUBNET_A1, "unapproved"],
    ]);
  });
});

describe("replaceOutdated", () => {
  const v1Log = () =>
    flowLog(VPC_A, { flowLogId: "fl-00000000000000v1a", logDestination: OLD_BUCKET, tags: MARK });

  it("true: creates the compliant flow log, sees it, then deletes the outdated one the enforcer created", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(v1Log());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), {
      policy: policyWith({ replaceOutdated: true }),
      ec2,
      clock: new FakeClock(),
    });

    // Assess
    expect(ec2.calls.map((call) => call.method)).toEqual([
      "describeResources",
      "describeFlowLogs",
      "createFlowLogs",
      "describeFlowLogs",
      "deleteFlowLogs",
    ]);
    expect(ec2.flowLogs).toMatchObject([{ logDestination: CENTRAL_BUCKET, tags: MARK }]);
    expect(outcomes).toMatchObject([
      {
        outcome: "created",
        replacedFlowLogIds: ["fl-00000000000000v1a"],
        reason: expect.stringContaining("replaced outdated fl-00000000000000v1a"),
      },
    ]);
  });

  it("a sweep re-reads the account-region's flow logs once (paginated), not by thousands of IDs", async () => {
    // Prepare
    const ec2 = ec2With(VPC, { type: "VPC", id: VPC_B });
    ec2.flowLogs.push(
      v1Log(),
      flowLog(VPC_B, { flowLogId: "fl-00000000000000v1b", logDestination: OLD_BUCKET, tags: MARK }),
    );

    // Act
    const { outcomes } = await enforceCoverage(
      { placement: placement(), scope: { kind: "account-region" }, idempotencySeed: SEED },
      { policy: policyWith({ replaceOutdated: true }), ec2, clock: new FakeClock() },
    );

    // Assess
    expect(ec2.callsOf("describeFlowLogs")).toEqual([
      { method: "describeFlowLogs", resourceIds: "all" },
      { method: "describeFlowLogs", resourceIds: "all" },
    ]);
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([
      { method: "deleteFlowLogs", flowLogIds: ["fl-00000000000000v1a", "fl-00000000000000v1b"] },
    ]);
    expect(outcomes.map((outcome) => outcome.replacedFlowLogIds)).toEqual([
      ["fl-00000000000000v1a"],
      ["fl-00000000000000v1b"],
    ]);
  });

  it("false: leaves the outdated flow log next to the new one", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(v1Log());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC]), { policy: policyWith({}), ec2 });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
    expect(ec2.flowLogs).toHaveLength(2);
    expect(outcomes[0]).not.toHaveProperty("replacedFlowLogIds");
  });

  it("never touches a flow log the enforcer did not create", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(flowLog(VPC_A), flowLog(VPC_A, { flowLogId: "fl-theirs", logDestination: OLD_BUCKET }));

    // Act
    await enforceCoverage(request([VPC]), { policy: policyWith({ replaceOutdated: true }), ec2 });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
  });

  it("audit mode: lists the outdated flow log it would replace and deletes nothing", async () => {
    // Prepare
    const ec2 = ec2With(VPC);
    ec2.flowLogs.push(flowLog(VPC_A), v1Log());

    // Act
    const { outcomes } = await enforceCoverage(request([VPC], { mode: "audit" }), {
      policy: policyWith({ replaceOutdated: true }),
      ec2,
    });

    // Assess
    expect(ec2.callsOf("deleteFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([{ outcome: "compliant", outdatedFlowLogIds: ["fl-00000000000000v1a"] }]);
  });
});
