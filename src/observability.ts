// The one place Powertools is configured: every handler imports its logger and metrics from here.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MiddlewareObj } from "@middy/core";
import type { EnforcementReport, OutcomeKind } from "./engine/enforce.js";
import { countNewFlowLogs, countOutcomes } from "./engine/summary.js";

export const SERVICE_NAME = "vpc-flow-log-enforcer";

export const logger = new Logger({ serviceName: SERVICE_NAME });
// Metrics' own warnings (a dimension set twice when one process reports several account-regions) go through the
// logger as structured lines, at its level, instead of raw console output.
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: "VpcFlowLogEnforcer", logger });

export type Trigger = "eventbridge" | "config-rule" | "config-remediation" | "sweep" | "cli";

export interface Correlation {
  readonly trigger: Trigger;
  /** The triggering event's id, Config result token, or sweep run id. */
  readonly correlationId: string;
  /** The policy a decision was made by: its source and, for an SSM parameter, its Version. */
  readonly policySource?: string;
  readonly policyVersion?: string;
  /** How many events one evaluation answered for, when a burst was coalesced (the correlationId names the first). */
  readonly coalescedEvents?: number;
}

/** Outcomes someone must act on: logged as warnings (and alarmed on, see templates/observability.yaml). */
const WARN_OUTCOMES: ReadonlySet<OutcomeKind> = new Set(["failed", "delivery-failing", "unapproved"]);
/** The metric counting flow logs written, beside the per-resource outcome counts (one flow log covers many). */
export const FLOW_LOGS_CREATED_METRIC = "FlowLogsCreated";

/**
 * One structured log line per resource outcome (so one Logs Insights query finds a resource's history), one EMF
 * count per outcome kind (metric named after the outcome: resources) and FlowLogsCreated (flow logs written),
 * dimensioned by trigger only: low cardinality, flushed with the invocation by the publishMetrics middleware.
 */
export function publishReport(report: EnforcementReport, correlation: Correlation): void {
  for (const outcome of report.outcomes) {
    const level = WARN_OUTCOMES.has(outcome.outcome) ? "warn" : "info";
    logger[level]("flow-log outcome", { ...correlation, ...outcome });
  }
  // Set even when there is nothing to count, so metrics added later in the invocation (the sweep's
  // AccountRegionsSwept) carry the same dimension set as the outcome counts.
  metrics.addDimension("trigger", correlation.trigger);
  for (const [outcome, count] of Object.entries(countOutcomes(report.outcomes)))
    metrics.addMetric(outcome, MetricUnit.Count, count);
  const flowLogs = countNewFlowLogs(report.outcomes);
  if (flowLogs > 0) metrics.addMetric(FLOW_LOGS_CREATED_METRIC, MetricUnit.Count, flowLogs);
}

/**
 * Middy middleware: flushes the invocation's metrics when it ends, as Powertools' logMetrics does, but without its
 * "No application metrics to publish" warning when an invocation failed before counting anything (a malformed
 * event, an unreadable policy): the failure is logged and counted by Lambda's Errors metric already.
 */
export function publishMetrics(): MiddlewareObj {
  const flush = () => {
    if (metrics.hasStoredMetrics()) {
      metrics.publishStoredMetrics();
      return;
    }
    metrics.clearDimensions();
    metrics.clearMetadata();
  };
  return { after: flush, onError: flush };
}

// Coverage is reported per account, a dimension no other metric has: its own Metrics instance keeps the account out
// of the outcome counts' dimension set, and each call is one EMF document.
const coverageMetrics = new Metrics({ serviceName: SERVICE_NAME, namespace: "VpcFlowLogEnforcer", logger });

/**
 * The sweep's coverage of one account-region, under dimensions {service, accountId}: CoveredResources and
 * InScopeResources (sum them per account across regions) and CoveragePercent (absent when nothing is in scope).
 */
export function publishCoverage(
  accountId: string,
  coverage: { readonly covered: number; readonly inScope: number; readonly percent: number | undefined },
): void {
  coverageMetrics.addDimension("accountId", accountId);
  coverageMetrics.addMetric("CoveredResources", MetricUnit.Count, coverage.covered);
  coverageMetrics.addMetric("InScopeResources", MetricUnit.Count, coverage.inScope);
  if (coverage.percent !== undefined)
    coverageMetrics.addMetric("CoveragePercent", MetricUnit.Percent, coverage.percent);
  coverageMetrics.publishStoredMetrics();
}
