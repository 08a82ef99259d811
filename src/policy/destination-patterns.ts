// Pure: where flow logs go, as one comparable string, and patterns of allowed places. Serves every rule that
// limits destinations (the policy's approvedDestinations, the deploy-time ALLOWED_DESTINATIONS guard), so "which
// destination is this" and "does a pattern allow it" are decided once.
import type { ExistingFlowLog, ResolvedDestination } from "../domain/flow-logs.js";
import type { AccountRegion } from "../domain/resources.js";

/** What a destination is evaluated for: an account-region, or the symbolic one `flowlogs validate` uses. */
export type DestinationPlace = Pick<AccountRegion, "partition"> & {
  readonly accountId: string;
  readonly region: string;
};

/** Placeholders a destination pattern may carry: those that follow from the account-region alone. */
export const PATTERN_PLACEHOLDERS = ["AccountId", "Region", "Partition"] as const;

/**
 * The ARN a destination is compared by: S3 and Firehose ARNs as given without trailing slashes, a CloudWatch Logs
 * group as `arn:<partition>:logs:<region>:<account>:log-group:<name>` (a name alone lives in the flow log's own
 * account-region) without the `:*` suffix.
 */
export function destinationArn(
  destination: ResolvedDestination,
  where: DestinationPlace,
): string | undefined {
  if (destination.type === "cloud-watch-logs") {
    if (destination.arn !== undefined) return normalizeArn(destination.arn);
    return destination.logGroupName === undefined ? undefined : logGroupArn(destination.logGroupName, where);
  }
  return destination.arn === undefined ? undefined : normalizeArn(destination.arn);
}

/** The same comparable ARN for a flow log as DescribeFlowLogs reports it. */
export function flowLogDestinationArn(log: ExistingFlowLog, where: DestinationPlace): string | undefined {
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
  where: DestinationPlace,
): (arn: string) => boolean {
  const compiled = patterns.map((pattern) => compile(substitute(pattern, where)));
  return (arn) => {
    const candidate = normalizeArn(arn);
    return compiled.some((regex) => regex.test(candidate));
  };
}

/**
 * `a,b , c` → the patterns of a guard (ALLOWED_DESTINATIONS, --allowed-destinations): each an ARN pattern
 * (`arn:…`) or `*` for any destination, with only PATTERN_PLACEHOLDERS. Empty text: no patterns.
 */
export function parseDestinationPatterns(
  text: string,
):
  | { readonly kind: "valid"; readonly patterns: string[] }
  | { readonly kind: "invalid"; readonly problem: string } {
  const patterns = text
    .split(",")
    .map((pattern) => pattern.trim())
    .filter(Boolean);
  for (const pattern of patterns) {
    if (pattern !== "*" && !pattern.startsWith("arn:"))
      return { kind: "invalid", problem: `must list ARN patterns (arn:…) or * (got "${pattern}")` };
    const unknown = unknownPatternPlaceholders(pattern);
    if (unknown.length > 0)
      return {
        kind: "invalid",
        problem: `may use only \${${PATTERN_PLACEHOLDERS.join("}, ${")}} (got \${${unknown[0]}} in "${pattern}")`,
      };
  }
  return { kind: "valid", patterns };
}

/** The placeholders in a pattern that PATTERN_PLACEHOLDERS does not know (for validation messages). */
export function unknownPatternPlaceholders(pattern: string): string[] {
  const known: ReadonlySet<string> = new Set(PATTERN_PLACEHOLDERS);
  return [...pattern.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => match[1] ?? "")
    .filter((name) => !known.has(name));
}

/** A destination as the policy writes it: placeholders (${AccountId}, ${ResourceId}, …) not yet substituted. */
export interface DestinationTemplate {
  readonly type: ResolvedDestination["type"];
  readonly arn?: string | undefined;
  readonly logGroupName?: string | undefined;
}

/**
 * Whether a policy's destination can resolve outside the patterns for some account, region or resource — the check
 * `flowlogs validate` makes with no account at hand. Each of ${AccountId}, ${Region}, ${ResourceId} and ${VpcId}
 * stands for a value no literal text can equal, so only a `*` or the same placeholder in a pattern covers it: the
 * destination is inside for every value, or it "can fall outside". ${Partition} is one value per deployment (an
 * organization lives in one partition): the one the patterns spell, or aws when none does.
 */
export function canFallOutside(destination: DestinationTemplate, patterns: readonly string[]): boolean {
  const where: DestinationPlace = {
    accountId: "\u0000AccountId\u0000",
    region: "\u0000Region\u0000",
    partition: patternPartition(patterns),
  };
  const symbols: Record<string, string> = {
    AccountId: where.accountId,
    Region: where.region,
    Partition: where.partition,
    ResourceId: "\u0000ResourceId\u0000",
    VpcId: "\u0000VpcId\u0000",
  };
  const symbolic = (text: string | undefined) =>
    text?.replace(/\$\{([A-Za-z]+)\}/g, (whole, name: string) => symbols[name] ?? whole);
  const resolved: ResolvedDestination = {
    type: destination.type,
    ...(destination.arn === undefined ? {} : { arn: symbolic(destination.arn) }),
    ...(destination.logGroupName === undefined ? {} : { logGroupName: symbolic(destination.logGroupName) }),
  };
  const arn = destinationArn(resolved, where);
  return arn === undefined || !destinationMatcher(patterns, where)(arn);
}

function patternPartition(patterns: readonly string[]): string {
  const named = new Set(patterns.flatMap((pattern) => /^arn:([a-z-]+):/.exec(pattern)?.[1] ?? []));
  const [only] = named;
  return named.size === 1 && only !== undefined ? only : "aws";
}

function substitute(pattern: string, where: DestinationPlace): string {
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

function logGroupArn(name: string, where: DestinationPlace): string {
  return `arn:${where.partition}:logs:${where.region}:${where.accountId}:log-group:${name}`;
}
