// Org sweep coordinator: a request (usually `{}` from the schedule) in, one SQS message per ACTIVE account × governed
// region out, and how many were enqueued.

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { AccountId, RegionName } from "../domain/resources.js";
import { SweepEnqueueError } from "../errors.js";
import { logger, metrics } from "../observability.js";
import { parseSweepRequest, sweepMessageBody } from "../triggers/sweep-message.js";

/** Counted once per run that found no account to sweep, so an alarm can say the sweep checks nothing. */
export const EMPTY_SWEEP_METRIC = "OrgSweepsWithoutAccounts";

/** What the coordinator needs; the app layer keeps the organization's account list cached across runs. */
export interface OrgSweepPorts {
  /** The regions a scheduled run covers (GOVERNED_REGIONS). */
  readonly governedRegions: readonly RegionName[];
  /** Every ACTIVE account of the organization (all pages). */
  activeAccounts(): Promise<ReadonlyArray<{ readonly accountId: AccountId }>>;
  /** Sends every body to the sweep queue in as few calls as SQS allows; never throws, returns what it could not send. */
  enqueue(bodies: readonly string[]): Promise<{
    readonly sent: number;
    readonly failed: ReadonlyArray<{ readonly body: string; readonly reason: string }>;
  }>;
}

export interface OrgSweepResult {
  readonly runId: string;
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly enqueued: number;
  /** Accounts named in an on-demand request that are not ACTIVE members: never enqueued. */
  readonly skipped?: ReadonlyArray<{ readonly accountId: string; readonly reason: string }>;
}

/**
 * 1. parse the request (`{ accounts?, regions?, runId? }`; malformed → EventValidationError, nothing enqueued)
 * 2. list the organization's ACTIVE accounts (all pages); requested accounts outside it are skipped and reported
 * 3. enqueue one `{ accountId, region, runId }` message per account × region, 10 per SendMessageBatch
 * 4. log and count the run; throw SweepEnqueueError after the others were sent if some never got in
 *
 * `defaultRunId` is the invocation's request id: a Lambda retry of the same invocation re-sends with the same
 * run id, so the workers' ClientTokens repeat and nothing is created twice.
 */
export async function startOrgSweep(
  event: unknown,
  defaultRunId: string,
  ports: OrgSweepPorts,
): Promise<OrgSweepResult> {
  const request = parseSweepRequest(event);
  const runId = request.runId ?? defaultRunId;
  const regions = request.regions ?? ports.governedRegions;
  const members = (await ports.activeAccounts()).map((account) => account.accountId);
  const memberSet = new Set(members);
  const requested = request.accounts === undefined ? members : [...new Set(request.accounts)];
  const accounts = requested.filter((accountId) => memberSet.has(accountId));
  const skipped = requested
    .filter((accountId) => !memberSet.has(accountId))
    .map((accountId) => ({ accountId, reason: "not an ACTIVE member of the organization" }));

  const bodies = accounts.flatMap((accountId) =>
    regions.map((region) => sweepMessageBody({ accountId, region }, runId)),
  );
  const { sent, failed } = await ports.enqueue(bodies);
  const result: OrgSweepResult = {
    runId,
    accounts: accounts.length,
    regions,
    enqueued: sent,
    ...(skipped.length === 0 ? {} : { skipped }),
  };
  logger[failed.length > 0 || skipped.length > 0 ? "warn" : "info"]("org sweep enqueued", {
    ...result,
    ...(failed.length === 0 ? {} : { notEnqueued: failed.length }),
  });
  metrics.addMetric("AccountRegionsEnqueued", MetricUnit.Count, sent);
  // A sweep with no account to visit checks nothing while looking healthy: say so where an operator looks.
  if (accounts.length === 0) {
    logger.warn("org sweep found no account to sweep", {
      runId,
      reason:
        members.length === 0
          ? "the organization lists no ACTIVE account (check organizations:ListAccounts and the delegated administrator)"
          : "none of the requested accounts is an ACTIVE member of the organization",
    });
    metrics.addMetric(EMPTY_SWEEP_METRIC, MetricUnit.Count, 1);
  }
  if (failed.length > 0) throw new SweepEnqueueError(failed, sent);
  return result;
}
