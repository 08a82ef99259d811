// An account-region's enforcement report in, its optional outputs out: Security Hub findings kept in sync and one
// notification about its non-compliant resources. Each output is a port the app layer wires only when configured.
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { AccountRegion } from "../domain/resources.js";
import type { EnforcementReport, EnforcementScope } from "../engine/enforce.js";
import { errorSummary } from "../errors.js";
import { type Correlation, logger, metrics } from "../observability.js";
import { type FindingState, type FindingsPlan, findingId, planFindings } from "../reports/findings.js";
import { type Notification, notificationOf } from "../reports/notification.js";

/** The enforcer's findings in each account-region's own Security Hub (SECURITY_HUB_FINDINGS=on). */
export interface FindingsPort {
  /**
   * The enforcer's findings already in the account-region's Security Hub: those with these Ids, or all of them
   * ("all", for an evaluation of the whole account-region).
   */
  currentFindings(
    target: AccountRegion,
    ids: readonly string[] | "all",
  ): Promise<ReadonlyMap<string, FindingState>>;
  /**
   * Imports the plan's findings (at most 100 per BatchImportFindings), then sets the workflow of `resolve` to
   * RESOLVED. Throws FindingsImportError naming what Security Hub refused, after trying every batch.
   */
  applyFindings(target: AccountRegion, plan: FindingsPlan): Promise<void>;
}

/** One message per evaluated account-region with non-compliant outcomes (NOTIFICATION_TOPIC_ARN). */
export interface NotificationPort {
  publish(notification: Notification): Promise<void>;
}

/** Where outcomes go besides the logs and metrics; an absent port is an output that is off. */
export interface ReportOutputs {
  readonly findings?: FindingsPort | undefined;
  readonly notifications?: NotificationPort | undefined;
}

export interface OutputJob {
  readonly target: AccountRegion;
  readonly scope: EnforcementScope;
  readonly correlation: Correlation;
}

/**
 * 1. findings: read the enforcer's current findings (by Id for named resources, all for an account-region), plan
 *    what changed state (src/reports/findings.ts), import it and resolve what passed
 * 2. notification: one message listing every non-compliant outcome, if any
 * Both run side by side. A failing output does not undo enforcement nor stop the other output: it is logged with
 * its reason and counted (ReportOutputFailures, alarmed). Findings heal on the next evaluation, which compares
 * against what Security Hub holds, not against what was sent.
 */
export async function publishOutputs(
  report: EnforcementReport,
  job: OutputJob,
  outputs: ReportOutputs | undefined,
): Promise<void> {
  const tasks: Array<[string, Promise<unknown>]> = [];
  if (outputs?.findings) tasks.push(["findings", syncFindings(report, job, outputs.findings)]);
  if (outputs?.notifications) tasks.push(["notification", notify(report, job, outputs.notifications)]);
  const settled = await Promise.allSettled(tasks.map(([, task]) => task));
  settled.forEach((result, index) => {
    if (result.status === "fulfilled") return;
    logger.error("report output failed", {
      ...job.correlation,
      accountId: job.target.accountId,
      region: job.target.region,
      output: tasks[index]?.[0],
      error: errorSummary(result.reason),
    });
    metrics.addMetric("ReportOutputFailures", MetricUnit.Count, 1);
  });
}

async function syncFindings(
  report: EnforcementReport,
  job: OutputJob,
  findings: FindingsPort,
): Promise<void> {
  const resources = report.outcomes.filter((outcome) => outcome.resourceType !== "AccountRegion");
  // An unreachable account-region has only its AccountRegion row: its Security Hub is out of reach too.
  if (resources.length === 0) return;
  const ids =
    job.scope.kind === "account-region"
      ? "all"
      : resources.map((outcome) => findingId(job.target, outcome.resourceId));
  const current = await findings.currentFindings(job.target, ids);
  const plan = planFindings(resources, current, {
    target: job.target,
    mode: report.mode,
    trigger: job.correlation.trigger,
    now: new Date(),
  });
  if (plan.imports.length > 0 || plan.resolve.length > 0) await findings.applyFindings(job.target, plan);
  logger.info("security hub findings synced", {
    ...job.correlation,
    accountId: job.target.accountId,
    region: job.target.region,
    known: current.size,
    imported: plan.imports.length,
    resolved: plan.resolve.length,
  });
}

async function notify(report: EnforcementReport, job: OutputJob, port: NotificationPort): Promise<void> {
  const notification = notificationOf(report.outcomes, {
    accountId: job.target.accountId,
    region: job.target.region,
    mode: report.mode,
    trigger: job.correlation.trigger,
    correlationId: job.correlation.correlationId,
  });
  if (notification !== undefined) await port.publish(notification);
}
