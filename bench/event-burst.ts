// Issue 12's burst: 50 DeleteFlowLogs events for one account-region holding 1,000 VPCs, delivered by the event queue
// in 5 batches of 10 whose deletions all happened after the first evaluation started (the worst case for the
// window: nothing is "already seen"). Counted on the wire: evaluations (one DescribeVpcs listing each) and EC2 calls.

import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateFlowLogsCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startCallCounter } from "../test/support/http-counter.js";
import { invokeFunction } from "../test/support/invoke.js";
import { policySourceFile } from "../test/support/moto-resources.js";
import { queueBatch } from "../test/support/queue-batch.js";
import { sampleEvent } from "../test/support/sample-events.js";
import type { BenchReport } from "./report.js";

const VPCS = 1_000;
const EVENTS = 50;
const BATCH = 10;
/** Short enough for the re-check to come due while the bench waits; the batches all fall inside it. */
const WINDOW_SECONDS = 20;

const POLICY = `
version: 1
mode: enforce
resourceTypes: [VPC]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::central-flow-logs" }
`;

export async function benchEventBurst(motoEndpoint: string, report: BenchReport): Promise<void> {
  const region = "us-east-1";
  const ec2 = new EC2Client({ region });
  await new S3Client({ region, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "central-flow-logs" }),
  );
  const sqs = new SQSClient({ region });
  const { QueueUrl: queueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "EventQueue" }));
  const dynamodb = new DynamoDBClient({ region });
  const table = "TamperMarksTable";
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "accountRegion", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "accountRegion", KeyType: "HASH" }],
    }),
  );
  const vpcIds: string[] = [];
  for (let i = 0; i < VPCS; i += 1) {
    if (i % 100 === 0) report.progress("burst: seeding VPCs", i, VPCS);
    vpcIds.push((await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc?.VpcId ?? "");
  }
  report.progress("burst: seeding VPCs", VPCS, VPCS);
  // Every VPC covered but the 50 whose flow logs the burst deleted.
  await ec2.send(
    new CreateFlowLogsCommand({
      ResourceIds: vpcIds.slice(EVENTS),
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "s3",
      LogDestination: "arn:aws:s3:::central-flow-logs",
    }),
  );
  const env = (windowSeconds: number) => ({
    POLICY_SOURCE: policySourceFile(POLICY),
    ALLOWED_DESTINATIONS: "arn:aws:s3:::central-flow-logs",
    EVENT_QUEUE_URL: queueUrl,
    TAMPER_MARKS_TABLE: table,
    TAMPER_WINDOW_SECONDS: String(windowSeconds),
  });
  const counter = await startCallCounter(motoEndpoint);
  const processEnv = {
    AWS_ENDPOINT_URL: counter.endpoint,
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
  };
  const invoke = async (body: unknown[], windowSeconds: number) => {
    const result = await invokeFunction("EventEnforcerFunction", queueBatch(...body), {
      env: env(windowSeconds),
      processEnv,
    });
    if (result.exitCode !== 0) throw new Error(`burst: invocation failed: ${JSON.stringify(result.output)}`);
  };
  const burst = (first: number) =>
    Array.from({ length: BATCH }, (_, i) => {
      const event = sampleEvent("flow-log-deleted.json");
      const eventTime = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      return { ...event, id: `burst-${first + i}`, detail: { ...(event.detail as object), eventTime } };
    });
  try {
    const started = performance.now();
    for (let first = 0; first < EVENTS; first += BATCH) {
      report.progress("burst: batches", first / BATCH, EVENTS / BATCH);
      await invoke(burst(first), WINDOW_SECONDS);
    }
    // The one re-check the later batches scheduled, received once due and run like any queued message.
    const recheck = await receiveWithin(sqs, queueUrl, (WINDOW_SECONDS + 30) * 1000);
    if (recheck !== undefined) await invoke([recheck], WINDOW_SECONDS);
    const seconds = (performance.now() - started) / 1000;
    const ec2Calls = counter.calls().filter((call) => call.service === "ec2");
    const evaluations = ec2Calls.filter((call) => call.action === "DescribeVpcs").length;
    report.row({
      name: `burst: ${EVENTS} DeleteFlowLogs, 1 account-region, ${VPCS} VPCs (5 batches + re-check): evaluations`,
      value: `${evaluations} (re-check ${recheck === undefined ? "not received" : "run"}; ${seconds.toFixed(1)} s in all)`,
      target: "≤ 2",
      ok: evaluations <= 2 && recheck !== undefined,
    });
    report.row({
      name: "burst: EC2 calls",
      value: `${ec2Calls.length} (${ec2Calls.map((call) => call.action).join(", ")})`,
      target: "≤ 30",
      ok: ec2Calls.length <= 30,
    });
    counter.reset();
    for (let first = 0; first < EVENTS; first += BATCH) await invoke(burst(100 + first), 0);
    report.row({
      name: "burst: the same 5 batches with TamperWindowSeconds=0 (coalescing within batches only): evaluations",
      value: String(counter.calls().filter((call) => call.action === "DescribeVpcs").length),
      target: "-",
      ok: true,
    });
  } finally {
    await counter.stop();
  }
}

/** The next message of the queue, polled with long waits until `limitMs` has passed (bounded in time). */
async function receiveWithin(sqs: SQSClient, queueUrl: string, limitMs: number): Promise<string | undefined> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
    );
    const body = Messages?.[0]?.Body;
    if (body !== undefined) return body;
  }
  return undefined;
}
