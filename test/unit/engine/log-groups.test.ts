// The engine's log-group step: a cloud-watch-logs destination with `logGroup` settings gets its group prepared
// before CreateFlowLogs, through the LogGroupPort, and only in enforce mode.
import { describe, expect, it } from "vitest";
import type { LogGroupSettings } from "../../../src/domain/flow-logs.js";
import { enforceCoverage } from "../../../src/engine/enforce.js";
import { planLogGroup } from "../../../src/engine/log-groups.js";
import type { ExistingLogGroup, LogGroupPort } from "../../../src/engine/ports.js";
import { ACCOUNT, placement, VPC_A, VPC_B } from "../support/builders.js";
import { FakeFlowLogPort } from "../support/fake-flow-log-port.js";
import { policyWith } from "../support/fixtures.js";

type PolicyLogGroup = { retentionDays?: 30 | 90; class?: "STANDARD" };

class FakeLogGroups implements LogGroupPort {
  readonly groups = new Map<string, ExistingLogGroup & { ours: boolean }>();
  readonly calls: string[] = [];
  failCreate = false;

  async describeLogGroups(names: readonly string[]) {
    this.calls.push(`describe ${names.join(",")}`);
    return new Map([...this.groups].filter(([name]) => names.includes(name)));
  }
  async createLogGroup(name: string, settings: LogGroupSettings) {
    this.calls.push(`create ${name}`);
    if (this.failCreate) throw Object.assign(new Error("not allowed"), { name: "AccessDeniedException" });
    this.groups.set(name, {
      name,
      ...(settings.retentionDays === undefined ? {} : { retentionDays: settings.retentionDays }),
      ours: true,
    });
  }
  async createdByEnforcer(name: string) {
    return this.groups.get(name)?.ours ?? false;
  }
  async setRetention(name: string, days: number) {
    this.calls.push(`retention ${name} ${days}`);
    const group = this.groups.get(name);
    if (group) this.groups.set(name, { ...group, retentionDays: days });
  }
}

function cloudWatchPolicy(logGroup: PolicyLogGroup | undefined, mode: "enforce" | "audit" = "enforce") {
  return policyWith({
    mode,
    resourceTypes: ["VPC"],
    defaults: {
      destination: {
        type: "cloud-watch-logs",
        logGroupName: "/vpc-flow-logs/${VpcId}",
        deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/flow-logs-delivery",
        ...(logGroup === undefined ? {} : { logGroup }),
      },
    },
  });
}

async function enforce(policyLogGroup: PolicyLogGroup | undefined, logs: FakeLogGroups, mode?: "audit") {
  const ec2 = new FakeFlowLogPort();
  ec2.resources.push({ type: "VPC", id: VPC_A }, { type: "VPC", id: VPC_B });
  const report = await enforceCoverage(
    { placement: placement(), scope: { kind: "account-region" }, idempotencySeed: "seed" },
    { policy: cloudWatchPolicy(policyLogGroup, mode), ec2, logGroups: async () => logs },
  );
  return { report, ec2 };
}

describe("log groups the enforcer prepares", () => {
  it("creates each missing group with its retention before the flow logs to it", async () => {
    // Prepare
    const logs = new FakeLogGroups();

    // Act
    const { report, ec2 } = await enforce({ retentionDays: 30 }, logs);

    // Assess
    expect(logs.groups.get(`/vpc-flow-logs/${VPC_A}`)).toMatchObject({ retentionDays: 30 });
    expect(logs.calls).toEqual([
      `describe /vpc-flow-logs/${VPC_A},/vpc-flow-logs/${VPC_B}`,
      `create /vpc-flow-logs/${VPC_A}`,
      `create /vpc-flow-logs/${VPC_B}`,
    ]);
    expect(ec2.callsOf("createFlowLogs")).toHaveLength(2);
    expect(report.outcomes.map((o) => o.outcome)).toEqual(["created", "created"]);
  });

  it("fixes the retention of a group it created, and leaves someone else's alone", async () => {
    // Prepare
    const logs = new FakeLogGroups();
    logs.groups.set(`/vpc-flow-logs/${VPC_A}`, {
      name: `/vpc-flow-logs/${VPC_A}`,
      retentionDays: 7,
      ours: true,
    });
    logs.groups.set(`/vpc-flow-logs/${VPC_B}`, {
      name: `/vpc-flow-logs/${VPC_B}`,
      retentionDays: 7,
      ours: false,
    });

    // Act
    await enforce({ retentionDays: 90 }, logs);

    // Assess
    expect(logs.calls.filter((call) => !call.startsWith("describe"))).toEqual([
      `retention /vpc-flow-logs/${VPC_A} 90`,
    ]);
    expect(logs.groups.get(`/vpc-flow-logs/${VPC_B}`)?.retentionDays).toBe(7);
  });

  it("creates no flow log to a group it could not create, and says why", async () => {
    // Prepare
    const logs = new FakeLogGroups();
    logs.failCreate = true;

    // Act
    const { report, ec2 } = await enforce({ retentionDays: 30 }, logs);

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(report.outcomes[0]).toMatchObject({
      accountId: ACCOUNT,
      outcome: "failed",
      reason: `creating log group /vpc-flow-logs/${VPC_A} failed: AccessDeniedException: not allowed`,
    });
  });

  it("touches no log group without logGroup settings, nor in audit mode", async () => {
    // Prepare
    const unset = new FakeLogGroups();
    const audited = new FakeLogGroups();

    // Act
    await enforce(undefined, unset);
    await enforce({ retentionDays: 30 }, audited, "audit");

    // Assess
    expect(unset.calls).toEqual([]);
    expect(audited.calls).toEqual([]);
  });

  it("plans from what exists: create, fix retention, or nothing", () => {
    expect(planLogGroup("g", { retentionDays: 30 }, undefined)).toEqual({
      kind: "create",
      name: "g",
      settings: { retentionDays: 30 },
    });
    expect(planLogGroup("g", { retentionDays: 30 }, { name: "g", retentionDays: 14 })).toEqual({
      kind: "fix-retention-if-ours",
      name: "g",
      days: 30,
    });
    expect(planLogGroup("g", { retentionDays: 30 }, { name: "g", retentionDays: 30 })).toEqual({
      kind: "none",
      name: "g",
    });
    expect(planLogGroup("g", {}, { name: "g" })).toEqual({ kind: "none", name: "g" });
  });
});
