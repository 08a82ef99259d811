import { describe, expect, it } from "vitest";
import type { Outcome, OutcomeKind } from "../../../src/engine/enforce.js";
import { RunHistoryError } from "../../../src/errors.js";
import {
  historyLines,
  manifestKey,
  outcomesKey,
  parseRunLocation,
  runPrefix,
} from "../../../src/reports/history.js";
import { MAX_MESSAGE_BYTES, notificationOf } from "../../../src/reports/notification.js";
import { parseStoredRun } from "../../../src/reports/stored-run.js";
import { target } from "../support/builders.js";

const CONTEXT = {
  accountId: "111111111111",
  region: "eu-west-1",
  mode: "audit",
  trigger: "sweep",
  correlationId: "org-sweep-1",
} as const;

function outcome(kind: OutcomeKind, id: string, overrides: Partial<Outcome> = {}): Outcome {
  return {
    accountId: "111111111111",
    region: "eu-west-1",
    resourceType: "VPC",
    resourceId: id,
    outcome: kind,
    ...overrides,
  };
}

describe("notification", () => {
  it("lists every non-compliant resource with its outcome, reason and rule, and nothing else", () => {
    // Prepare
    const outcomes = [
      outcome("would-create", "vpc-0000000a", {
        rule: "prod",
        reason: "no ACTIVE flow log",
        remedy: "VPC flow log on vpc-0000000a to arn:aws:s3:::b",
      }),
      outcome("compliant", "vpc-0000000b"),
      outcome("delivery-failing", "vpc-0000000c", { reason: "Access error" }),
      outcome("failed", "vpc-0000000d", { reason: "UnauthorizedOperation" }),
    ];

    // Act
    const notification = notificationOf(outcomes, CONTEXT);

    // Assess
    expect(notification?.subject).toBe(
      "vpc-flow-log-enforcer: 3 resource(s) not covered in 111111111111 eu-west-1",
    );
    expect(notification?.attributes).toEqual({
      accountId: "111111111111",
      region: "eu-west-1",
      outcome: ["delivery-failing", "failed", "would-create"],
    });
    const message = notification?.message ?? "";
    for (const line of [
      "- WOULD-CREATE  VPC vpc-0000000a",
      "rule:   prod",
      "reason: no ACTIVE flow log",
      "flow log: VPC flow log on vpc-0000000a to arn:aws:s3:::b",
      "- DELIVERY-FAILING  VPC vpc-0000000c",
      "reason: Access error",
      "- FAILED  VPC vpc-0000000d",
      "rule:   (policy defaults)",
      "Account: 111111111111",
      "Mode:    audit",
    ])
      expect(message).toContain(line);
    expect(message).not.toContain("vpc-0000000b");
  });

  it("sends nothing when everything is covered, exempt or gone", () => {
    expect(
      notificationOf([outcome("compliant", "vpc-1"), outcome("exempt", "vpc-2")], CONTEXT),
    ).toBeUndefined();
  });

  it("keeps the subject within SNS's 100 characters and the message within its size, saying how many are left out", () => {
    // Prepare
    const many = Array.from({ length: 3000 }, (_, i) =>
      outcome("would-create", `vpc-${String(i).padStart(8, "0")}`, { reason: "x".repeat(200) }),
    );

    // Act
    const notification = notificationOf(many, {
      ...CONTEXT,
      region: "ap-southeast-3",
      accountId: "123456789012",
    });

    // Assess
    expect(notification?.subject.length).toBeLessThanOrEqual(100);
    expect(Buffer.byteLength(notification?.message ?? "")).toBeLessThanOrEqual(MAX_MESSAGE_BYTES + 200);
    expect(notification?.message).toMatch(
      /… and \d+ more: query the enforcer's logs for correlationId org-sweep-1/,
    );
  });
});

describe("coverage history", () => {
  it("keys one object per account-region of a run, Hive style, with the run id encoded", () => {
    expect(outcomesKey("org-sweep-1", target("111111111111", "eu-west-1"))).toBe(
      "runs/run=org-sweep-1/account=111111111111/region=eu-west-1/outcomes.jsonl",
    );
    expect(manifestKey("org-sweep-1")).toBe("runs/run=org-sweep-1/manifest.json");
    expect(runPrefix("a/b=c")).toBe("runs/run=a%2Fb%3Dc/");
    expect(parseRunLocation("s3://history-bucket/runs/run=a%2Fb%3Dc/")).toEqual({
      bucket: "history-bucket",
      runId: "a/b=c",
    });
    expect(parseRunLocation("s3://history-bucket/runs/")).toBeUndefined();
  });

  it("writes one JSON line per outcome with run, mode, coverage class and time", () => {
    // Act
    const text = historyLines([outcome("would-create", "vpc-1"), outcome("exempt", "vpc-2")], {
      runId: "r1",
      mode: "audit",
      evaluatedAt: new Date("2026-06-01T00:00:00Z"),
    });

    // Assess
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        resourceId: "vpc-1",
        outcome: "would-create",
        coverage: "uncovered",
        runId: "r1",
        mode: "audit",
        evaluatedAt: "2026-06-01T00:00:00.000Z",
      }),
      expect.objectContaining({ resourceId: "vpc-2", outcome: "exempt", coverage: "excluded" }),
    ]);
  });

  it("reads a stored run back: outcomes, modes, and the manifest's account-regions that wrote nothing", () => {
    // Prepare
    const manifest = {
      runId: "r1",
      startedAt: "2026-06-01T00:00:00Z",
      accounts: ["111111111111", "222222222222"],
      regions: ["eu-west-1"],
      enqueued: 2,
      notEnqueued: 0,
    };
    const objects = [
      { key: "runs/run=r1/manifest.json", text: JSON.stringify(manifest) },
      {
        key: "runs/run=r1/account=111111111111/region=eu-west-1/outcomes.jsonl",
        text: historyLines([outcome("compliant", "vpc-1")], {
          runId: "r1",
          mode: "enforce",
          evaluatedAt: new Date(),
        }),
      },
    ];

    // Act
    const run = parseStoredRun(objects, "s3://b/runs/run=r1/");

    // Assess
    expect(run.outcomes).toEqual([outcome("compliant", "vpc-1")]);
    expect(run.modes).toEqual(["enforce"]);
    expect(run.missing).toEqual([{ accountId: "222222222222", region: "eu-west-1" }]);
  });

  it("names the object and line of a malformed line, and refuses a location with no run", () => {
    const bad = [{ key: "runs/run=r1/account=1/region=x/outcomes.jsonl", text: '{"accountId":"1"}\n' }];

    expect(() => parseStoredRun(bad, "s3://b/runs/run=r1/")).toThrow(
      /^runs\/run=r1\/account=1\/region=x\/outcomes\.jsonl:1: region: /,
    );
    expect(() => parseStoredRun([], "s3://b/runs/run=r2/")).toThrow(RunHistoryError);
  });
});
