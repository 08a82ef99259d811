// In-memory fakes of the ports the use cases declare: a policy store, an organization, and one FakeFlowLogPort per
// account-region, recording what the use case asked of each. No SDK anywhere: SDK mocks belong to gateway tests.
import type { ConfigEvaluation } from "../../../src/domain/config-evaluation.js";
import {
  type AccountId,
  type AccountRegion,
  accountRegionKey,
  type RegionName,
} from "../../../src/domain/resources.js";
import { AssumeRoleError } from "../../../src/errors.js";
import { type LoadedPolicy, type PolicySource, policySourceText } from "../../../src/policy/policy-source.js";
import type { Policy } from "../../../src/policy/schema.js";
import type { AsffFinding, FindingState, FindingsPlan } from "../../../src/reports/findings.js";
import type { Notification } from "../../../src/reports/notification.js";
import type { SweepQueueEntry } from "../../../src/triggers/sweep-message.js";
import type { ConfigRulePorts } from "../../../src/use-cases/evaluate-config-rule.js";
import type {
  FindingsPort,
  NotificationPort,
  ReportOutputs,
} from "../../../src/use-cases/publish-outputs.js";
import type {
  AccountBoundary,
  EnforcementPorts,
  OrganizationFacts,
} from "../../../src/use-cases/run-enforcement.js";
import type { OrgSweepPorts } from "../../../src/use-cases/start-org-sweep.js";
import { accountId, regionName } from "./builders.js";
import { FakeClock, FakeFlowLogPort } from "./fake-flow-log-port.js";
import { policyFixture } from "./fixtures.js";

export const HOME = accountId("123456789012");
export const MEMBER = accountId("222222222222");

/** An organization: its ACTIVE members and the OUs above each. */
export class FakeOrganization implements OrganizationFacts {
  readonly members = new Set<string>([HOME]);
  /** The organization the members belong to. */
  organizationId = "o-exampleorg1";
  readonly ous = new Map<string, string[]>();
  readonly asked: string[] = [];

  async isActiveMember(id: AccountId, organizationId: string): Promise<boolean> {
    this.asked.push(id);
    return organizationId === this.organizationId && this.members.has(id);
  }

  async organizationalUnitsOf(id: AccountId): Promise<string[]> {
    return this.ous.get(id) ?? [];
  }
}

export class FakeEnforcementPorts implements EnforcementPorts {
  /** The deployment's policy, and others by source text (a Config rule parameter, a remediation payload). */
  policy: Policy | Error = policyFixture("minimal-s3.json");
  readonly policies = new Map<string, Policy>();
  readonly policyLoads: Array<PolicySource | undefined> = [];
  allowedAccounts: readonly AccountId[] | undefined = undefined;
  allowedDestinations: readonly string[] | undefined = undefined;
  /** Unrestricted unless a test sets the boundary it is about. */
  accountBoundary: AccountBoundary = { kind: "any-account" };
  readonly organization = new FakeOrganization();
  home: AccountId = HOME;
  /** The decision time the use case sees (exemptions expire against it). */
  decisionTime = new Date("2026-06-15T12:00:00Z");
  /** Accounts whose member role cannot be assumed. */
  readonly unassumable = new Set<string>();
  /** Every account-region EC2 was reached in, in order. */
  readonly reached: AccountRegion[] = [];
  /** Findings and notifications; none unless a test sets them. */
  outputs: ReportOutputs | undefined = undefined;
  /** Waits for resources EC2 does not show yet pass on this clock: no test sleeps. */
  readonly clock = new FakeClock();
  newResourceWaitMs: number | undefined = undefined;
  private readonly ec2 = new Map<string, FakeFlowLogPort>();

  /** The SSM parameter Version the deployment's policy reports. */
  policyVersion: string | undefined = "3";

  async loadPolicy(source?: PolicySource): Promise<LoadedPolicy> {
    this.policyLoads.push(source);
    const named = source === undefined ? undefined : this.policies.get(policySourceText(source));
    const policy = named ?? this.policy;
    if (policy instanceof Error) throw policy;
    if (named !== undefined && source !== undefined) return { policy, source: policySourceText(source) };
    const deployed = { policy, source: "ssm:/vpc-flow-log-enforcer/policy" };
    return this.policyVersion === undefined ? deployed : { ...deployed, version: this.policyVersion };
  }

  now(): Date {
    return this.decisionTime;
  }

  async isHomeAccount(id: AccountId): Promise<boolean> {
    return id === this.home;
  }

  async flowLogsIn(target: AccountRegion): Promise<FakeFlowLogPort> {
    if (this.unassumable.has(target.accountId))
      throw new AssumeRoleError(
        `arn:${target.partition}:iam::${target.accountId}:role/FlowLogEnforcerMemberRole`,
        {
          name: "AccessDenied",
          message: "not authorized to perform sts:AssumeRole",
        },
      );
    this.reached.push(target);
    return this.ec2For(target);
  }

  /** The in-memory EC2 of an account-region (created empty on first use), to seed or inspect. */
  ec2For(target: Pick<AccountRegion, "accountId" | "region">): FakeFlowLogPort {
    const key = accountRegionKey(target);
    const existing = this.ec2.get(key);
    if (existing) return existing;
    const port = new FakeFlowLogPort();
    this.ec2.set(key, port);
    return port;
  }

  /** Every EC2 call made in any account-region. */
  allEc2Calls(): FakeFlowLogPort["calls"] {
    return [...this.ec2.values()].flatMap((port) => port.calls);
  }
}

export interface SentEvaluations {
  readonly target: AccountRegion;
  readonly resultToken: string;
  readonly evaluations: readonly ConfigEvaluation[];
}

export class FakeConfigRulePorts extends FakeEnforcementPorts implements ConfigRulePorts {
  homeRegion: RegionName | undefined = regionName("us-east-1");
  readonly sent: SentEvaluations[] = [];
  /** Thrown by sendEvaluations when set (Config rejected some evaluations). */
  sendFailure: Error | undefined;

  async sendEvaluations(
    target: AccountRegion,
    resultToken: string,
    evaluations: readonly ConfigEvaluation[],
  ): Promise<{ calls: number }> {
    this.sent.push({ target, resultToken, evaluations });
    if (this.sendFailure) throw this.sendFailure;
    return { calls: Math.ceil(evaluations.length / 100) };
  }
}

export class FakeOrgSweepPorts implements OrgSweepPorts {
  governedRegions: readonly RegionName[] | "all" = [regionName("us-east-1"), regionName("eu-west-1")];
  homeRegion: RegionName | undefined = regionName("us-east-1");
  /** Each account's enabled regions; an account missing here cannot be asked (its role is not assumable). */
  readonly enabledRegions = new Map<string, readonly RegionName[]>();

  async enabledRegionsOf(accountId: AccountId): Promise<readonly RegionName[]> {
    const regions = this.enabledRegions.get(accountId);
    if (regions === undefined) throw new Error(`cannot assume the member role in ${accountId}`);
    return regions;
  }
  accounts: AccountId[] = [HOME, MEMBER];
  /** The bodies accepted, in order. */
  readonly enqueued: string[] = [];
  /** Every entry offered to the queue, accepted or not, in order (with its deduplication and group ids). */
  readonly offered: SweepQueueEntry[] = [];
  /** Bodies the queue refuses, with the reason. */
  readonly refused = new Map<string, string>();
  history: FakeHistory | undefined;

  async activeAccounts(): Promise<Array<{ accountId: AccountId }>> {
    return this.accounts.map((id) => ({ accountId: id }));
  }

  async enqueue(entries: readonly SweepQueueEntry[]) {
    this.offered.push(...entries);
    const failed = entries.flatMap(({ body }) => {
      const reason = this.refused.get(body);
      return reason === undefined ? [] : [{ body, reason }];
    });
    const sent = entries.map(({ body }) => body).filter((body) => !this.refused.has(body));
    this.enqueued.push(...sent);
    return { sent: sent.length, failed };
  }
}

/** An in-memory Security Hub per account-region: findings by Id, as BatchImportFindings upserts them. */
export class FakeFindings implements FindingsPort {
  readonly stored = new Map<string, AsffFinding & { workflow?: string }>();
  readonly reads: Array<{ target: string; ids: readonly string[] | "all" }> = [];
  readonly applied: Array<{ target: string; plan: FindingsPlan }> = [];
  /** Thrown by applyFindings when set (Security Hub not enabled, access denied). */
  failure: Error | undefined;

  async currentFindings(target: AccountRegion, ids: readonly string[] | "all") {
    this.reads.push({ target: accountRegionKey(target), ids });
    const found = new Map<string, FindingState>();
    for (const finding of this.stored.values())
      if (ids === "all" || ids.includes(finding.Id))
        found.set(finding.Id, {
          id: finding.Id,
          status: finding.Compliance.Status,
          recordState: finding.RecordState,
          outcome: finding.ProductFields["vpc-flow-log-enforcer/outcome"],
          createdAt: finding.CreatedAt,
          updatedAt: finding.UpdatedAt,
        });
    return found;
  }

  async applyFindings(target: AccountRegion, plan: FindingsPlan): Promise<void> {
    this.applied.push({ target: accountRegionKey(target), plan });
    if (this.failure) throw this.failure;
    for (const finding of plan.imports)
      this.stored.set(finding.Id, { ...this.stored.get(finding.Id), ...finding });
    for (const id of plan.resolve) {
      const finding = this.stored.get(id);
      if (finding) this.stored.set(id, { ...finding, workflow: "RESOLVED" });
    }
  }
}

export class FakeNotifications implements NotificationPort {
  readonly published: Notification[] = [];

  async publish(notification: Notification): Promise<void> {
    this.published.push(notification);
  }
}

/** A report bucket: objects by key, each put overwriting the last. */
export class FakeHistory {
  readonly objects = new Map<string, string>();
  puts = 0;

  async put(key: string, body: string): Promise<void> {
    this.puts += 1;
    this.objects.set(key, body);
  }
}
