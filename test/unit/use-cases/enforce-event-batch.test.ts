import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type AccountRegion, accountRegionKey } from "../../../src/domain/resources.js";
import type { TamperMark, TamperMarks } from "../../../src/engine/coalesce.js";
import { STALE_RECHECK_MS } from "../../../src/engine/coalesce.js";
import { logger } from "../../../src/observability.js";
import { recheckMessageBody } from "../../../src/triggers/event-queue-message.js";
import {
  type EventBatchPorts,
  processEventBatch,
  REJECTED_EVENTS_METRIC,
} from "../../../src/use-cases/enforce-event-batch.js";
import { queueBatch } from "../../support/queue-batch.js";
import { target, vpcId } from "../support/builders.js";
import { FakeEnforcementPorts, HOME, MEMBER } from "../support/fake-ports.js";
import { readEvent } from "../support/fixtures.js";

const WINDOW_MS = 300_000;
const RESERVE_MS = 40_000;
const HERE = target(HOME, "us-east-1");

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The DynamoDB marks' conditional semantics, in memory (the gateway is checked against moto end to end). */
class FakeTamperMarks implements TamperMarks {
  readonly marks = new Map<string, { startedAtMs: number; recheckDueAtMs?: number }>();

  async claim(where: AccountRegion, nowMs: number, windowMs: number): Promise<TamperMark | undefined> {
    const mark = this.marks.get(accountRegionKey(where));
    if (mark === undefined || mark.startedAtMs <= nowMs - windowMs) {
      this.marks.set(accountRegionKey(where), { ...mark, startedAtMs: nowMs });
      return undefined;
    }
    return { ...mark };
  }

  async claimRecheck(where: AccountRegion, dueAtMs: number, nowMs: number): Promise<boolean> {
    const mark = this.marks.get(accountRegionKey(where)) ?? { startedAtMs: 0 };
    if (mark.recheckDueAtMs !== undefined && mark.recheckDueAtMs >= nowMs - STALE_RECHECK_MS) return false;
    this.marks.set(accountRegionKey(where), { ...mark, recheckDueAtMs: dueAtMs });
    return true;
  }

  async releaseRecheck(where: AccountRegion, dueAtMs: number): Promise<void> {
    const mark = this.marks.get(accountRegionKey(where));
    if (mark?.recheckDueAtMs === dueAtMs)
      this.marks.set(accountRegionKey(where), { startedAtMs: mark.startedAtMs });
  }

  async startRecheck(where: AccountRegion, nowMs: number): Promise<void> {
    this.marks.set(accountRegionKey(where), { startedAtMs: nowMs });
  }

  async releaseClaim(where: AccountRegion, startedAtMs: number): Promise<void> {
    const mark = this.marks.get(accountRegionKey(where));
    if (mark?.startedAtMs === startedAtMs)
      this.marks.set(accountRegionKey(where), { ...mark, startedAtMs: 0 });
  }
}

class FakeEventBatchPorts extends FakeEnforcementPorts implements EventBatchPorts {
  evaluationReserveMs = RESERVE_MS;
  readonly marks = new FakeTamperMarks();
  readonly rechecks: Array<{ body: string; delaySeconds: number }> = [];
  sendFailure: Error | undefined;
  tamperWindow: EventBatchPorts["tamperWindow"] = {
    windowMs: WINDOW_MS,
    marks: this.marks,
    rechecks: {
      send: async (body, delaySeconds) => {
        if (this.sendFailure) throw this.sendFailure;
        this.rechecks.push({ body, delaySeconds });
      },
    },
  };
}

/** Three VPCs in the home account-region, none covered. */
function portsWithVpcs(): FakeEventBatchPorts {
  const ports = new FakeEventBatchPorts();
  ports
    .ec2For(HERE)
    .seed(
      { type: "VPC", id: "vpc-0a1b2c3d4e5f60718" },
      { type: "VPC", id: "vpc-0000000000000000b" },
      { type: "VPC", id: "vpc-0000000000000000c" },
    );
  return ports;
}

/** A context with this much time left, always. */
function timeLeft(ms: number) {
  return { getRemainingTimeInMillis: () => ms };
}

function deletionAt(index: number, eventTime: string): unknown {
  const event = readEvent("flow-log-deleted.json") as { id: string; detail: Record<string, unknown> };
  return { ...event, id: `deleted-${index}`, detail: { ...event.detail, eventTime } };
}

describe("processEventBatch: coalescing within a batch", () => {
  it("answers ten DeleteFlowLogs for one account-region with one evaluation", async () => {
    // Prepare
    const ports = portsWithVpcs();
    const deletions = Array.from({ length: 10 }, (_, i) => deletionAt(i, "2026-06-15T11:59:00Z"));

    // Act
    const response = await processEventBatch(queueBatch(...deletions), timeLeft(60_000), ports);

    // Assess
    const ec2 = ports.ec2For(HERE);
    expect(response.batchItemFailures).toEqual([]);
    expect(ec2.callsOf("listResources")).toHaveLength(1);
    expect(ec2.callsOf("describeFlowLogs")).toHaveLength(1);
    expect(ec2.callsOf("createFlowLogs")).toHaveLength(1);
    expect(ec2.flowLogs).toHaveLength(3);
  });

  it("covers the valid CreateVpc of a batch and drops its malformed record without retrying it", async () => {
    // Prepare
    const ports = portsWithVpcs();
    const added = vi.spyOn(Metrics.prototype, "addMetric");
    const malformed = readEvent("vpc-created.json") as Record<string, unknown>;

    // Act
    const response = await processEventBatch(
      queueBatch({ ...malformed, detail: "not an object" }, "{ not json", readEvent("vpc-created.json")),
      timeLeft(60_000),
      ports,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(ports.ec2For(HERE).flowLogs.map((log) => log.resourceId)).toEqual(["vpc-0a1b2c3d4e5f60718"]);
    expect(added).toHaveBeenCalledWith(REJECTED_EVENTS_METRIC, "Count", 1);
    expect(added.mock.calls.filter(([name]) => name === REJECTED_EVENTS_METRIC)).toHaveLength(2);
  });

  it("returns the records of a failed evaluation for redelivery, and only those", async () => {
    // Prepare
    const ports = portsWithVpcs();
    ports.ec2For(target(MEMBER, "us-east-1")).seed({ type: "VPC", id: "vpc-0a1b2c3d4e5f60718" });
    ports.unassumable.add(MEMBER);
    const fromMember = { ...(readEvent("vpc-created.json") as object), id: "member-event", account: MEMBER };
    const fromMemberDetail = fromMember as { detail?: Record<string, unknown> };
    fromMemberDetail.detail = { ...fromMemberDetail.detail, recipientAccountId: MEMBER };

    // Act
    const response = await processEventBatch(
      queueBatch(readEvent("vpc-created.json"), fromMember),
      timeLeft(60_000),
      ports,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "message-1" }]);
    expect(ports.ec2For(HERE).flowLogs).toHaveLength(1);
  });
});

it("drops, without retrying, the records of an account the organization boundary refuses", async () => {
  // Prepare
  const ports = portsWithVpcs();
  ports.accountBoundary = { kind: "home-account" };
  const added = vi.spyOn(Metrics.prototype, "addMetric");
  const fromOutsider = readEvent("vpc-created.json") as { account: string; detail: Record<string, unknown> };
  const outsiderEvent = {
    ...fromOutsider,
    id: "outsider-event",
    account: "999999999999",
    detail: { ...fromOutsider.detail, recipientAccountId: "999999999999" },
  };

  // Act
  const response = await processEventBatch(
    queueBatch(outsiderEvent, readEvent("vpc-created.json")),
    timeLeft(60_000),
    ports,
  );

  // Assess
  expect(response.batchItemFailures).toEqual([]);
  expect(added).toHaveBeenCalledWith(REJECTED_EVENTS_METRIC, "Count", 1);
  expect(ports.reached).toEqual([HERE]);
});

describe("processEventBatch: the remaining-time cut-off", () => {
  it("returns the records of evaluations it has no time to finish, without starting them", async () => {
    // Prepare
    const ports = portsWithVpcs();
    ports.ec2For(target(MEMBER, "us-east-1")).seed({ type: "VPC", id: "vpc-0a1b2c3d4e5f60718" });
    const fromMember = readEvent("vpc-created.json") as { account: string; detail: Record<string, unknown> };
    const memberEvent = {
      ...fromMember,
      id: "member-event",
      account: MEMBER,
      detail: { ...fromMember.detail, recipientAccountId: MEMBER },
    };
    let remaining = 60_000;
    const context = {
      getRemainingTimeInMillis: () => {
        const left = remaining;
        remaining = RESERVE_MS - 1;
        return left;
      },
    };

    // Act
    const response = await processEventBatch(
      queueBatch(readEvent("vpc-created.json"), memberEvent, memberEvent),
      context,
      ports,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "message-1" },
      { itemIdentifier: "message-2" },
    ]);
    expect(ports.reached).toEqual([HERE]);
  });
});

describe("processEventBatch: the tamper window across batches", () => {
  it("evaluates the first burst, answers later ones with one re-check at the window's end, then runs it", async () => {
    // Prepare
    const ports = portsWithVpcs();
    const start = new Date("2026-06-15T12:00:00Z");
    ports.decisionTime = start;
    await processEventBatch(queueBatch(deletionAt(1, "2026-06-15T11:59:00Z")), timeLeft(60_000), ports);

    // Act: two more batches of deletions made after the first evaluation started
    ports.decisionTime = new Date(start.getTime() + 60_000);
    const second = await processEventBatch(
      queueBatch(deletionAt(2, "2026-06-15T12:00:30Z"), deletionAt(3, "2026-06-15T12:00:40Z")),
      timeLeft(60_000),
      ports,
    );
    ports.decisionTime = new Date(start.getTime() + 90_000);
    await processEventBatch(queueBatch(deletionAt(4, "2026-06-15T12:01:20Z")), timeLeft(60_000), ports);
    const listingsBeforeRecheck = ports.ec2For(HERE).callsOf("listResources").length;
    const [recheck] = ports.rechecks;
    ports.decisionTime = new Date(start.getTime() + WINDOW_MS);
    await processEventBatch(queueBatch(recheck?.body ?? ""), timeLeft(60_000), ports);

    // Assess
    expect(second.batchItemFailures).toEqual([]);
    expect(listingsBeforeRecheck).toBe(1);
    expect(ports.rechecks).toEqual([
      {
        body: recheckMessageBody(HERE, start.getTime() + WINDOW_MS),
        delaySeconds: (WINDOW_MS - 60_000) / 1000,
      },
    ]);
    expect(ports.ec2For(HERE).callsOf("listResources")).toHaveLength(2);
    expect(ports.marks.marks.get(accountRegionKey(HERE))).toEqual({
      startedAtMs: start.getTime() + WINDOW_MS,
    });
  });

  it("drops deletions an evaluation that started after them has seen", async () => {
    // Prepare
    const ports = portsWithVpcs();
    ports.decisionTime = new Date("2026-06-15T12:00:00Z");
    await processEventBatch(queueBatch(deletionAt(1, "2026-06-15T11:59:00Z")), timeLeft(60_000), ports);

    // Act: a redelivered copy of an older deletion arrives later in the window
    ports.decisionTime = new Date("2026-06-15T12:02:00Z");
    await processEventBatch(queueBatch(deletionAt(2, "2026-06-15T11:59:10Z")), timeLeft(60_000), ports);

    // Assess
    expect(ports.ec2For(HERE).callsOf("listResources")).toHaveLength(1);
    expect(ports.rechecks).toEqual([]);
  });

  it("gives the re-check claim back and returns the records when the re-check cannot be sent", async () => {
    // Prepare
    const ports = portsWithVpcs();
    ports.decisionTime = new Date("2026-06-15T12:00:00Z");
    await processEventBatch(queueBatch(deletionAt(1, "2026-06-15T11:59:00Z")), timeLeft(60_000), ports);
    ports.decisionTime = new Date("2026-06-15T12:01:00Z");
    ports.sendFailure = new Error("AWS.SimpleQueueService.NonExistentQueue");

    // Act
    const failed = await processEventBatch(
      queueBatch(deletionAt(2, "2026-06-15T12:00:30Z")),
      timeLeft(60_000),
      ports,
    );
    ports.sendFailure = undefined;
    await processEventBatch(queueBatch(deletionAt(2, "2026-06-15T12:00:30Z")), timeLeft(60_000), ports);

    // Assess
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: "message-0" }]);
    expect(ports.rechecks).toHaveLength(1);
  });

  it("releases the claim of a failed evaluation, so its redelivered records evaluate again", async () => {
    // Prepare
    const ports = portsWithVpcs();
    const ec2 = ports.ec2For(HERE);
    ec2.failures.set("vpc-0000000000000000b", {
      resourceId: "vpc-0000000000000000b",
      status: "failed",
      reason: "RequestLimitExceeded: Request limit exceeded.",
    });
    ports.decisionTime = new Date("2026-06-15T12:00:00Z");
    const deletion = deletionAt(1, "2026-06-15T11:59:00Z");
    const failed = await processEventBatch(queueBatch(deletion), timeLeft(60_000), ports);

    // Act: SQS redelivers the record a minute later, EC2 no longer throttling
    ec2.failures.clear();
    ports.decisionTime = new Date("2026-06-15T12:01:00Z");
    const redelivered = await processEventBatch(queueBatch(deletion), timeLeft(60_000), ports);

    // Assess
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: "message-0" }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(ec2.callsOf("listResources")).toHaveLength(2);
    expect(ec2.flowLogs.map((log) => log.resourceId)).toContain("vpc-0000000000000000b");
  });

  it("evaluates every batch with deletions when no window is configured", async () => {
    // Prepare
    const ports = portsWithVpcs();
    ports.tamperWindow = undefined;

    // Act
    await processEventBatch(queueBatch(deletionAt(1, "2026-06-15T11:59:00Z")), timeLeft(60_000), ports);
    await processEventBatch(queueBatch(deletionAt(2, "2026-06-15T11:59:30Z")), timeLeft(60_000), ports);

    // Assess
    expect(ports.ec2For(HERE).callsOf("listResources")).toHaveLength(2);
  });
});

it("keeps the subnet's VPC link when creation events are coalesced", async () => {
  // Prepare
  const ports = portsWithVpcs();
  ports
    .ec2For(HERE)
    .seed({ type: "Subnet", id: "subnet-0a1b2c3d4e5f60719", vpcId: vpcId("vpc-0a1b2c3d4e5f60718") });

  // Act
  const response = await processEventBatch(
    queueBatch(readEvent("vpc-created.json"), readEvent("subnet-created.json")),
    timeLeft(60_000),
    ports,
  );

  // Assess
  expect(response.batchItemFailures).toEqual([]);
  expect(ports.ec2For(HERE).callsOf("createFlowLogs")).toHaveLength(1);
});
