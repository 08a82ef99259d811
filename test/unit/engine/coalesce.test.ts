import { describe, expect, it } from "vitest";
import type { ResourceRef } from "../../../src/domain/resources.js";
import {
  planEvaluations,
  type QueuedRequest,
  SEEN_AFTER_MS,
  STALE_RECHECK_MS,
  tamperWindowDecision,
} from "../../../src/engine/coalesce.js";
import { target, vpcId } from "../support/builders.js";

const HERE = target("111111111111", "us-east-1");
const THERE = target("222222222222", "us-east-1");
const WINDOW_MS = 300_000;

function created(recordId: string, resource: ResourceRef, where = HERE): QueuedRequest {
  return {
    recordId,
    target: where,
    eventId: `event-${recordId}`,
    scope: { kind: "resources", resources: [resource], newlyCreated: true },
  };
}

function deleted(recordId: string, happenedAtMs?: number, where = HERE): QueuedRequest {
  return {
    recordId,
    target: where,
    eventId: `event-${recordId}`,
    scope: { kind: "account-region" },
    ...(happenedAtMs === undefined ? {} : { happenedAtMs }),
  };
}

const vpc = (id: string): ResourceRef => ({ type: "VPC", id });

describe("planEvaluations", () => {
  it("answers every DeleteFlowLogs of one account-region with one account-region evaluation", () => {
    // Act
    const plan = planEvaluations(Array.from({ length: 10 }, (_, i) => deleted(`r${i}`, 1_000 + i)));

    // Assess
    expect(plan).toEqual([
      expect.objectContaining({
        reason: "tamper",
        scope: { kind: "account-region" },
        recordIds: Array.from({ length: 10 }, (_, i) => `r${i}`),
        latestEventAtMs: 1_009,
      }),
    ]);
  });

  it("lets an account-region evaluation cover the creation events of the same account-region", () => {
    // Act
    const plan = planEvaluations([created("r1", vpc("vpc-0000000000000000a")), deleted("r2", 5)]);

    // Assess
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ reason: "tamper", recordIds: ["r1", "r2"] });
  });

  it("evaluates the resources creation events name together, once each, per account-region", () => {
    // Act
    const plan = planEvaluations([
      created("r1", vpc("vpc-0000000000000000a")),
      created("r2", {
        type: "Subnet",
        id: "subnet-0000000000000000b",
        vpcId: vpcId("vpc-0000000000000000a"),
      }),
      created("r3", vpc("vpc-0000000000000000a")),
      created("r4", vpc("vpc-0000000000000000c"), THERE),
    ]);

    // Assess
    expect(plan).toEqual([
      expect.objectContaining({
        reason: "resources",
        target: HERE,
        recordIds: ["r1", "r2", "r3"],
        eventIds: ["event-r1", "event-r2", "event-r3"],
        scope: {
          kind: "resources",
          newlyCreated: true,
          resources: [
            vpc("vpc-0000000000000000a"),
            expect.objectContaining({ id: "subnet-0000000000000000b" }),
          ],
        },
      }),
      expect.objectContaining({ reason: "resources", target: THERE, recordIds: ["r4"] }),
    ]);
  });

  it("keeps a default-VPC request that names no resource an evaluation of its own", () => {
    // Act
    const plan = planEvaluations([
      created("r1", vpc("vpc-0000000000000000a")),
      { recordId: "r2", target: HERE, eventId: "event-r2", scope: { kind: "default-vpc" } },
    ]);

    // Assess
    expect(plan.map((evaluation) => evaluation.scope.kind)).toEqual(["resources", "default-vpc"]);
  });

  it("makes a re-check the group's evaluation, which the window does not vouch for by event time", () => {
    // Act
    const plan = planEvaluations([
      deleted("r1", 1_000),
      { recordId: "r2", target: HERE, eventId: "recheck", scope: { kind: "account-region" }, recheck: true },
    ]);

    // Assess
    expect(plan).toEqual([expect.objectContaining({ reason: "recheck", recordIds: ["r1", "r2"] })]);
  });

  it("dates the evaluation by the latest event it answers for, a creation after the deletions included", () => {
    // Act
    const [evaluation] = planEvaluations([
      deleted("r1", 1_000),
      { ...created("r2", vpc("vpc-0000000000000000a")), happenedAtMs: 5_000 },
    ]);

    // Assess
    expect(evaluation).toMatchObject({ reason: "tamper", latestEventAtMs: 5_000 });
  });

  it("does not date by time an evaluation answering for an event without one", () => {
    // Act
    const [evaluation] = planEvaluations([deleted("r1", 1_000), created("r2", vpc("vpc-0000000000000000a"))]);

    // Assess
    expect(evaluation?.latestEventAtMs).toBeUndefined();
  });

  it("does not vouch for deletions by time when one of them has no event time", () => {
    // Act
    const [evaluation] = planEvaluations([deleted("r1", 1_000), deleted("r2")]);

    // Assess
    expect(evaluation?.latestEventAtMs).toBeUndefined();
  });
});

describe("tamperWindowDecision", () => {
  const now = 10_000_000;

  it("drops deletions an evaluation started after (with the consistency margin)", () => {
    // Act
    const decision = tamperWindowDecision({
      mark: { startedAtMs: now - 60_000 },
      latestEventAtMs: now - 60_000 - SEEN_AFTER_MS,
      nowMs: now,
      windowMs: WINDOW_MS,
    });

    // Assess
    expect(decision).toEqual({ kind: "seen", byEvaluationAtMs: now - 60_000 });
  });

  it("schedules one re-check at the end of the window for deletions after the last evaluation started", () => {
    // Act
    const decision = tamperWindowDecision({
      mark: { startedAtMs: now - 60_000 },
      latestEventAtMs: now - 30_000,
      nowMs: now,
      windowMs: WINDOW_MS,
    });

    // Assess
    expect(decision).toEqual({ kind: "schedule-recheck", dueAtMs: now - 60_000 + WINDOW_MS });
  });

  it("relies on the re-check already scheduled", () => {
    // Act
    const decision = tamperWindowDecision({
      mark: { startedAtMs: now - 60_000, recheckDueAtMs: now + 240_000 },
      latestEventAtMs: now - 30_000,
      nowMs: now,
      windowMs: WINDOW_MS,
    });

    // Assess
    expect(decision).toEqual({ kind: "recheck-scheduled", dueAtMs: now + 240_000 });
  });

  it("schedules another re-check when the scheduled one is long overdue (its message was lost)", () => {
    // Act
    const decision = tamperWindowDecision({
      mark: { startedAtMs: now - 60_000, recheckDueAtMs: now - STALE_RECHECK_MS - 1 },
      latestEventAtMs: undefined,
      nowMs: now,
      windowMs: WINDOW_MS,
    });

    // Assess
    expect(decision.kind).toBe("schedule-recheck");
  });

  it("never vouches for deletions whose time is unknown", () => {
    // Act
    const decision = tamperWindowDecision({
      mark: { startedAtMs: now - 1_000 },
      latestEventAtMs: undefined,
      nowMs: now,
      windowMs: WINDOW_MS,
    });

    // Assess
    expect(decision.kind).toBe("schedule-recheck");
  });
});
