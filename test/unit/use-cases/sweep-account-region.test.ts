import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AccountRegion, ResourceRef } from "../../../src/domain/resources.js";
import { logger } from "../../../src/observability.js";
import { parseSweepMessage, sweepMessageBody } from "../../../src/triggers/sweep-message.js";
import {
  ACCOUNT_REGION_RESERVE_MS,
  processSweepBatch,
  REJECTED_MESSAGES_METRIC,
  sweepAccountRegion,
} from "../../../src/use-cases/sweep-account-region.js";
import { flowLog, target } from "../support/builders.js";
import { FakeEnforcementPorts, FakeHistory, HOME, MEMBER } from "../support/fake-ports.js";
import { policyWith } from "../support/fixtures.js";

const OUTSIDER = "333333333333";
const PROD_OU = "ou-ab12-11111111";
const RUN = "org-sweep-run-1";
const DEFAULT_DESTINATION = {
  type: "s3",
  arn: "arn:${Partition}:s3:::central-flow-logs/${AccountId}/",
} as const;

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

/** Ports whose every account-region holds `count` VPCs without flow logs. */
function ports(vpcsPerAccountRegion = 2): FakeEnforcementPorts {
  const fake = new FakeEnforcementPorts();
  fake.policy = policyWith({ defaults: { destination: DEFAULT_DESTINATION } });
  for (const account of [HOME, MEMBER, OUTSIDER])
    for (const region of ["us-east-1", "eu-west-1"])
      fake.ec2For(target(account, region)).resources.push(...vpcs(vpcsPerAccountRegion));
  return fake;
}

function vpcs(count: number, prefix = "0a"): ResourceRef[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "VPC",
    id: `vpc-${prefix}${i.toString(16).padStart(15, "0")}`,
  }));
}

function record(messageId: string, body: string, messageGroupId?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1795397651482",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1795397651488",
      ...(messageGroupId === undefined ? {} : { MessageGroupId: messageGroupId }),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111111111111:sweep",
    awsRegion: "us-east-1",
  };
}

function message(account: string, region = "us-east-1", runId = RUN): string {
  return sweepMessageBody(target(account, region), runId);
}

const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "SweepWorkerFunction",
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${HOME}:function:SweepWorkerFunction`,
  memoryLimitInMB: "256",
  awsRequestId: "req-1",
  logGroupName: "/aws/lambda/SweepWorkerFunction",
  logStreamName: "stream",
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** The flow-log destinations created in each account-region, in call order. */
function createdDestinations(
  fake: FakeEnforcementPorts,
  ...where: AccountRegion[]
): Array<string | undefined> {
  return where.flatMap((at) =>
    fake
      .ec2For(at)
      .callsOf("createFlowLogs")
      .map((call) => call.settings.destination.arn),
  );
}

describe("processSweepBatch", () => {
  it("reports only the account whose role cannot be assumed for redelivery; the others finish, the malformed one is dropped", async () => {
    // Prepare
    const fake = ports();
    fake.unassumable.add(OUTSIDER);
    const event: SQSEvent = {
      Records: [
        record("home", message(HOME)),
        record("malformed", JSON.stringify({ accountId: HOME, region: "us-east-1" })),
        record("denied", message(OUTSIDER)),
        record("member", message(MEMBER, "eu-west-1")),
      ],
    };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "denied" }]);
    expect(createdDestinations(fake, target(HOME), target(MEMBER, "eu-west-1"))).toEqual([
      `arn:aws:s3:::central-flow-logs/${HOME}/`,
      `arn:aws:s3:::central-flow-logs/${MEMBER}/`,
    ]);
  });

  it("refuses an account outside the organization before reaching it, and drops its message", async () => {
    // Prepare
    const fake = ports(1);
    fake.accountBoundary = { kind: "organization", organizationId: fake.organization.organizationId };
    fake.organization.members.add(MEMBER);
    const event: SQSEvent = {
      Records: [record("outsider", message(OUTSIDER)), record("member", message(MEMBER))],
    };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.reached).toEqual([target(MEMBER)]);
    expect(createdDestinations(fake, target(MEMBER))).toHaveLength(1);
  });

  it("does not ask the organization about the function's own account", async () => {
    // Prepare
    const fake = ports(1);
    fake.accountBoundary = { kind: "organization", organizationId: fake.organization.organizationId };
    const event: SQSEvent = { Records: [record("home", message(HOME))] };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.organization.asked).toEqual([]);
  });

  it("reports every record as failed rather than throwing when the whole batch fails", async () => {
    // Prepare
    const fake = ports();
    fake.unassumable.add(MEMBER);
    const event: SQSEvent = {
      Records: [record("a", message(MEMBER)), record("b", message(MEMBER, "eu-west-1"))],
    };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "a" }, { itemIdentifier: "b" }]);
  });
});

describe("FIFO sweep queue", () => {
  it("fails the rest of a failed record's message group unstarted, and carries on with the other groups", async () => {
    // Prepare
    const fake = ports(1);
    fake.unassumable.add(MEMBER);
    const event: SQSEvent = {
      Records: [
        record("member-1", message(MEMBER), `${MEMBER}/us-east-1`),
        record("home", message(HOME), `${HOME}/us-east-1`),
        record("member-2", message(MEMBER, "us-east-1", "run-2"), `${MEMBER}/us-east-1`),
        record("home-eu", message(HOME, "eu-west-1"), `${HOME}/eu-west-1`),
      ],
    };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "member-1" },
      { itemIdentifier: "member-2" },
    ]);
    expect(fake.reached).toEqual([target(HOME), target(HOME, "eu-west-1")]);
    // member-2 was never run: one policy load per record started (member-1, home, home-eu).
    expect(fake.policyLoads).toHaveLength(3);
  });
});

describe("deterministic failures", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("drops a malformed message without running the engine: no redelivery, one error line, one metric", async () => {
    // Prepare
    const fake = ports();
    const added = vi.spyOn(Metrics.prototype, "addMetric");
    const errors = vi.spyOn(logger, "error");
    const event: SQSEvent = {
      Records: [record("not-json", "not json"), record("no-run", JSON.stringify({ accountId: HOME }))],
    };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.policyLoads).toEqual([]);
    expect(fake.reached).toEqual([]);
    expect(added.mock.calls.filter(([name]) => name === REJECTED_MESSAGES_METRIC)).toEqual([
      [REJECTED_MESSAGES_METRIC, "Count", 1],
      [REJECTED_MESSAGES_METRIC, "Count", 1],
    ]);
    expect(errors).toHaveBeenCalledWith(
      "sweep message rejected: dropped, not retried",
      expect.objectContaining({ messageId: "not-json", body: "not json" }),
    );
  });

  it("drops the message of an account outside the allow-list and counts it, while an unreachable one is retried", async () => {
    // Prepare
    const fake = ports();
    fake.allowedAccounts = [HOME, MEMBER];
    fake.unassumable.add(MEMBER);
    const added = vi.spyOn(Metrics.prototype, "addMetric");
    const event: SQSEvent = {
      Records: [record("outsider", message(OUTSIDER)), record("unreachable", message(MEMBER))],
    };

    // Act
    const response = await processSweepBatch(event, context, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "unreachable" }]);
    expect(added.mock.calls.filter(([name]) => name === REJECTED_MESSAGES_METRIC)).toEqual([
      [REJECTED_MESSAGES_METRIC, "Count", 1],
    ]);
  });
});

describe("remaining-time cut-off", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("hands back the records it has no time to finish, unstarted, and says how many once", async () => {
    // Prepare: the reserve is left before the first account-region is reached and no longer after it.
    const fake = ports(1);
    const shortOnTime: Context = {
      ...context,
      getRemainingTimeInMillis: () =>
        fake.reached.length === 0 ? ACCOUNT_REGION_RESERVE_MS + 1_000 : ACCOUNT_REGION_RESERVE_MS - 1,
    };
    const warnings = vi.spyOn(logger, "warn");
    const event: SQSEvent = {
      Records: [
        record("first", message(HOME)),
        record("second", message(MEMBER)),
        record("third", message(MEMBER, "eu-west-1")),
      ],
    };

    // Act
    const response = await processSweepBatch(event, shortOnTime, fake);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "second" }, { itemIdentifier: "third" }]);
    expect(fake.reached).toEqual([target(HOME)]);
    expect(fake.policyLoads).toHaveLength(1);
    const notStarted = warnings.mock.calls.filter(([line]) =>
      String(line).startsWith("sweep messages not started"),
    );
    expect(notStarted).toEqual([
      [
        expect.any(String),
        expect.objectContaining({
          deferred: 2,
          messageIds: ["second", "third"],
          reserveMs: ACCOUNT_REGION_RESERVE_MS,
        }),
      ],
    ]);
  });

  it("takes another reserve as an option", async () => {
    // Prepare
    const fake = ports(1);
    const event: SQSEvent = { Records: [record("only", message(HOME))] };

    // Act
    const response = await processSweepBatch(event, context, fake, { reserveMs: 900_001 });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "only" }]);
    expect(fake.reached).toEqual([]);
  });
});

describe("sweepAccountRegion", () => {
  it("lists the account-region once and creates one batch per distinct settings, tag rule and OU rule", async () => {
    // Prepare
    const fake = new FakeEnforcementPorts();
    const ec2 = fake.ec2For(target(MEMBER));
    const restricted = vpcs(500, "0c");
    ec2.resources.push(...vpcs(1000, "0a"), ...vpcs(500, "0b"), ...restricted, ...vpcs(500, "0d"));
    for (const vpc of restricted) ec2.tags.set(vpc.id, { tier: "restricted" });
    fake.organization.ous.set(MEMBER, [PROD_OU]);
    fake.policy = policyWith({
      resourceTypes: ["VPC"],
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" } },
      rules: [
        {
          name: "restricted",
          match: { tags: { tier: "restricted" } },
          destination: { type: "s3", arn: "arn:aws:s3:::restricted-flow-logs" },
        },
        {
          name: "production",
          match: { organizationalUnits: [PROD_OU] },
          destination: { type: "s3", arn: "arn:aws:s3:::prod-flow-logs" },
        },
      ],
    });

    // Act
    const summary = await sweepAccountRegion(parseSweepMessage(message(MEMBER)), fake);

    // Assess
    const batches = ec2
      .callsOf("createFlowLogs")
      .map((call) => [call.settings.destination.arn, call.resourceIds.length]);
    expect(batches.sort()).toEqual(
      [
        ["arn:aws:s3:::prod-flow-logs", 2000],
        ["arn:aws:s3:::restricted-flow-logs", 500],
      ].sort(),
    );
    expect(ec2.callsOf("listResources")).toHaveLength(1);
    expect(ec2.callsOf("describeFlowLogs")).toEqual([{ method: "describeFlowLogs", resourceIds: "all" }]);
    expect(summary).toMatchObject({ accountId: MEMBER, resources: 2500, counts: { created: 2500 } });
  });

  it("gives a redelivered message the same ClientTokens and a new run new ones", async () => {
    // Prepare
    const fake = ports(3);
    const ec2 = fake.ec2For(target(MEMBER));
    for (const vpc of ec2.resources)
      ec2.failures.set(vpc.id, { resourceId: vpc.id, status: "already-exists" });

    // Act
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "us-east-1", "run-A")), fake);
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "us-east-1", "run-A")), fake);
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "us-east-1", "run-B")), fake);

    // Assess
    const [first, redelivered, nextRun] = ec2.callsOf("createFlowLogs").map((call) => call.clientToken);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(redelivered).toBe(first);
    expect(nextRun).not.toBe(first);
  });

  it("writes nothing in audit mode, says so, and lists what would be created in the summary", async () => {
    // Prepare
    const fake = ports(2);
    fake.policy = policyWith({ mode: "audit", defaults: { destination: DEFAULT_DESTINATION } });

    // Act
    const summary = await sweepAccountRegion(parseSweepMessage(message(MEMBER)), fake);

    // Assess
    expect(fake.ec2For(target(MEMBER)).callsOf("createFlowLogs")).toEqual([]);
    expect(summary.mode).toBe("audit");
    expect(summary.counts).toEqual({ "would-create": 2 });
    expect(summary.wouldCreate).toEqual([
      expect.stringMatching(
        /^vpc-0a0{15}: .*would create a VPC flow log .*central-flow-logs\/222222222222\//,
      ),
      expect.stringMatching(/^vpc-0a0{14}1: /),
    ]);
  });

  it("lists unapproved and deleted flow logs in the summary line", async () => {
    // Prepare
    const fake = ports(2);
    fake.policy = policyWith({
      defaults: { destination: DEFAULT_DESTINATION },
      approvedDestinations: ["arn:${Partition}:s3:::archive-*"],
      unapprovedFlowLogs: "delete",
    });
    const ec2 = fake.ec2For(target(MEMBER));
    const [first, second] = vpcs(2).map((vpc) => vpc.id);
    const central = `arn:aws:s3:::central-flow-logs/${MEMBER}/`;
    ec2.flowLogs.push(
      flowLog(first ?? "", { logDestination: central }),
      flowLog(first ?? "", { flowLogId: "fl-0000000000000bad1", logDestination: "arn:aws:s3:::elsewhere" }),
      flowLog(second ?? "", { logDestination: central, deliverLogsStatus: "FAILED" }),
      flowLog(second ?? "", { flowLogId: "fl-0000000000000bad2", logDestination: "arn:aws:s3:::elsewhere" }),
    );

    // Act
    const summary = await sweepAccountRegion(parseSweepMessage(message(MEMBER)), fake);

    // Assess
    expect(summary.counts).toEqual({ compliant: 1, unapproved: 1 });
    expect(summary.deleted).toEqual([
      `${first}: fl-0000000000000bad1 (unapproved, to arn:aws:s3:::elsewhere)`,
    ]);
    expect(summary.unapproved).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${second}: 1 unapproved flow log: fl-0000000000000bad2 .*kept: the flow log to the policy's destination is not delivering`,
        ),
      ),
    ]);
  });
});

describe("coverage history and metric", () => {
  it("writes the account-region's outcomes as JSON Lines at the run's key, the same key on a retry", async () => {
    // Prepare
    const fake = ports(2);
    const history = new FakeHistory();
    const worker = Object.assign(fake, { history });

    // Act
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "eu-west-1")), worker);
    await sweepAccountRegion(parseSweepMessage(message(MEMBER, "eu-west-1")), worker);

    // Assess
    const key = `runs/run=${RUN}/account=${MEMBER}/region=eu-west-1/outcomes.jsonl`;
    expect([...history.objects.keys()]).toEqual([key]);
    expect(history.puts).toBe(2);
    const lines = (history.objects.get(key) ?? "")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      accountId: MEMBER,
      region: "eu-west-1",
      runId: RUN,
      outcome: "compliant",
      coverage: "covered",
    });
  });

  it("counts covered and in-scope resources and the coverage percent under the account's dimension", async () => {
    // Prepare
    const fake = ports(2);
    fake.policy = policyWith({ mode: "audit", defaults: { destination: DEFAULT_DESTINATION } });
    const dimensions = vi.spyOn(Metrics.prototype, "addDimension");
    const added = vi.spyOn(Metrics.prototype, "addMetric");

    // Act
    await sweepAccountRegion(parseSweepMessage(message(MEMBER)), fake);

    // Assess
    expect(dimensions).toHaveBeenCalledWith("accountId", MEMBER);
    expect(added).toHaveBeenCalledWith("CoveredResources", "Count", 0);
    expect(added).toHaveBeenCalledWith("InScopeResources", "Count", 2);
    expect(added).toHaveBeenCalledWith("CoveragePercent", "Percent", 0);
    vi.restoreAllMocks();
  });
});
