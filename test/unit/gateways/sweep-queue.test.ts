import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SQSClient,
  SQSServiceException,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { enqueueMessages, type QueueEntry } from "../../../src/gateways/sweep-queue.js";

const sqsMock = mockClient(SQSClient);

afterEach(() => {
  sqsMock.reset();
});

const QUEUE = "https://sqs.us-east-1.amazonaws.com/111111111111/sweep";

function client(): SQSClient {
  return new SQSClient({ region: "us-east-1" });
}

const FIFO_QUEUE = "https://sqs.us-east-1.amazonaws.com/111111111111/sweep.fifo";

function bodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ n: i }));
}

function entries(count: number): QueueEntry[] {
  return bodies(count).map((body, i) => ({ body, deduplicationId: `dedup-${i}`, groupId: `group-${i}` }));
}

function sentBodies(): string[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.MessageBody ?? ""));
}

/** Accepts every entry of a call. */
function acceptAll(input: SendMessageBatchCommandInput) {
  return {
    Successful: (input.Entries ?? []).map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: "x",
    })),
    Failed: [],
  };
}

describe("enqueueMessages", () => {
  it("sends 23 messages in SendMessageBatch calls of 10, 10 and 3", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);
    const all = bodies(23);

    // Act
    const result = await enqueueMessages(client(), QUEUE, entries(23));

    // Assess
    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes.sort()).toEqual([10, 10, 3].sort());
    expect(sentBodies().sort()).toEqual([...all].sort());
    expect(result).toEqual({ sent: 23, failed: [] });
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: QUEUE });
  });

  it("sends again only the entries AWS failed without blaming the sender (no FIFO ids to a standard queue)", async () => {
    // Prepare
    const all = bodies(3);
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: "0", MessageId: "m0", MD5OfMessageBody: "x" }],
        Failed: [
          { Id: "1", SenderFault: false, Code: "InternalError", Message: "try again" },
          { Id: "2", SenderFault: true, Code: "InvalidMessageContents", Message: "bad body" },
        ],
      })
      .callsFake(acceptAll);

    // Act
    const result = await enqueueMessages(client(), QUEUE, entries(3), { retryDelayMs: 0 });

    // Assess
    expect(sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries)).toEqual([
      all.map((body, index) => ({ Id: String(index), MessageBody: body })),
      [{ Id: "1", MessageBody: all[1] }],
    ]);
    expect(result).toEqual({
      sent: 2,
      failed: [{ body: all[2], reason: "InvalidMessageContents: bad body" }],
    });
  });

  it("reports entries still failing after the last round instead of throwing", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: "0", SenderFault: false, Code: "ServiceUnavailable", Message: "busy" }],
    });

    // Act
    const result = await enqueueMessages(client(), QUEUE, entries(1), { maxRounds: 3, retryDelayMs: 0 });

    // Assess
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
    expect(result).toEqual({ sent: 0, failed: [{ body: bodies(1)[0], reason: "ServiceUnavailable: busy" }] });
  });

  it("sends again every entry of a call that failed as a whole, and loses none of the other batches", async () => {
    // Prepare
    const all = bodies(12);
    let calls = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      calls += 1;
      if (calls === 1)
        throw new SQSServiceException({
          name: "RequestThrottled",
          $fault: "client",
          $metadata: {},
          message: "slow down",
        });
      return acceptAll(input);
    });

    // Act
    const result = await enqueueMessages(client(), QUEUE, entries(12), { retryDelayMs: 0, concurrency: 1 });

    // Assess
    expect(result).toEqual({ sent: 12, failed: [] });
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
    expect(new Set(sentBodies())).toEqual(new Set(all));
  });

  it("sends each entry to a FIFO queue with its ids, and a retried entry with the same ids", async () => {
    // Prepare
    const all = entries(2);
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: "0", MessageId: "m0", MD5OfMessageBody: "x" }],
        Failed: [{ Id: "1", SenderFault: false, Code: "InternalError", Message: "try again" }],
      })
      .callsFake(acceptAll);

    // Act
    const result = await enqueueMessages(client(), FIFO_QUEUE, all, { retryDelayMs: 0 });

    // Assess
    const [first, retry] = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries);
    expect(first).toEqual([
      { Id: "0", MessageBody: all[0]?.body, MessageDeduplicationId: "dedup-0", MessageGroupId: "group-0" },
      { Id: "1", MessageBody: all[1]?.body, MessageDeduplicationId: "dedup-1", MessageGroupId: "group-1" },
    ]);
    expect(retry).toEqual([first?.[1]]);
    expect(result).toEqual({ sent: 2, failed: [] });
  });
});
