// The log groups a run is about to send flow logs to, prepared before CreateFlowLogs: a `cloud-watch-logs` destination
// with `logGroup` settings gets its group created (retention, key, class) when it is missing, and the retention of a
// group the enforcer created is brought back to the policy's. A group that cannot be prepared fails the remedies
// that need it (no flow log is created to a group that does not exist); the others carry on.
import type { LogGroupSettings, ResolvedDestination } from "../domain/flow-logs.js";
import type { AccountRegion } from "../domain/resources.js";
import { errorSummary } from "../errors.js";
import type { Verdict } from "./coverage.js";
import type { ExistingLogGroup, LogGroupPort } from "./ports.js";

/** What to do with one log group, decided from what exists (pure). */
export type LogGroupAction =
  | { readonly kind: "create"; readonly name: string; readonly settings: LogGroupSettings }
  | { readonly kind: "fix-retention-if-ours"; readonly name: string; readonly days: number }
  | { readonly kind: "none"; readonly name: string };

export function planLogGroup(
  name: string,
  settings: LogGroupSettings,
  existing: ExistingLogGroup | undefined,
): LogGroupAction {
  if (existing === undefined) return { kind: "create", name, settings };
  if (settings.retentionDays !== undefined && existing.retentionDays !== settings.retentionDays)
    return { kind: "fix-retention-if-ours", name, days: settings.retentionDays };
  return { kind: "none", name };
}

/**
 * The name of the group a destination with `logGroup` settings sends to, in the flow log's own account-region, or
 * why the enforcer cannot prepare it. Undefined when the destination asks for no preparation.
 */
export function preparedLogGroupName(
  destination: ResolvedDestination,
  where: AccountRegion,
): { readonly name: string } | { readonly problem: string } | undefined {
  if (destination.type !== "cloud-watch-logs" || destination.logGroup === undefined) return undefined;
  if (destination.logGroupName !== undefined) return { name: destination.logGroupName };
  const match = /^arn:([^:]+):logs:([^:]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(destination.arn ?? "");
  if (match === null) return { problem: `cannot read a log group name from ${destination.arn}` };
  const [, , region, account, name = ""] = match;
  if (region !== where.region || account !== where.accountId)
    return {
      problem: `log group ${destination.arn} is not in ${where.accountId}/${where.region}: the enforcer creates log groups only where the flow log is`,
    };
  return { name };
}

/**
 * 1. collect the groups the `missing` verdicts' remedies send to (with logGroup settings)
 * 2. describe them in one pass, decide per group (planLogGroup), create or fix retention
 * 3. return the verdicts with the remedies whose group could not be prepared turned `failed`
 */
export async function prepareLogGroups(
  verdicts: ReadonlyMap<string, Verdict>,
  where: AccountRegion,
  port: (() => Promise<LogGroupPort>) | undefined,
): Promise<Map<string, Verdict>> {
  const wanted = new Map<string, LogGroupSettings>();
  const problems = new Map<string, string>();
  for (const [id, verdict] of verdicts) {
    if (verdict.kind !== "missing") continue;
    const destination = verdict.remedy.settings.destination;
    const group = preparedLogGroupName(destination, where);
    if (group === undefined) continue;
    if ("problem" in group) problems.set(id, group.problem);
    else if (destination.logGroup !== undefined) wanted.set(group.name, destination.logGroup);
  }
  if (wanted.size > 0) {
    const failures = await prepare(wanted, port);
    for (const [id, verdict] of verdicts) {
      if (verdict.kind !== "missing") continue;
      const group = preparedLogGroupName(verdict.remedy.settings.destination, where);
      const failure = group !== undefined && "name" in group ? failures.get(group.name) : undefined;
      if (failure !== undefined) problems.set(id, failure);
    }
  }
  if (problems.size === 0) return new Map(verdicts);
  return new Map(
    [...verdicts].map(([id, verdict]): [string, Verdict] => {
      const problem = problems.get(id);
      return problem === undefined ? [id, verdict] : [id, { kind: "failed", reason: problem }];
    }),
  );
}

/** Prepares every wanted group; returns the reason per group that could not be prepared. */
async function prepare(
  wanted: ReadonlyMap<string, LogGroupSettings>,
  port: (() => Promise<LogGroupPort>) | undefined,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  if (port === undefined) {
    for (const name of wanted.keys())
      failures.set(name, `log group ${name} cannot be prepared: no CloudWatch Logs access is wired`);
    return failures;
  }
  let logs: LogGroupPort;
  let existing: Map<string, ExistingLogGroup>;
  try {
    logs = await port();
    existing = await logs.describeLogGroups([...wanted.keys()]);
  } catch (error) {
    for (const name of wanted.keys())
      failures.set(name, `cannot read log group ${name}: ${errorSummary(error)}`);
    return failures;
  }
  await Promise.all(
    [...wanted].map(async ([name, settings]) => {
      const action = planLogGroup(name, settings, existing.get(name));
      try {
        if (action.kind === "create") await logs.createLogGroup(name, action.settings);
        else if (action.kind === "fix-retention-if-ours" && (await logs.createdByEnforcer(name)))
          await logs.setRetention(name, action.days);
      } catch (error) {
        // Only a failed create blocks the flow log; a group whose retention could not be fixed still receives logs
        // (the gateway logs that failure).
        if (action.kind === "create")
          failures.set(name, `creating log group ${name} failed: ${errorSummary(error)}`);
      }
    }),
  );
  return failures;
}
