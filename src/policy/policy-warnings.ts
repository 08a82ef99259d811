// Pure: what is valid in a policy but worth a warning before it is deployed — destinations the deployment's guard
// would refuse, exemptions that have already expired. `flowlogs validate` prints them; enforcement never needs them.
import type { PolicyIssue } from "../errors.js";
import { canFallOutside } from "./destination-patterns.js";
import { exemptionEnd } from "./exemption-expiry.js";
import type { Policy } from "./schema.js";

export interface WarningContext {
  /** The destination guard to check against (ALLOWED_DESTINATIONS); undefined: none given. */
  readonly allowedDestinations?: readonly string[] | undefined;
  /** When the check is made: exemptions that ended before it no longer match. */
  readonly now: Date;
}

export function policyWarnings(policy: Policy, context: WarningContext): PolicyIssue[] {
  return [...guardWarnings(policy, context.allowedDestinations), ...expiryWarnings(policy, context.now)];
}

/** Every destination the policy names (the defaults' and each rule's) that can resolve outside the guard. */
function guardWarnings(policy: Policy, patterns: readonly string[] | undefined): PolicyIssue[] {
  if (patterns === undefined) return [];
  const named = [
    { path: "defaults.destination", destination: policy.defaults.destination },
    ...policy.rules.flatMap((rule, index) =>
      rule.destination === undefined
        ? []
        : [{ path: `rules[${index}].destination`, destination: rule.destination }],
    ),
  ];
  return named
    .filter(({ destination }) => canFallOutside(destination, patterns))
    .map(({ path, destination }) => ({
      path,
      message: `${describe(destination)} can fall outside ALLOWED_DESTINATIONS (${patterns.join(", ")}): those resources would be reported failed and get no flow log`,
    }));
}

function expiryWarnings(policy: Policy, now: Date): PolicyIssue[] {
  return policy.rules.flatMap((rule, index) => {
    const end = rule.expires === undefined ? undefined : exemptionEnd(rule.expires);
    if (end === undefined || now.getTime() < end) return [];
    return [
      {
        path: `rules[${index}].expires`,
        message: `the exemption by rule ${rule.name} expired on ${rule.expires}: it no longer matches`,
      },
    ];
  });
}

function describe(destination: Policy["defaults"]["destination"]): string {
  if (destination.type === "cloud-watch-logs")
    return destination.arn ?? `log group ${destination.logGroupName ?? "(unnamed)"}`;
  return destination.arn;
}
