// Pure: enforcement outcomes in, the counts every report shows out — per outcome kind (resources) and new flow logs
// (writes), which differ because one VPC flow log covers the VPC and its subnets — plus the words for them and the
// sweep's compact per-account-region summary (what would be or failed to be created, which flow logs are
// unapproved and which were deleted or replaced). Every report (CLI, npm start, local invoke, logs, metrics) counts
// here, so "created" never means two things.
import { type EnforcementReport, OUTCOMES, type Outcome, type OutcomeKind } from "./enforce.js";

export interface ReportSummary {
  readonly resources: number;
  readonly counts: Partial<Record<OutcomeKind, number>>;
  /** Flow logs written (distinct new flow-log IDs): fewer than `counts.created` when one covers several resources. */
  readonly flowLogsCreated: number;
  /** Audit mode: what enforce mode would create, as `resourceId: reason` (at most `listLimit` entries). */
  readonly wouldCreate?: string[];
  readonly failed?: string[];
  /** Resources with unapproved flow logs, as `resourceId: reason` (the reason names each flow log and its action). */
  readonly unapproved?: string[];
  /** Flow logs deleted by this run, as `resourceId: fl-… (unapproved|replaced)`. */
  readonly deleted?: string[];
  /** Entries left out of the lists above to keep the log line small (CloudWatch caps an event at 256 KB). */
  readonly omitted?: number;
}

/** How many resources ended in each outcome kind, in OUTCOMES order; kinds with none are left out. */
export function countOutcomes(outcomes: readonly Outcome[]): Partial<Record<OutcomeKind, number>> {
  const counts: Partial<Record<OutcomeKind, number>> = {};
  for (const kind of OUTCOMES) {
    const count = outcomes.filter((outcome) => outcome.outcome === kind).length;
    if (count > 0) counts[kind] = count;
  }
  return counts;
}

/** Flow logs the run wrote: distinct IDs of `created` outcomes (subnets covered through their VPC share one). */
export function countNewFlowLogs(outcomes: readonly Outcome[]): number {
  return new Set(
    outcomes
      .filter((outcome) => outcome.outcome === "created")
      .flatMap((outcome) => outcome.flowLogIds ?? []),
  ).size;
}

/** Flow logs an audit says enforcement would write: one per distinct resource a remedy goes on. */
export function countPlannedFlowLogs(outcomes: readonly Outcome[]): number {
  return new Set(
    outcomes
      .filter((outcome) => outcome.outcome === "would-create")
      .map((outcome) => `${outcome.accountId}/${outcome.region}/${outcome.remedyOn ?? outcome.resourceId}`),
  ).size;
}

/**
 * "7 resources covered by 1 new flow log", "1 resource would be covered by 1 new flow log": what the writes of a
 * run amount to, resources and flow logs counted apart.
 */
export function coverageWords(resources: number, flowLogs: number, planned = false): string {
  const what = `${resources} ${plural(resources, "resource")}`;
  const verb = planned ? "would be covered" : "covered";
  return `${what} ${verb} by ${flowLogs} new ${plural(flowLogs, "flow log")}`;
}

/**
 * One line for a set of outcomes: the writes first ("7 resources covered by 1 new flow log"), then every other
 * outcome kind with its resource count ("3 compliant, 1 exempt").
 */
export function outcomeWords(outcomes: readonly Outcome[]): string {
  const counts = countOutcomes(outcomes);
  const parts: string[] = [];
  if (counts.created !== undefined) parts.push(coverageWords(counts.created, countNewFlowLogs(outcomes)));
  if (counts["would-create"] !== undefined)
    parts.push(coverageWords(counts["would-create"], countPlannedFlowLogs(outcomes), true));
  for (const [kind, count] of Object.entries(counts))
    if (kind !== "created" && kind !== "would-create") parts.push(`${count} ${kind}`);
  return parts.length === 0 ? "no resources in scope" : parts.join(", ");
}

type ListName = "wouldCreate" | "failed" | "unapproved" | "deleted";

export function summarizeReport(report: EnforcementReport, listLimit = 100): ReportSummary {
  const describe = (outcome: Outcome) => `${outcome.resourceId}: ${outcome.reason ?? outcome.outcome}`;
  const lists: Array<[ListName, string[]]> = [
    ["wouldCreate", report.outcomes.filter((o) => o.outcome === "would-create").map(describe)],
    ["failed", report.outcomes.filter((o) => o.outcome === "failed").map(describe)],
    ["unapproved", report.outcomes.filter((o) => o.outcome === "unapproved").map(describe)],
    ["deleted", report.outcomes.flatMap(deletedFlowLogs)],
  ];
  let omitted = 0;
  const kept: Partial<Record<ListName, string[]>> = {};
  for (const [name, entries] of lists) {
    if (entries.length === 0) continue;
    kept[name] = entries.slice(0, listLimit);
    omitted += Math.max(0, entries.length - listLimit);
  }
  return {
    resources: report.outcomes.filter((o) => o.resourceType !== "AccountRegion").length,
    counts: countOutcomes(report.outcomes),
    flowLogsCreated: countNewFlowLogs(report.outcomes),
    ...kept,
    ...(omitted === 0 ? {} : { omitted }),
  };
}

function deletedFlowLogs(outcome: Outcome): string[] {
  return [
    ...(outcome.unapprovedFlowLogs ?? [])
      .filter((log) => log.action === "deleted")
      .map((log) => `${outcome.resourceId}: ${log.flowLogId} (unapproved, to ${log.destination})`),
    ...(outcome.replacedFlowLogIds ?? []).map((id) => `${outcome.resourceId}: ${id} (replaced)`),
  ];
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
