import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { EventValidationError, SweepEnqueueError } from "../../../src/errors.js";
import { type OrgSweepDeps, startOrgSweep } from "../../../src/use-cases/start-org-sweep.js";
import { accountId } from "../support/builders.js";

const sqsMock = mockClient(SQSClient);

afterEach(() => {
  sqsMock.reset();
});

const QUEUE = "https://sqs.us-east-1.amazonaws.com/111111111111/sweep";
const MEMBERS = ["111111111111", "222222222222"];

function deps(overrides: Partial<OrgSweepDeps["config"]> = {}): OrgSweepDeps {
  return {
    config: {
      queueUrl: QUEUE,
      governedRegions: ["us-east-1", "eu-west-1"],
      maxAttempts: 3,
      organizationCacheTtlSeconds: 300,
      ...overrides,
    },
    sqs: new SQSClient({ region: "us-east-1" }),
    organization: { activeAccounts: async () => MEMBERS.map((id) => ({ accountId: accountId(id) })) },
  };
}

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

function enqueuedMessages(): unknown[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.MessageBody ?? "")),
    );
}

describe("startOrgSweep", () => {
  it("enqueues one message per ACTIVE account and governed region, carrying the invocation's run id", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);

    // Act
    const result = await startOrgSweep({}, "org-sweep-req-1", deps());

    // Assess
    expect(result).toEqual({
      runId: "org-sweep-req-1",
      accounts: 2,
      regions: ["us-east-1", "eu-west-1"],
      enqueued: 4,
    });
    expect(enqueuedMessages()).toEqual([
      { accountId: "111111111111", region: "us-east-1", runId: "org-sweep-req-1" },
      { accountId: "111111111111", region: "eu-west-1", runId: "org-sweep-req-1" },
      { accountId: "222222222222", region: "us-east-1", runId: "org-sweep-req-1" },
      { accountId: "222222222222", region: "eu-west-1", runId: "org-sweep-req-1" },
    ]);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
  });

  it("sweeps only the requested accounts and regions, and skips an account outside the organization", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);

    // Act
    const result = await startOrgSweep(
      { accounts: ["222222222222", "999999999999"], regions: ["ap-southeast-2"], runId: "repair-7" },
      "org-sweep-req-2",
      deps(),
    );

    // Assess
    expect(enqueuedMessages()).toEqual([
      { accountId: "222222222222", region: "ap-southeast-2", runId: "repair-7" },
    ]);
    expect(result.skipped).toEqual([
      { accountId: "999999999999", reason: "not an ACTIVE member of the organization" },
    ]);
    expect(result.enqueued).toBe(1);
  });

  it("sends every message it can, then fails the invocation naming those that never got in", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: (input.Entries ?? [])
        .filter((e) => !e.MessageBody?.includes("222222222222"))
        .map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: "x" })),
      Failed: (input.Entries ?? [])
        .filter((e) => e.MessageBody?.includes("222222222222"))
        .map((e) => ({ Id: e.Id, SenderFault: true, Code: "InvalidParameterValue", Message: "no" })),
    }));

    // Act
    const run = startOrgSweep({}, "org-sweep-req-3", deps());

    // Assess
    await expect(run).rejects.toBeInstanceOf(SweepEnqueueError);
    await expect(run).rejects.toMatchObject({ sent: 2, unsent: [expect.anything(), expect.anything()] });
  });

  it("rejects a malformed request before listing or enqueueing anything", async () => {
    // Prepare
    let listed = false;
    const spying = {
      ...deps(),
      organization: {
        activeAccounts: async () => {
          listed = true;
          return [];
        },
      },
    };

    // Act
    const run = startOrgSweep({ regions: ["Ireland"] }, "r", spying);

    // Assess
    await expect(run).rejects.toBeInstanceOf(EventValidationError);
    expect(listed).toBe(false);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 0);
  });
});
