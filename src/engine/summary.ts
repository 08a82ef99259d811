// Pure: one account-region's enforcement report in, a compact summary out (counts, and what would be or failed to be
// created), for the sweep's one summary log line per account-region.
import type { EnforcementReport, Outcome, OutcomeKind } from "./enforce.js";

export interface ReportSummary {
  readonly resources: number;
  readonly counts: Partial<Record<OutcomeKind, number>>;
  /** Audit mode: what enforce mode would create, as `resourceId: reason` (at most `listLimit` entries). */
  readonly wouldCreate?: string[];
  readonly failed?: string[];
  /** Entries left out of the lists above to keep the log line small (CloudWatch caps an event at 256 KB). */
  readonly omitted?: number;
}

export function summarizeReport(report: EnforcementReport, listLimit = 100): ReportSummary {
  const counts: Partial<Record<OutcomeKind, number>> = {};
  for (const outcome of report.outcomes) counts[outcome.outcome] = (counts[outcome.outcome] ?? 0) + 1;
  const describe = (outcome: Outcome) => `${outcome.resourceId}: ${outcome.reason ?? outcome.outcome}`;
  const wouldCreate = report.outcomes.filter((o) => o.outcome === "would-create");
  const failed = report.outcomes.filter((o) => o.outcome === "failed");
  const omitted = Math.max(0, wouldCreate.length - listLimit) + Math.max(0, failed.length - listLimit);
  return {
    resources: report.outcomes.filter((o) => o.resourceType !== "AccountRegion").length,
    counts,
    ...(wouldCreate.length === 0 ? {} : { wouldCreate: wouldCreate.slice(0, listLimit).map(describe) }),
    ...(failed.length === 0 ? {} : { failed: failed.slice(0, listLimit).map(describe) }),
    ...(omitted === 0 ? {} : { omitted }),
  };
}
