// Pure: (policy, account-regions) → every destination the policy can send flow logs to there. The defaults and each
// non-exempt rule whose account and region conditions can hold are resolved through the engine's own resolution
// (resolveFlowLogSettings), so doctor checks exactly what enforcement would create. Per-resource placeholders
// (${ResourceId}, ${VpcId}) cannot be enumerated without listing resources: they stay as the tokens below, which only
// a wildcard in a resource policy matches, and the checks say so.
import type { ResolvedDestination } from "../../domain/flow-logs.js";
import type { AccountRegion, ResourceType } from "../../domain/resources.js";
import { errorSummary } from "../../errors.js";
import { resolveFlowLogSettings, ruleMismatch } from "../../policy/resolve.js";
import type { Policy, PolicyRule } from "../../policy/schema.js";

/** What ${ResourceId} and ${VpcId} stand for in a destination doctor checks. */
export const RESOURCE_ID_TOKEN = "{ResourceId}";
export const VPC_ID_TOKEN = "{VpcId}";

export interface DestinationUse {
  readonly target: AccountRegion;
  readonly destination: ResolvedDestination;
  /** "defaults" or the rule names that send flow logs there. */
  readonly sources: readonly string[];
  /** True when the destination depends on the resource (it carries a token above). */
  readonly perResource: boolean;
}

export interface DestinationProblem {
  readonly target: AccountRegion;
  readonly source: string;
  readonly reason: string;
}

export function destinationsFor(
  policy: Policy,
  targets: readonly AccountRegion[],
): { readonly uses: DestinationUse[]; readonly problems: DestinationProblem[] } {
  const uses = new Map<string, DestinationUse>();
  const problems: DestinationProblem[] = [];
  for (const target of targets) {
    const sources: Array<[string, PolicyRule | undefined]> = [
      ["defaults", undefined],
      ...policy.rules.filter((rule) => !rule.exempt).map((rule): [string, PolicyRule] => [rule.name, rule]),
    ];
    for (const [source, rule] of sources) {
      try {
        const destination = resolveSource(policy, rule, target);
        if (destination === undefined) continue;
        const key = `${target.accountId}/${target.region}/${JSON.stringify(destination)}`;
        const known = uses.get(key);
        uses.set(key, {
          target,
          destination,
          sources: [...(known?.sources ?? []), source],
          perResource:
            JSON.stringify(destination).includes(RESOURCE_ID_TOKEN) ||
            JSON.stringify(destination).includes(VPC_ID_TOKEN),
        });
      } catch (error) {
        problems.push({ target, source, reason: errorSummary(error) });
      }
    }
  }
  return { uses: [...uses.values()], problems };
}

/**
 * The destination one source (the defaults, or one rule) resolves to in the account-region, by resolving a resource
 * that the rule matches against a policy holding only that rule; undefined when the rule cannot apply there.
 */
function resolveSource(
  policy: Policy,
  rule: PolicyRule | undefined,
  target: AccountRegion,
): ResolvedDestination | undefined {
  const type: ResourceType =
    rule?.match.resourceTypes?.find((t) => policy.resourceTypes.includes(t)) ??
    policy.resourceTypes[0] ??
    "VPC";
  const tags = Object.fromEntries(
    Object.entries(rule?.match.tags ?? {}).map(([key, value]) => [key, value === "*" ? "any" : value]),
  );
  const resource = {
    type,
    id: type === "VPC" ? VPC_ID_TOKEN : RESOURCE_ID_TOKEN,
    // Subnets and interfaces live in a VPC; a VPC is its own, and transit gateways have none.
    ...(type === "Subnet" || type === "NetworkInterface" ? { vpcId: VPC_ID_TOKEN } : {}),
    tags,
  };
  const placement = {
    ...target,
    ...(rule?.match.organizationalUnits === undefined
      ? {}
      : { organizationalUnits: rule.match.organizationalUnits }),
  };
  if (rule !== undefined && ruleMismatch(rule, resource, placement) !== undefined) return undefined;
  const resolution = resolveFlowLogSettings(
    { ...policy, rules: rule === undefined ? [] : [rule] },
    resource,
    placement,
  );
  return resolution.kind === "enforce" ? resolution.settings.destination : undefined;
}
