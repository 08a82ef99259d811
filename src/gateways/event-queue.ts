// SQS access for the event path: the enforcer's own deferred re-checks, sent to the queue it consumes.
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** SQS delays one message by at most 15 minutes. */
export const MAX_MESSAGE_DELAY_SECONDS = 900;

export function sqsRecheckQueue(
  sqs: SQSClient,
  queueUrl: string,
): { send(body: string, delaySeconds: number): Promise<void> } {
  return {
    send: async (body, delaySeconds) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          DelaySeconds: Math.min(MAX_MESSAGE_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
        }),
      );
    },
  };
}
