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
import type { ConfigRulePorts } from "../../../src/use-cases/evaluate-config-rule.js";
import type {
  AccountBoundary,
  EnforcementPorts,
  OrganizationFacts,
} from "../../../src/use-cases/run-enforcement.js";
import type { OrgSweepPorts } from "../../../src/use-cases/start-org-sweep.js";
import { accountId, regionName } from "./builders.js";
import { FakeFlowLogPort } from "./fake-flow-log-port.js";
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
  /** The decision time the use case sees. */
  clock = new Date("2026-06-15T12:00:00Z");
  /** Accounts whose member role cannot be assumed. */
  readonly unassumable = new Set<string>();
  /** Every account-region EC2 was reached in, in order. */
  readonly reached: AccountRegion[] = [];
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
    return this.clock;
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
  governedRegions: readonly RegionName[] = [regionName("us-east-1"), regionName("eu-west-1")];
  accounts: AccountId[] = [HOME, MEMBER];
  readonly enqueued: string[] = [];
  /** Bodies the queue refuses, with the reason. */
  readonly refused = new Map<string, string>();

  async activeAccounts(): Promise<Array<{ accountId: AccountId }>> {
    return this.accounts.map((id) => ({ accountId: id }));
  }

  async enqueue(bodies: readonly string[]) {
    const failed = bodies.flatMap((body) => {
      const reason = this.refused.get(body);
      return reason === undefined ? [] : [{ body, reason }];
    });
    const sent = bodies.filter((body) => !this.refused.has(body));
    this.enqueued.push(...sent);
    return { sent: sent.length, failed };
  }
}
