// AWS Config access: evaluations in, PutEvaluations calls of at most 100 out; one ConfigServiceClient per account-region.
import {
  ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
  type PutEvaluationsCommandOutput,
} from "@aws-sdk/client-config-service";
import { chunk } from "../batching.js";
import { type ConfigEvaluation, TEST_MODE_RESULT_TOKEN } from "../domain/config-evaluation.js";
import type { AccountRegion } from "../domain/resources.js";
import { errorSummary, PutEvaluationsError } from "../errors.js";
import type { AccountClients } from "./account-clients.js";

/** PutEvaluations accepts at most 100 evaluations per call. */
export const MAX_EVALUATIONS_PER_CALL = 100;

/**
 * Sends every evaluation, in batches of at most 100, one after another (PutEvaluations has a low rate limit).
 * A batch that fails or comes back with FailedEvaluations does not stop the others; once all were tried,
 * PutEvaluationsError names what Config did not accept. Returns the number of calls made.
 */
export async function putEvaluationsBatched(
  config: ConfigServiceClient,
  resultToken: string,
  evaluations: readonly ConfigEvaluation[],
): Promise<{ calls: number }> {
  const testMode = resultToken === TEST_MODE_RESULT_TOKEN ? { TestMode: true } : {};
  const rejected: Array<{ resourceId: string; reason: string }> = [];
  let firstError: unknown;
  let calls = 0;
  for (const batch of chunk(evaluations, MAX_EVALUATIONS_PER_CALL)) {
    let response: PutEvaluationsCommandOutput;
    try {
      calls += 1;
      response = await config.send(
        new PutEvaluationsCommand({
          ResultToken: resultToken,
          Evaluations: batch.map(toSdkEvaluation),
          ...testMode,
        }),
      );
    } catch (error) {
      firstError ??= error;
      const reason = errorSummary(error);
      rejected.push(...batch.map(({ resourceId }) => ({ resourceId, reason })));
      continue;
    }
    for (const failed of response.FailedEvaluations ?? [])
      rejected.push({
        resourceId: failed.ComplianceResourceId ?? "(unknown)",
        reason: `rejected as ${failed.ComplianceType ?? "?"} evaluation`,
      });
  }
  if (rejected.length > 0)
    throw new PutEvaluationsError(rejected, evaluations.length - rejected.length, { cause: firstError });
  return { calls };
}

function toSdkEvaluation(evaluation: ConfigEvaluation): Evaluation {
  return {
    ComplianceResourceType: evaluation.resourceType,
    ComplianceResourceId: evaluation.resourceId,
    ComplianceType: evaluation.complianceType,
    OrderingTimestamp: evaluation.orderingTimestamp,
    ...(evaluation.annotation === undefined ? {} : { Annotation: evaluation.annotation }),
  };
}

/**
 * The ConfigServiceClient of an account-region. PutEvaluations must come from the account the rule runs in, so a
 * member account's evaluations go out with the member role, like its EC2 calls.
 */
export function configServiceFor(
  accounts: AccountClients,
  target: AccountRegion,
): Promise<ConfigServiceClient> {
  return accounts.clientFor("config", target, (config) => new ConfigServiceClient(config));
}
