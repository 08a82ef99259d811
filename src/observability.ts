// The one place Powertools is configured: every handler imports its logger and metrics from here.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { EnforcementReport, OutcomeKind } from "./engine/enforce.js";

export const SERVICE_NAME = "vpc-flow-log-enforcer";

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: "VpcFlowLogEnforcer" });

export type Trigger = "eventbridge" | "config-rule" | "config-remediation" | "sweep" | "cli";

export interface Correlation {
  readonly trigger: Trigger;
  /** The triggering event's id, Config result token, or sweep run id. */
  readonly correlationId: string;
}

/**
 * One structured log line per resource outcome (so one Logs Insights query finds a resource's history) and one
 * EMF count per outcome kind, dimensioned by trigger and outcome only to keep cardinality low.
 */
export function publishReport(report: EnforcementReport, correlation: Correlation): void {
  const counts = new Map<OutcomeKind, number>();
  for (const outcome of report.outcomes) {
    const level = outcome.outcome === "failed" || outcome.outcome === "delivery-failing" ? "warn" : "info";
    logger[level]("flow-log outcome", { ...correlation, ...outcome });
    counts.set(outcome.outcome, (counts.get(outcome.outcome) ?? 0) + 1);
  }
  for (const [outcome, count] of counts) {
    const metric = metrics.singleMetric();
    metric.addDimensions({ trigger: correlation.trigger, outcome });
    metric.addMetric("ResourceOutcomes", MetricUnit.Count, count);
  }
}
