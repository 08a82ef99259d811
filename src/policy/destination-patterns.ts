// Pure: where flow logs go, as one comparable string, and patterns of allowed places. Serves every rule that
// limits destinations (the policy's approvedDestinations, the deploy-time ALLOWED_DESTINATIONS guard), so "which
// destination is this" and "does a pattern allow it" are decided once.
import type { ExistingFlowLog, ResolvedDestination } from "../domain/flow-logs.js";
import type { AccountRegion } from "../domain/resources.js";

/** Placeholders a destination pattern may carry: those that follow from the account-region alone. */
export const PATTERN_PLACEHOLDERS = ["AccountId", "Region", "Partition"] as const;

/**
 * The ARN a destination is compared by: S3 and Firehose ARNs as given without trailing slashes, a CloudWatch Logs
 * group as `arn:<partition>:logs:<region>:<account>:log-group:<name>` (a name alone lives in the flow log's own
 * account-region) without the `:*` suffix.
 */
export function destinationArn(destination: ResolvedDestination, where: AccountRegion): string | undefined {
  if (destination.type === "cloud-watch-logs") {
    if (destination.arn !== undefined) return normalizeArn(destination.arn);
    return destination.logGroupName === undefined ? undefined : logGroupArn(destination.logGroupName, where);
  }
  return destination.arn === undefined ? undefined : normalizeArn(destination.arn);
}

/** The same comparable ARN for a flow log as DescribeFlowLogs reports it. */
export function flowLogDestinationArn(log: ExistingFlowLog, where: AccountRegion): string | undefined {
  if (log.logDestination !== undefined && log.logDestination !== "") return normalizeArn(log.logDestination);
  if (log.logGroupName !== undefined && log.logGroupName !== "") return logGroupArn(log.logGroupName, where);
  return undefined;
}

/**
 * A test of destination ARNs against patterns: `*` matches any run of characters (including none), every other
 * character matches itself, and `${AccountId}`, `${Region}`, `${Partition}` stand for the account-region the
 * destination is evaluated for. A pattern without `*` must match the whole ARN (trailing slashes aside).
 */
export function destinationMatcher(
  patterns: readonly string[],
  where: AccountRegion,
): (arn: string) => boolean {
  const compiled = patterns.map((pattern) => compile(substitute(pattern, where)));
  return (arn) => {
    const candidate = normalizeArn(arn);
    return compiled.some((regex) => regex.test(candidate));
  };
}

/** The placeholders in a pattern that PATTERN_PLACEHOLDERS does not know (for validation messages). */
export function unknownPatternPlaceholders(pattern: string): string[] {
  const known: ReadonlySet<string> = new Set(PATTERN_PLACEHOLDERS);
  return [...pattern.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => match[1] ?? "")
    .filter((name) => !known.has(name));
}

function substitute(pattern: string, where: AccountRegion): string {
  const values: Record<string, string> = {
    AccountId: where.accountId,
    Region: where.region,
    Partition: where.partition,
  };
  // Unknown placeholders are refused by validation; left as written here, they can only match themselves.
  return pattern.replace(/\$\{([A-Za-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function compile(pattern: string): RegExp {
  const body = normalizeArn(pattern)
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/** `arn:aws:s3:::bucket/prefix/` and `…/prefix` name the same place; so do `log-group:x:*` and `log-group:x`. */
function normalizeArn(arn: string): string {
  return arn.replace(/:\*$/, "").replace(/\/+$/, "");
}

function logGroupArn(name: string, where: AccountRegion): string {
  return `arn:${where.partition}:logs:${where.region}:${where.accountId}:log-group:${name}`;
}
