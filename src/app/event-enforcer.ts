// EventEnforcerFunction's wiring: the engine's ports plus the event path's own (the tamper window's DynamoDB marks
// and the queue its re-checks are deferred to). A module of its own so only this function's bundle carries them;
// their clients are imported on first use, by a batch with deletions in it.
import type { EventBatchPorts } from "../use-cases/enforce-event-batch.js";
import { sdkClientConfig } from "./client-config.js";
import { readConfig, readEventPathConfig } from "./config.js";
import { createEnforcer, type Enforcer, onFirstUse } from "./enforcer.js";

type Env = Readonly<Record<string, string | undefined>>;

export function eventEnforcerFromEnvironment(env: Env = process.env): Enforcer & EventBatchPorts {
  const config = readConfig(env);
  const path = readEventPathConfig(env);
  const enforcer = createEnforcer(config);
  const evaluationReserveMs = path.evaluationReserveSeconds * 1000;
  const { eventQueueUrl: queueUrl, tamperMarksTable: table } = path;
  if (queueUrl === undefined || table === undefined || path.tamperWindowSeconds === 0)
    return { ...enforcer, evaluationReserveMs };
  const clientConfig = sdkClientConfig(config);
  const marks = onFirstUse(async () => {
    const [{ DynamoDBClient }, { dynamoTamperMarks }] = await Promise.all([
      import("@aws-sdk/client-dynamodb"),
      import("../gateways/tamper-marks.js"),
    ]);
    return dynamoTamperMarks(new DynamoDBClient(clientConfig), table);
  });
  const rechecks = onFirstUse(async () => {
    const [{ SQSClient }, { sqsRecheckQueue }] = await Promise.all([
      import("@aws-sdk/client-sqs"),
      import("../gateways/event-queue.js"),
    ]);
    return sqsRecheckQueue(new SQSClient(clientConfig), queueUrl);
  });
  return {
    ...enforcer,
    evaluationReserveMs,
    tamperWindow: {
      windowMs: path.tamperWindowSeconds * 1000,
      marks: {
        claim: async (...args) => (await marks()).claim(...args),
        claimRecheck: async (...args) => (await marks()).claimRecheck(...args),
        releaseRecheck: async (...args) => (await marks()).releaseRecheck(...args),
        startRecheck: async (...args) => (await marks()).startRecheck(...args),
        releaseClaim: async (...args) => (await marks()).releaseClaim(...args),
      },
      rechecks: { send: async (...args) => (await rechecks()).send(...args) },
    },
  };
}
