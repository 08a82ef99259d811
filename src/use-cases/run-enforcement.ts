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
import type { Clock, FlowLogPort, LogGroupPort } from "../engine/ports.js";
import { AccountNotAllowedError, AssumeRoleError, EnforcementFailedError, errorSummary } from "../errors.js";
import { type Correlation, logger, publishReport } from "../observability.js";
import type { LoadedPolicy, PolicySource } from "../policy/policy-source.js";
import { type PlacementFacts, policyUsesOrganizationalUnits } from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";
import { publishOutputs, type ReportOutputs } from "./publish-outputs.js";

/** What the organization tells the enforcer about an account. */
export interface OrganizationFacts {
  /** True when the account is an ACTIVE member of that organization (o-…). */
  isActiveMember(accountId: AccountId, organizationId: string): Promise<boolean>;
  /** Every OU above the account, nearest first. */
  organizationalUnitsOf(accountId: AccountId): Promise<string[]>;
}

/**
 * Which accounts a deployment may act in at all, before any allow-list narrows it:
 * - `organization`: its own account and the ACTIVE members of that organization (an organization-wide deployment);
 * - `home-account`: its own account only, unless ALLOWED_ACCOUNTS lists others (any other deployment);
 * - `any-account`: whatever account the caller names (the CLI, run with its user's own credentials).
 */
export type AccountBoundary =
  | { readonly kind: "organization"; readonly organizationId: string }
  | { readonly kind: "home-account" }
  | { readonly kind: "any-account" };

/** What the organization boundary needs to know; part of every trigger's ports. */
export interface AccountBoundaryPorts {
  readonly accountBoundary: AccountBoundary;
  /** The deployment's allow-list (ALLOWED_ACCOUNTS): accounts outside it are refused. Undefined: no list. */
  readonly allowedAccounts?: readonly AccountId[] | undefined;
  /** True for the account the function runs in, which is reached with its own credentials. */
  isHomeAccount(accountId: AccountId): Promise<boolean>;
  readonly organization: OrganizationFacts;
}

/** What running the engine needs from the outside world; the app layer (src/app/) provides it. */
export interface EnforcementPorts extends AccountBoundaryPorts {
  /** The policy from `source`, or the deployment's own when none is given, with its version. An invalid one throws. */
  loadPolicy(source?: PolicySource): Promise<LoadedPolicy>;
  /** EC2 in the account-region, reached with the member role outside home; AssumeRoleError when it cannot be. */
  flowLogsIn(target: AccountRegion): Promise<FlowLogPort>;
  /** The time decisions are made at (exemptions expire); injected so tests can set it. */
  now(): Date;
  /**
   * The deploy-time destination guard (ALLOWED_DESTINATIONS): patterns no policy can widen. A resource whose policy
   * destination falls outside is `failed` and nothing is written for it. Undefined: no guard.
   */
  readonly allowedDestinations?: readonly string[] | undefined;
  /** CloudWatch Logs in the account-region (same credentials as EC2), for log groups the policy asks to prepare. */
  logGroupsIn?(target: AccountRegion): Promise<LogGroupPort>;
  /** Findings and notifications, each present only when the deployment (or the command) turned it on. */
  readonly outputs?: ReportOutputs | undefined;
  /** How long a resource a creation event names is waited for while EC2 does not show it (the engine's default if unset). */
  readonly newResourceWaitMs?: number | undefined;
  /** The clock those waits use; the system's unless a test passes one. */
  readonly clock?: Clock | undefined;
}

/** The engine's report, and whether the organization boundary refused the account before anything was reached. */
export interface EnforcementRun extends EnforcementReport {
  /**
   * Set (to the refusal's reason) when the account is outside the boundary or an allow-list: a verdict of the
   * deployment's configuration that no retry changes, unlike an unreachable account's failed outcomes.
   */
  readonly refusedBecause?: string;
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
 * 2. refuse an account outside the organization boundary or the allow-lists, before any role is assumed
 * 3. learn the account's OUs when a rule matches on them (cached per container)
 * 4. reach EC2 in the account (assuming the member role elsewhere than home)
 * 5. enforce through the engine
 * 6. log one line (naming the policy's source and version) and count one metric per outcome
 * 7. publish the optional outputs: Security Hub findings, one notification (publish-outputs.ts)
 * An account that cannot be reached yields `failed` outcomes rather than an exception, so callers handling
 * many account-regions carry on; the caller decides whether failures make its invocation fail.
 */
export async function runEnforcement(job: EnforcementJob, ports: EnforcementPorts): Promise<EnforcementRun> {
  const { policy, source, version } = await ports.loadPolicy(job.policySource);
  // Every outcome line names the policy it was decided by, so a change to it shows in the next invocation's log.
  const correlation: Correlation = {
    ...job.correlation,
    policySource: source,
    ...(version === undefined ? {} : { policyVersion: version }),
  };
  let report: EnforcementRun;
  try {
    await authorizeAccount(job.target, ports, policy);
    const placement = await placementOf(job.target, policy, ports);
    const ec2 = await ports.flowLogsIn(job.target);
    report = await enforceCoverage(
      {
        placement,
        scope: job.scope,
        idempotencySeed: job.idempotencySeed,
        allowedDestinations: ports.allowedDestinations,
        ...modeOf(job),
      },
      {
        policy,
        ec2,
        ...logGroupsOf(job.target, ports),
        ...(ports.clock === undefined ? {} : { clock: ports.clock }),
        ...(ports.newResourceWaitMs === undefined ? {} : { newResourceWaitMs: ports.newResourceWaitMs }),
      },
    );
  } catch (error) {
    if (!(error instanceof AccountNotAllowedError || error instanceof AssumeRoleError)) throw error;
    report = unreachableReport({ ...job, correlation }, error, job.mode ?? policy.mode);
    if (error instanceof AccountNotAllowedError) report = { ...report, refusedBecause: error.message };
  }
  publishReport(report, correlation);
  await publishOutputs(report, job, ports.outputs);
  return report;
}

/**
 * The organization boundary for a trigger that reaches an account without running the engine (a Config verdict
 * that needs no EC2 read, sent with the account's role): undefined when the account may be reached, otherwise the
 * refusal, reported and published exactly as runEnforcement reports it.
 */
export async function refusalOf(
  job: Pick<EnforcementJob, "target" | "scope" | "correlation">,
  ports: AccountBoundaryPorts,
  mode: EnforcementMode,
): Promise<EnforcementReport | undefined> {
  try {
    await authorizeAccount(job.target, ports);
    return undefined;
  } catch (error) {
    if (!(error instanceof AccountNotAllowedError)) throw error;
    const report = unreachableReport(job, error, mode);
    publishReport(report, job.correlation);
    return report;
  }
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

function logGroupsOf(
  target: AccountRegion,
  ports: EnforcementPorts,
): { logGroups?: () => Promise<LogGroupPort> } {
  const { logGroupsIn } = ports;
  return logGroupsIn === undefined ? {} : { logGroups: () => logGroupsIn.call(ports, target) };
}

function modeOf(job: EnforcementJob): { mode?: EnforcementMode } {
  return job.mode === undefined ? {} : { mode: job.mode };
}

function unreachableReport(
  job: Pick<EnforcementJob, "target" | "scope" | "correlation">,
  error: Error,
  mode: EnforcementMode,
): EnforcementReport {
  logger.error("account-region unreachable", {
    ...job.correlation,
    ...job.target,
    error: errorSummary(error),
  });
  return { mode, outcomes: unreachableOutcomes(job.target, job.scope, errorSummary(error)) };
}

/**
 * The one organization boundary every trigger passes before any role is assumed: the deployment's allow-list,
 * then its boundary (its organization, or its own account), then the policy's allowedAccounts when given.
 */
async function authorizeAccount(
  target: AccountRegion,
  ports: AccountBoundaryPorts,
  policy?: Policy,
): Promise<void> {
  const { accountId } = target;
  if (ports.allowedAccounts !== undefined && !ports.allowedAccounts.includes(accountId))
    throw new AccountNotAllowedError(`account ${accountId} is not in ALLOWED_ACCOUNTS`);
  const boundary = ports.accountBoundary;
  if (boundary.kind === "organization" && !(await ports.isHomeAccount(accountId))) {
    if (!(await ports.organization.isActiveMember(accountId, boundary.organizationId)))
      throw new AccountNotAllowedError(
        `account ${accountId} is not an ACTIVE member of the organization ${boundary.organizationId}`,
      );
  }
  if (
    boundary.kind === "home-account" &&
    ports.allowedAccounts === undefined &&
    !(await ports.isHomeAccount(accountId))
  )
    throw new AccountNotAllowedError(
      `account ${accountId} is not this deployment's own account; a deployment that is not organization-wide acts elsewhere only in accounts ALLOWED_ACCOUNTS lists`,
    );
  if (policy?.allowedAccounts !== undefined && !policy.allowedAccounts.includes(accountId))
    throw new AccountNotAllowedError(`account ${accountId} is not in the policy's allowedAccounts`);
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
