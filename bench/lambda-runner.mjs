// A stand-in for one Lambda container, in plain Node (no tsx loader, so its peak RSS is the bundle's own):
//   node bench/lambda-runner.mjs once <bundle> <event.json> <result.json>
//     one invocation of the bundle's handler with the event
//   node bench/lambda-runner.mjs poll <bundle> <queueUrl> <result.json> [batchSize]
//     an SQS event source mapping: receive a batch, invoke, delete what the handler did not report as failed,
//     until the queue has nothing visible
// Writes { results, handlerMs, maxRssMb } to result.json. The function's logs go to the inherited stdout.
// Spawned with an IPC channel, it reports "ready" once the bundle is loaded (its cold start done) and waits for
// "go": containers started ahead, as Lambda's run on separate hosts, rather than all cold-starting on this one.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const [mode, bundle, input, resultFile, batchSize = "5"] = process.argv.slice(2);
const account = process.env.AWS_ACCOUNT_ID ?? "123456789012";
const region = process.env.AWS_REGION ?? "us-east-1";
const { handler } = await import(pathToFileURL(resolve(bundle)).href);
if (process.send) {
  const go = new Promise((resolveGo) => process.once("message", resolveGo));
  process.send("ready");
  await go;
  process.disconnect();
}

let invocations = 0;
function context() {
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "bench",
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:bench`,
    memoryLimitInMB: "256",
    awsRequestId: `bench-${process.pid}-${invocations}`,
    logGroupName: "/aws/lambda/bench",
    logStreamName: "bench",
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const results = [];
let handlerMs = 0;
async function invoke(event) {
  const start = performance.now();
  const result = await handler(event, context());
  handlerMs += performance.now() - start;
  results.push(result);
  return result;
}

if (mode === "once") {
  const { readFileSync } = await import("node:fs");
  await invoke(JSON.parse(readFileSync(input, "utf-8")));
} else if (mode === "poll") {
  const sqs = new SQSClient({ region });
  for (;;) {
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: input,
        MaxNumberOfMessages: Number(batchSize),
        VisibilityTimeout: 900,
      }),
    );
    if (messages.length === 0) break;
    const event = {
      Records: messages.map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: {},
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:${region}:${account}:bench`,
        awsRegion: region,
      })),
    };
    const response = await invoke(event);
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId));
    if (done.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: input,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
  }
} else {
  throw new Error(`unknown mode ${mode} (once | poll)`);
}

writeFileSync(
  resultFile,
  JSON.stringify({ results, handlerMs, maxRssMb: process.resourceUsage().maxRSS / 1024, invocations }),
);
