// AWS Config rule invocation → evaluations sent with PutEvaluations; the engine runs in audit mode and never writes.
import { createHash } from "node:crypto";
import { type ConfigEvaluation, TEST_MODE_RESULT_TOKEN } from "../domain/config-evaluation.js";
import type { AccountRegion, RegionName } from "../domain/resources.js";
import { type EnforcementScope, failedOutcomes, type Outcome } from "../engine/enforce.js";
import { EvaluationFailedError } from "../errors.js";
import { type Correlation, logger } from "../observability.js";
import { evaluationOf, truncateAnnotation } from "../triggers/config-evaluations.js";
import {
  CONFIG_RESOURCE_TYPES,
  type ConfigRuleRequest,
  parseConfigRuleEvent,
  RULE_PARAMETER_KEYS,
} from "../triggers/config-event.js";
import { type EnforcementPorts, refusalOf, runEnforcement } from "./run-enforcement.js";

export interface ConfigRulePorts extends EnforcementPorts {
  /** The function's own region, for periodic runs whose event names none. */
  readonly homeRegion?: RegionName | undefined;
  /**
   * Sends the evaluations to Config in the account-region they are about, in as few PutEvaluations calls as its
   * limit allows; resolves with the number of calls. Throws PutEvaluationsError naming what Config did not accept.
   */
  sendEvaluations(
    target: AccountRegion,
    resultToken: string,
    evaluations: readonly ConfigEvaluation[],
  ): Promise<{ calls: number }>;
}

/**
 * What the function returns. Outcomes are not repeated here (each is a log line already): a periodic run's result
 * stays well within Lambda's 6 MB response limit.
 */
export interface ConfigRuleReport {
  readonly messageType: ConfigRuleRequest["messageType"];
  readonly accountId: string;
  readonly region: string;
  readonly testMode: boolean;
  readonly evaluations: readonly ConfigEvaluation[];
  readonly putEvaluationsCalls: number;
}

/** The rule evaluates only the types in its Config scope, whatever else the policy enforces. */
const RULE_SCOPE = Object.values(CONFIG_RESOURCE_TYPES);
const ACCOUNT_REGION: EnforcementScope = { kind: "account-region" };

/**
 * 1. parse the event (malformed → EventValidationError; nothing read, nothing sent; unknown rule parameters are
 *    logged and ignored)
 * 2. deleted, out-of-scope and foreign-type items → NOT_APPLICABLE without any EC2 call, once the account is known
 *    to be inside the organization boundary (an account outside it gets no AssumeRole and no PutEvaluations)
 * 3. otherwise run the engine in audit mode on the item, or on every VPC and subnet for a periodic run
 * 4. map outcomes to evaluations (see config-evaluations.ts) and send them in batches of ≤ 100
 * 5. throw EvaluationFailedError when some resource got no verdict, after sending the others
 */
export async function evaluateConfigRuleEvent(
  event: unknown,
  ports: ConfigRulePorts,
): Promise<ConfigRuleReport> {
  const request = parseConfigRuleEvent(event, { region: ports.homeRegion });
  const correlation: Correlation = { trigger: "config-rule", correlationId: correlationIdOf(request) };
  if (request.parameters.ignored !== undefined)
    logger.warn("unknown rule parameters ignored", {
      ...correlation,
      ignored: request.parameters.ignored,
      known: RULE_PARAMETER_KEYS,
    });

  const { outcomes, evaluations } =
    request.kind === "not-applicable"
      ? await notApplicable(request, correlation, ports)
      : await evaluate(request, correlation, ports);

  const { calls } =
    evaluations.length === 0
      ? { calls: 0 }
      : await ports.sendEvaluations(request.target, request.resultToken, evaluations);
  const failures = failedOutcomes({ outcomes });
  const result: ConfigRuleReport = {
    messageType: request.messageType,
    accountId: request.target.accountId,
    region: request.target.region,
    testMode: request.resultToken === TEST_MODE_RESULT_TOKEN,
    evaluations,
    putEvaluationsCalls: calls,
  };
  if (failures.length > 0) throw new EvaluationFailedError(failures, result);
  return result;
}

interface Verdicts {
  /** The engine's outcomes (none for an item judged NOT_APPLICABLE from the event alone). */
  readonly outcomes: Outcome[];
  readonly evaluations: ConfigEvaluation[];
}

/**
 * NOT_APPLICABLE from the event alone, without reading EC2. The verdict still goes out with the account's role, so
 * the organization boundary comes first: a refused account gets a failed outcome and no evaluation.
 */
async function notApplicable(
  request: Extract<ConfigRuleRequest, { kind: "not-applicable" }>,
  correlation: Correlation,
  ports: ConfigRulePorts,
): Promise<Verdicts> {
  const refusal = await refusalOf(
    { target: request.target, scope: ACCOUNT_REGION, correlation },
    ports,
    "audit",
  );
  if (refusal !== undefined) return { outcomes: refusal.outcomes, evaluations: [] };
  logger.info("config item not applicable", { ...correlation, ...request.resource, reason: request.reason });
  return {
    outcomes: [],
    evaluations: [
      {
        resourceType: request.resource.configType,
        resourceId: request.resource.id,
        complianceType: "NOT_APPLICABLE",
        annotation: truncateAnnotation(request.reason),
        orderingTimestamp: request.orderingTimestamp,
      },
    ],
  };
}

/** The engine in audit mode on the item or the account-region; failed outcomes get no evaluation. */
async function evaluate(
  request: Exclude<ConfigRuleRequest, { kind: "not-applicable" }>,
  correlation: Correlation,
  ports: ConfigRulePorts,
): Promise<Verdicts> {
  const { outcomes } = await runEnforcement(
    {
      target: request.target,
      scope: scopeOf(request),
      idempotencySeed: correlation.correlationId,
      correlation,
      mode: "audit",
      ...(request.parameters.policySource === undefined
        ? {}
        : { policySource: request.parameters.policySource }),
    },
    ports,
  );
  return {
    outcomes,
    evaluations: outcomes.flatMap((outcome) => evaluationOf(outcome, request.orderingTimestamp) ?? []),
  };
}

function scopeOf(request: Exclude<ConfigRuleRequest, { kind: "not-applicable" }>): EnforcementScope {
  return request.kind === "account-region"
    ? { kind: "account-region", resourceTypes: RULE_SCOPE }
    : { kind: "resources", resources: [request.resource] };
}

/** Result tokens run to kilobytes: a short digest keeps every log line of one invocation findable. */
function correlationIdOf(request: ConfigRuleRequest): string {
  return `config-${createHash("sha256").update(request.resultToken).digest("hex").slice(0, 16)}`;
}
