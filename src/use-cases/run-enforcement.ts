// Runs the engine for one account-region on behalf of any trigger: authorize, load policy, reach EC2, enforce, report.
import type { AccountRegion } from "../domain/resources.js";
import {
  type EnforcementReport,
  type EnforcementScope,
  enforceCoverage,
  type Outcome,
} from "../engine/enforce.js";
import { AccountNotAllowedError, AssumeRoleError, errorSummary } from "../errors.js";
import { createEc2Gateway } from "../gateways/ec2-gateway.js";
import { type Correlation, logger, publishReport } from "../observability.js";
import { type PlacementFacts, policyUsesOrganizationalUnits } from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";
import type { Runtime } from "../runtime.js";

export interface EnforcementJob {
  readonly target: AccountRegion;
  readonly scope: EnforcementScope;
  readonly idempotencySeed: string;
  readonly correlation: Correlation;
  readonly mode?: Policy["mode"];
  readonly policySource?: string;
}

/**
 * 1. load the policy (an invalid one throws: nothing is written with it)
 * 2. refuse accounts outside the allow-lists or (ORGANIZATION_CHECK=on) the organization, before any role is assumed
 * 3. learn the account's OUs when a rule matches on them (cached per container)
 * 4. reach EC2 in the account (assuming the member role elsewhere than home)
 * 5. enforce through the engine
 * 6. log one line and count one metric per outcome
 * An account that cannot be reached yields `failed` outcomes rather than an exception, so callers handling
 * many account-regions carry on; the caller decides whether failures make its invocation fail.
 */
export async function runEnforcement(job: EnforcementJob, runtime: Runtime): Promise<EnforcementReport> {
  const policy = await runtime.loadPolicy(job.policySource);
  let report: EnforcementReport;
  try {
    authorizeAccount(job.target, policy, runtime);
    await authorizeOrganizationMember(job.target, runtime);
    const placement = await placementOf(job.target, policy, runtime);
    await runtime.accounts.verifyAccess(job.target);
    const ec2 = createEc2Gateway(await runtime.accounts.ec2For(job.target));
    report = await enforceCoverage(
      { placement, scope: job.scope, idempotencySeed: job.idempotencySeed, ...modeOf(job) },
      { policy, ec2 },
    );
  } catch (error) {
    if (!(error instanceof AccountNotAllowedError || error instanceof AssumeRoleError)) throw error;
    logger.error("account-region unreachable", {
      ...job.correlation,
      ...job.target,
      error: errorSummary(error),
    });
    report = { outcomes: failedOutcomes(job, errorSummary(error)) };
  }
  publishReport(report, job.correlation);
  return report;
}

function modeOf(job: EnforcementJob): { mode?: Policy["mode"] } {
  return job.mode === undefined ? {} : { mode: job.mode };
}

function authorizeAccount(target: AccountRegion, policy: Policy, runtime: Runtime): void {
  for (const [name, allowed] of [
    ["ALLOWED_ACCOUNTS", runtime.config.allowedAccounts],
    ["the policy's allowedAccounts", policy.allowedAccounts],
  ] as const) {
    if (allowed !== undefined && !allowed.includes(target.accountId))
      throw new AccountNotAllowedError(`account ${target.accountId} is not in ${name}`);
  }
}

/** The function's own account needs no check (it runs there); any other must be an ACTIVE member. */
async function authorizeOrganizationMember(target: AccountRegion, runtime: Runtime): Promise<void> {
  if (!runtime.config.organizationCheck || (await runtime.accounts.isHome(target.accountId))) return;
  if (!(await runtime.organization.isActiveMember(target.accountId)))
    throw new AccountNotAllowedError(
      `account ${target.accountId} is not an ACTIVE member of the organization`,
    );
}

async function placementOf(target: AccountRegion, policy: Policy, runtime: Runtime): Promise<PlacementFacts> {
  if (!policyUsesOrganizationalUnits(policy)) return target;
  return {
    ...target,
    organizationalUnits: await runtime.organization.organizationalUnitsOf(target.accountId),
  };
}

function failedOutcomes(job: EnforcementJob, reason: string): Outcome[] {
  const base = {
    accountId: job.target.accountId,
    region: job.target.region,
    outcome: "failed",
    reason,
  } as const;
  if (job.scope.kind === "resources")
    return job.scope.resources.map((resource) => ({
      ...base,
      resourceType: resource.type,
      resourceId: resource.id,
    }));
  return [
    { ...base, resourceType: "AccountRegion", resourceId: `${job.target.accountId}/${job.target.region}` },
  ];
}
