// AWS Config access: evaluations in, PutEvaluations calls of at most 100 out; one ConfigServiceClient per account-region.
import {
  ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
  type PutEvaluationsCommandOutput,
} from "@aws-sdk/client-config-service";
import type { AccountRegion } from "../domain/resources.js";
import { errorSummary, PutEvaluationsError } from "../errors.js";
import type { ConfigEvaluation } from "../triggers/config-evaluations.js";
import type { AccountClients } from "./account-clients.js";
import { chunk } from "./ec2-gateway.js";

/** PutEvaluations accepts at most 100 evaluations per call. */
export const MAX_EVALUATIONS_PER_CALL = 100;
/** Config rule development convention: this token means "test run", sent with TestMode so nothing is recorded. */
export const TEST_MODE_RESULT_TOKEN = "TESTMODE";

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
 * ConfigServiceClients per account-region, created on first use. PutEvaluations must come from the account the
 * rule runs in, so a member account's evaluations go out with the member role, like its EC2 calls.
 */
export class ConfigClients {
  private readonly clients = new Map<string, Promise<ConfigServiceClient>>();

  constructor(
    private readonly accounts: AccountClients,
    private readonly maxAttempts: number,
  ) {}

  configFor(target: AccountRegion): Promise<ConfigServiceClient> {
    const key = `${target.accountId}/${target.region}`;
    const existing = this.clients.get(key);
    if (existing) return existing;
    const created = this.accounts.credentialsFor(target).then(
      (credentials) =>
        new ConfigServiceClient({
          region: target.region,
          retryMode: "adaptive",
          maxAttempts: this.maxAttempts,
          ...(credentials === undefined ? {} : { credentials }),
        }),
    );
    created.catch(() => this.clients.delete(key));
    this.clients.set(key, created);
    return created;
  }
}
