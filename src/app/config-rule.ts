// ConfigRuleFunction's wiring: the engine's ports plus PutEvaluations in the account-region evaluated. A module of
// its own so only this function's bundle carries the Config client.
import { configServiceFor, putEvaluationsBatched } from "../gateways/config-gateway.js";
import type { ConfigRulePorts } from "../use-cases/evaluate-config-rule.js";
import type { Enforcer } from "./enforcer.js";
import { enforcerFromEnvironment } from "./lambda.js";

export function configRuleFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Enforcer & ConfigRulePorts {
  const enforcer = enforcerFromEnvironment(env);
  return {
    ...enforcer,
    sendEvaluations: async (target, resultToken, evaluations) =>
      putEvaluationsBatched(await configServiceFor(enforcer.accounts, target), resultToken, evaluations),
  };
}
