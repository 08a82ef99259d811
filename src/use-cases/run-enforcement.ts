// Runs the engine for one account-region on behalf of any trigger: authorize, load policy, reach EC2, enforce, report.
import type { AccountId, AccountRegion } from "../domain/resources.js";
import {
  type EnforcementMode,
  type EnforcementReport,
  type EnforcementScope,
  enforceCoverage,
  failedOutcomes,
  unreachableOutcomes,
} from "../engine/enforce.js";
import type { FlowLogPort } from "../engine/ports.js";
import { AccountNotAllowedError, AssumeRoleError, EnforcementFailedError, errorSummary } from "../errors.js";
import { type Correlation, logger, publishReport } from "../observability.js";
import type { PolicySource } from "../policy/policy-source.js";
import { type PlacementFacts, policyUsesOrganizationalUnits } from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";

/** What the organization tells the enforcer about an account. */
export interface OrganizationFacts {
  isActiveMember(accountId: AccountId): Promise<boolean>;
  /** Every OU above the account, nearest first. */
  organizationalUnitsOf(accountId: AccountId): Promise<string[]>;
}

/** What running the engine needs from the outside world; the app layer (src/app/) provides it. */
export interface EnforcementPorts {
  /** The policy from `source`, or the deployment's own when none is given. An invalid one throws. */
  loadPolicy(source?: PolicySource): Promise<Policy>;
  /** The deployment's allow-list (ALLOWED_ACCOUNTS): accounts outside it are refused. Undefined: no list. */
  readonly allowedAccounts?: readonly AccountId[] | undefined;
  /** Refuse accounts that are not ACTIVE members of the organization (the home account excepted). */
  readonly organizationCheck: boolean;
  /** True for the account the function runs in, which is reached with its own credentials. */
  isHomeAccount(accountId: AccountId): Promise<boolean>;
  readonly organization: OrganizationFacts;
  /** EC2 in the account-region, reached with the member role outside home; AssumeRoleError when it cannot be. */
  flowLogsIn(target: AccountRegion): Promise<FlowLogPort>;
  /** The time decisions are made at (exemptions expire); injected so tests can set it. */
  now(): Date;
}

export interface EnforcementJob {
  readonly target: AccountRegion;
  readonly scope: EnforcementScope;
  readonly idempotencySeed: string;
  readonly correlation: Correlation;
  readonly mode?: EnforcementMode;
  readonly policySource?: PolicySource;
}

/**
 * 1. load the policy (an invalid one throws: nothing is written with it)
 * 2. refuse accounts outside the allow-lists or (organizationCheck) the organization, before any role is assumed
 * 3. learn the account's OUs when a rule matches on them (cached per container)
 * 4. reach EC2 in the account (assuming the member role elsewhere than home)
 * 5. enforce through the engine
 * 6. log one line and count one metric per outcome
 * An account that cannot be reached yields `failed` outcomes rather than an exception, so callers handling
 * many account-regions carry on; the caller decides whether failures make its invocation fail.
 */
export async function runEnforcement(
  job: EnforcementJob,
  ports: EnforcementPorts,
): Promise<EnforcementReport> {
  const policy = await ports.loadPolicy(job.policySource);
  let report: EnforcementReport;
  try {
    authorizeAccount(job.target, policy, ports);
    await authorizeOrganizationMember(job.target, ports);
    const placement = await placementOf(job.target, policy, ports);
    const ec2 = await ports.flowLogsIn(job.target);
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
    report = {
      mode: job.mode ?? policy.mode,
      outcomes: unreachableOutcomes(job.target, job.scope, errorSummary(error)),
    };
  }
  publishReport(report, job.correlation);
  return report;
}

/**
 * The one ending every trigger shares: an invocation in which some resource failed throws EnforcementFailedError
 * (after the report was published), so Lambda retries and the failure destination keeps the event. `result` is
 * what the error carries as the invocation's report.
 */
export function throwIfAnyFailed(
  report: Pick<EnforcementReport, "outcomes">,
  result: unknown = report,
): void {
  const failures = failedOutcomes(report);
  if (failures.length > 0) throw new EnforcementFailedError(failures, result);
}

function modeOf(job: EnforcementJob): { mode?: EnforcementMode } {
  return job.mode === undefined ? {} : { mode: job.mode };
}

function authorizeAccount(target: AccountRegion, policy: Policy, ports: EnforcementPorts): void {
  for (const [name, allowed] of [
    ["ALLOWED_ACCOUNTS", ports.allowedAccounts],
    ["the policy's allowedAccounts", policy.allowedAccounts],
  ] as const) {
    if (allowed !== undefined && !allowed.includes(target.accountId))
      throw new AccountNotAllowedError(`account ${target.accountId} is not in ${name}`);
  }
}

/** The function's own account needs no check (it runs there); any other must be an ACTIVE member. */
async function authorizeOrganizationMember(target: AccountRegion, ports: EnforcementPorts): Promise<void> {
  if (!ports.organizationCheck || (await ports.isHomeAccount(target.accountId))) return;
  if (!(await ports.organization.isActiveMember(target.accountId)))
    throw new AccountNotAllowedError(
      `account ${target.accountId} is not an ACTIVE member of the organization`,
    );
}

async function placementOf(
  target: AccountRegion,
  policy: Policy,
  ports: EnforcementPorts,
): Promise<PlacementFacts> {
  const placement = { ...target, evaluatedAt: ports.now() };
  if (!policyUsesOrganizationalUnits(policy)) return placement;
  return {
    ...placement,
    organizationalUnits: await ports.organization.organizationalUnitsOf(target.accountId),
  };
}
