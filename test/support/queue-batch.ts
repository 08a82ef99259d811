// The event queue's SQS event as the event source mapping delivers it: one record per EventBridge event body.
import type { SQSEvent } from "aws-lambda";

/** Bodies that are not strings are JSON-encoded; a string is sent as it is (to send malformed bodies). */
export function queueBatch(...bodies: unknown[]): SQSEvent {
  const now = String(Date.now());
  return {
    Records: bodies.map((body, index) => ({
      messageId: `message-${index}`,
      receiptHandle: `handle-${index}`,
      body: typeof body === "string" ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: now,
        SenderId: "AIDAEVENTS",
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:EventQueue",
      awsRegion: "us-east-1",
    })),
  };
}
