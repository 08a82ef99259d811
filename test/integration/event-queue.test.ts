// EventEnforcerFunction consuming the event queue: SQS batches of EventBridge events through the built bundle, run
// like `sam local invoke`, against moto (DynamoDB tamper marks and the queue the re-checks go to included).
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateTransitGatewayCommand } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AccountId, accountRegion, type RegionName } from "../../src/domain/resources.js";
import { dynamoTamperMarks } from "../../src/gateways/tamper-marks.js";
import { useMoto } from "../support/aws-env.js";
import { type CallCounter, startCallCounter } from "../support/http-counter.js";
import { invokeFunction } from "../support/invoke.js";
import { createVpc, ec2Client, flowLogsOn, policySourceFile } from "../support/moto-resources.js";
import { queueBatch } from "../support/queue-batch.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";

const motoEndpoint = useMoto();
const FUNCTION = "EventEnforcerFunction";
const TABLE = "TamperMarksTable";

const POLICY = `
version: 1
mode: enforce
resourceTypes: [VPC, TransitGateway]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::central-flow-logs" }
  maxAggregationInterval: 60
`;

let queueUrl = "";
const env = () => ({
  POLICY_SOURCE: policySourceFile(POLICY),
  ALLOWED_DESTINATIONS: "arn:aws:s3:::central-flow-logs",
  EVENT_QUEUE_URL: queueUrl,
  TAMPER_MARKS_TABLE: TABLE,
  TAMPER_WINDOW_SECONDS: "300",
});

beforeAll(async () => {
  await new S3Client({ region: "us-east-1", forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "central-flow-logs" }),
  );
  ({ QueueUrl: queueUrl = "" } = await new SQSClient({ region: "us-east-1" }).send(
    new CreateQueueCommand({ QueueName: "EventQueue" }),
  ));
  await new DynamoDBClient({ region: "us-east-1" }).send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "accountRegion", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "accountRegion", KeyType: "HASH" }],
    }),
  );
});

/** DeleteFlowLogs sample events, each its own event, made `secondsAgo` ago. */
function deletions(count: number, secondsAgo: number, firstId = 0): unknown[] {
  const eventTime = new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  return Array.from({ length: count }, (_, index) => {
    const event = sampleEvent("flow-log-deleted.json");
    const detail = event.detail as Record<string, unknown>;
    return { ...event, id: `deletion-${firstId + index}`, detail: { ...detail, eventTime } };
  });
}

describe("a burst of DeleteFlowLogs", () => {
  let counter: CallCounter | undefined;
  afterEach(async () => {
    await counter?.stop();
    counter = undefined;
  });

  it("is answered by one account-region evaluation per batch, and by one re-check across batches", async () => {
    const client = ec2Client();
    const vpcIds = [await createVpc(client), await createVpc(client)];
    counter = await startCallCounter(motoEndpoint());
    const processEnv = { AWS_ENDPOINT_URL: counter.endpoint };

    const first = await invokeFunction(FUNCTION, queueBatch(...deletions(10, 30)), {
      env: env(),
      processEnv,
    });
    const describesAfterFirst = {
      vpcs: counter.count({ action: "DescribeVpcs" }),
      flowLogs: counter.count({ action: "DescribeFlowLogs" }),
    };
    const second = await invokeFunction(FUNCTION, queueBatch(...deletions(10, 0, 10)), {
      env: env(),
      processEnv,
    });
    const third = await invokeFunction(FUNCTION, queueBatch(...deletions(5, 0, 20)), {
      env: env(),
      processEnv,
    });

    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.output).toEqual({ batchItemFailures: [] });
    expect(describesAfterFirst).toEqual({ vpcs: 1, flowLogs: 1 });
    for (const vpcId of vpcIds) expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
    // The later batches made no evaluation: their deletions wait for the one re-check the second one scheduled.
    expect(second.output).toEqual({ batchItemFailures: [] });
    expect(third.output).toEqual({ batchItemFailures: [] });
    expect(counter.count({ action: "DescribeVpcs" })).toBe(1);
    expect(counter.count({ action: "DescribeFlowLogs" })).toBe(1);
    // (SQS clients send to the queue URL's own host, so the re-check is counted in the queue, not by the proxy.)
    const { Attributes } = await new SQSClient({ region: "us-east-1" }).send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
    );
    const queued =
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
    expect(queued).toBe(1);
    const { Item } = await new DynamoDBClient({ region: "us-east-1" }).send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { accountRegion: { S: `${SAMPLE_IDS.account}/us-east-1` } },
      }),
    );
    expect(Item?.recheckDueAt?.N).toBeDefined();
  });
});

describe("a batch with a malformed record", () => {
  it("covers the valid CreateVpc, does not return the malformed record for retry, and does not throw", async () => {
    const client = ec2Client();
    const vpcId = await createVpc(client);
    const valid = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId });
    const malformed = { ...valid, id: "malformed", detail: { ...(valid.detail as object), eventName: 42 } };

    const result = await invokeFunction(FUNCTION, queueBatch(malformed, "not json at all", valid), {
      env: env(),
    });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.output).toEqual({ batchItemFailures: [] });
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
    const rejected = result.logs.filter((line) => line.message === "event rejected");
    expect(rejected.map((line) => line.messageId)).toEqual(["message-0", "message-1"]);
  });
});

describe("a CreateTransitGateway event", () => {
  it("gives the new transit gateway a flow log with the 60 s interval transit gateways require", async () => {
    const client = ec2Client();
    const { TransitGateway } = await client.send(new CreateTransitGatewayCommand({ Description: "hub" }));
    const transitGatewayId = TransitGateway?.TransitGatewayId ?? "";
    const event = sampleEvent("transit-gateway-created.json", {
      [SAMPLE_IDS.transitGateway]: transitGatewayId,
    });

    const result = await invokeFunction(FUNCTION, queueBatch(event), { env: env() });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.output).toEqual({ batchItemFailures: [] });
    expect(await flowLogsOn(client, transitGatewayId)).toEqual([
      expect.objectContaining({
        ResourceId: transitGatewayId,
        MaxAggregationInterval: 60,
        LogDestination: "arn:aws:s3:::central-flow-logs",
      }),
    ]);
  });
});

describe("the tamper marks in DynamoDB", () => {
  const here = accountRegion("123456789012" as AccountId, "eu-west-1" as RegionName);

  it("lets one evaluation claim a window, hands the mark to whoever is refused, and releases only its own claim", async () => {
    const marks = dynamoTamperMarks(new DynamoDBClient({ region: "us-east-1" }), TABLE);
    const start = Date.parse("2026-06-15T12:00:00Z");

    const first = await marks.claim(here, start, 300_000);
    const refused = await marks.claim(here, start + 60_000, 300_000);
    const recheck = await marks.claimRecheck(here, start + 300_000, start + 60_000);
    const secondRecheck = await marks.claimRecheck(here, start + 300_000, start + 70_000);
    await marks.releaseClaim(here, start + 1);
    const stillRefused = await marks.claim(here, start + 80_000, 300_000);
    await marks.releaseClaim(here, start);
    const afterRelease = await marks.claim(here, start + 90_000, 300_000);

    expect(first).toBeUndefined();
    expect(refused).toEqual({ startedAtMs: start });
    expect([recheck, secondRecheck]).toEqual([true, false]);
    expect(stillRefused).toEqual({ startedAtMs: start, recheckDueAtMs: start + 300_000 });
    expect(afterRelease).toBeUndefined();
  });
});
