// Org sweep coordinator: a request (usually `{}` from the schedule) in, one SQS message per ACTIVE account × governed
// region out (with GOVERNED_REGIONS=ALL, × the regions each account has enabled), and how many were enqueued.

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { mapConcurrently } from "../batching.js";
import type { AccountId, RegionName } from "../domain/resources.js";
import { errorSummary, SweepEnqueueError } from "../errors.js";
import { logger, metrics } from "../observability.js";
import { manifestKey, type RunManifest } from "../reports/history.js";
import { parseSweepRequest, type SweepQueueEntry, sweepQueueEntry } from "../triggers/sweep-message.js";

/** Counted once per run that found no account to sweep, so an alarm can say the sweep checks nothing. */
export const EMPTY_SWEEP_METRIC = "OrgSweepsWithoutAccounts";

/** What the coordinator needs; the app layer keeps the organization's account list cached across runs. */
export interface OrgSweepPorts {
  /** The regions a scheduled run covers (GOVERNED_REGIONS); "all": each account's enabled regions. */
  readonly governedRegions: readonly RegionName[] | "all";
  /** The regions enabled in the account (opt-in regions included once opted in), asked of the account itself. */
  enabledRegionsOf(accountId: AccountId): Promise<readonly RegionName[]>;
  /** Where an account whose regions cannot be listed is swept, so the worker reports why it cannot be reached. */
  readonly homeRegion?: RegionName | undefined;
  /** Every ACTIVE account of the organization (all pages). */
  activeAccounts(): Promise<ReadonlyArray<{ readonly accountId: AccountId }>>;
  /**
   * Sends every entry to the sweep queue in as few calls as SQS allows, deduplicated by each entry's id; never
   * throws, returns the bodies it could not send.
   */
  enqueue(entries: readonly SweepQueueEntry[]): Promise<{
    readonly sent: number;
    readonly failed: ReadonlyArray<{ readonly body: string; readonly reason: string }>;
  }>;
  /** The coverage history (REPORT_BUCKET), when the deployment keeps one: the run's manifest goes there. */
  readonly history?: { put(key: string, body: string): Promise<void> } | undefined;
}

export interface OrgSweepResult {
  readonly runId: string;
  readonly accounts: number;
  /** The regions asked for; ["ALL"] when each account's enabled regions were swept. */
  readonly regions: readonly string[];
  readonly enqueued: number;
  /** Accounts named in an on-demand request that are not ACTIVE members: never enqueued. */
  readonly skipped?: ReadonlyArray<{ readonly accountId: string; readonly reason: string }>;
}

/**
 * 1. parse the request (`{ accounts?, regions?, runId? }`; malformed → EventValidationError, nothing enqueued)
 * 2. list the organization's ACTIVE accounts (all pages); requested accounts outside it are skipped and reported
 * 3. with GOVERNED_REGIONS=ALL, ask each account for its enabled regions (10 accounts at a time); an account that
 *    cannot be asked is enqueued for the home region, where the worker reports why it cannot be reached
 * 4. enqueue one `{ accountId, region, runId }` message per account × region, 10 per SendMessageBatch, each with a
 *    deduplication id derived from the run, account and region (sweepQueueEntry)
 * 5. write the run's manifest (what was enqueued) next to the workers' outcomes, when a history is kept
 * 6. log and count the run; throw SweepEnqueueError after the others were sent if some never got in
 *
 * `defaultRunId` is the invocation's request id: a Lambda retry of the same invocation re-sends with the same run
 * id. Lambda retries a failed asynchronous invocation after 1 minute and again 2 minutes later, so a retry after a
 * partial SendMessageBatch failure (SweepEnqueueError) usually falls within the FIFO sweep queue's 5-minute
 * deduplication interval: the entries sent the first time are accepted again but not delivered twice. A retry
 * beyond it (a long listing of accounts' regions before the re-send) may enqueue an account-region a second time;
 * the workers' ClientTokens, seeded by the run id, still create no flow log twice, so it costs one more evaluation.
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

  const regionsByAccount = await regionsToSweep(accounts, regions, ports);
  const entries = accounts.flatMap((accountId) =>
    (regionsByAccount.get(accountId) ?? []).map((region) => sweepQueueEntry({ accountId, region }, runId)),
  );
  const startedAt = new Date().toISOString();
  const { sent, failed } = await ports.enqueue(entries);
  const result: OrgSweepResult = {
    runId,
    accounts: accounts.length,
    regions: regions === "all" ? ["ALL"] : regions,
    enqueued: sent,
    ...(skipped.length === 0 ? {} : { skipped }),
  };
  const manifest: RunManifest = {
    runId,
    startedAt,
    accounts,
    // With GOVERNED_REGIONS=ALL, the regions the accounts reported: what the run's outcomes can cover.
    regions: regions === "all" ? [...new Set([...regionsByAccount.values()].flat())] : regions,
    enqueued: sent,
    notEnqueued: failed.length,
    ...(skipped.length === 0 ? {} : { skipped }),
  };
  await ports.history?.put(manifestKey(runId), `${JSON.stringify(manifest, null, 2)}\n`);
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

const REGION_LOOKUP_CONCURRENCY = 10;

async function regionsToSweep(
  accounts: readonly AccountId[],
  regions: readonly RegionName[] | "all",
  ports: OrgSweepPorts,
): Promise<Map<AccountId, readonly RegionName[]>> {
  if (regions !== "all") return new Map(accounts.map((accountId) => [accountId, regions]));
  const listed = await mapConcurrently(accounts, REGION_LOOKUP_CONCURRENCY, async (accountId) => {
    try {
      return [accountId, await ports.enabledRegionsOf(accountId)] as const;
    } catch (error) {
      logger.warn("account regions not listed", { accountId, error: errorSummary(error) });
      metrics.addMetric("AccountsWithoutRegionList", MetricUnit.Count, 1);
      return [accountId, ports.homeRegion === undefined ? [] : [ports.homeRegion]] as const;
    }
  });
  return new Map(listed);
}
