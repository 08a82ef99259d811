// Pure: (parsed CloudTrail request, policy) → whether enforcing on it can change any verdict. Lets the event path skip
// an event without a single AWS call when the policy enforces none of the types it concerns, or when it changed only
// tags no rule matches on.
import type { ResourceType } from "../domain/resources.js";
import type { Policy, PolicyRule } from "../policy/schema.js";
import type { CloudTrailRequest } from "./cloudtrail-event.js";

/**
 * Why the policy cannot care about this request, or undefined when it may. Tag changes matter only through rules'
 * `match.tags` (exemptions included: an exemption is a rule matching on a tag); a rule limited by
 * `match.resourceTypes` to types the event does not concern cannot match what it changed.
 */
export function policyIrrelevance(request: CloudTrailRequest, policy: Policy): string | undefined {
  if (request.kind === "ignored") return request.reason;
  const enforced = request.concerns.filter((type) => policy.resourceTypes.includes(type));
  if (enforced.length === 0)
    return `the policy's resourceTypes [${policy.resourceTypes.join(", ")}] include none of the types ${request.eventName} concerns [${request.concerns.join(", ")}]`;
  if (request.change !== "tags-changed") return undefined;
  const { tagKeys } = request;
  const matters = policy.rules.some(
    (rule) =>
      reachesAny(rule, enforced) &&
      matchedTagKeys(rule).some((key) => tagKeys === "all" || tagKeys.includes(key)),
  );
  if (matters) return undefined;
  const changed =
    tagKeys === "all" ? "every tag" : `tag${tagKeys.length === 1 ? "" : "s"} ${tagKeys.join(", ")}`;
  return `${request.eventName} changed ${changed}, and no rule of the policy matches on ${tagKeys === "all" || tagKeys.length > 1 ? "any of them" : "it"} for [${enforced.join(", ")}]`;
}

function matchedTagKeys(rule: PolicyRule): string[] {
  return Object.keys(rule.match.tags ?? {});
}

function reachesAny(rule: PolicyRule, types: readonly ResourceType[]): boolean {
  return (
    rule.match.resourceTypes === undefined || rule.match.resourceTypes.some((type) => types.includes(type))
  );
}
