// Pure: one account-region's enforcement report in, a compact summary out (counts, and what would be or failed to be
// created, which flow logs are unapproved and which were replaced), for the sweep's one summary log line per
// account-region.
import type { EnforcementReport, Outcome, OutcomeKind } from "./enforce.js";

export interface ReportSummary {
  readonly resources: number;
  readonly counts: Partial<Record<OutcomeKind, number>>;
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

type ListName = "wouldCreate" | "failed" | "unapproved" | "deleted";

export function summarizeReport(report: EnforcementReport, listLimit = 100): ReportSummary {
  const counts: Partial<Record<OutcomeKind, number>> = {};
  for (const outcome of report.outcomes) counts[outcome.outcome] = (counts[outcome.outcome] ?? 0) + 1;
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
    counts,
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
