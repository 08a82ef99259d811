import { describe, expect, it } from "vitest";
import { OUTCOMES, type Outcome, type OutcomeKind } from "../../../src/engine/enforce.js";
import {
  COVERAGE_CLASS,
  coverageBy,
  coverageOf,
  NON_COMPLIANT,
  outcomeCounts,
} from "../../../src/reports/coverage.js";

function outcome(kind: OutcomeKind, overrides: Partial<Outcome> = {}): Outcome {
  return {
    accountId: "111111111111",
    region: "us-east-1",
    resourceType: "VPC",
    resourceId: `vpc-${kind
      .replace(/[^a-z]/g, "")
      .padEnd(8, "0")
      .slice(0, 8)}`,
    outcome: kind,
    ...overrides,
  };
}

describe("coverage", () => {
  it("classes every outcome kind, and names the non-compliant ones", () => {
    expect(Object.keys(COVERAGE_CLASS).sort()).toEqual([...OUTCOMES].sort());
    expect(NON_COMPLIANT).toEqual(["delivery-failing", "unapproved", "would-create", "failed"]);
  });

  it("counts covered against covered plus uncovered; exempt, gone and out-of-scope resources do not count", () => {
    // Prepare
    const outcomes = [
      outcome("created"),
      outcome("compliant"),
      outcome("compliant"),
      outcome("would-create"),
      outcome("delivery-failing"),
      outcome("exempt"),
      outcome("not-found"),
      outcome("ignored"),
    ];

    // Act
    const coverage = coverageOf(outcomes);

    // Assess
    expect(coverage).toEqual({ covered: 3, inScope: 5, percent: 60 });
  });

  it("leaves an unreachable account-region out of the count and reports nothing in scope as no percent", () => {
    // Prepare
    const unreachable = outcome("failed", {
      resourceType: "AccountRegion",
      resourceId: "111111111111/us-east-1",
    });

    // Act
    const coverage = coverageOf([unreachable, outcome("exempt")]);

    // Assess
    expect(coverage).toEqual({ covered: 0, inScope: 0, percent: undefined });
  });

  it("rounds to one decimal and groups by a key in key order", () => {
    // Prepare
    const outcomes = [
      outcome("compliant", { accountId: "222222222222" }),
      outcome("compliant", { accountId: "111111111111" }),
      outcome("compliant", { accountId: "111111111111" }),
      outcome("failed", { accountId: "111111111111" }),
    ];

    // Act
    const groups = coverageBy(outcomes, (o) => o.accountId);

    // Assess
    expect(groups).toEqual([
      { key: "111111111111", covered: 2, inScope: 3, percent: 66.7 },
      { key: "222222222222", covered: 1, inScope: 1, percent: 100 },
    ]);
  });

  it("counts every outcome kind, zeros included", () => {
    const counts = outcomeCounts([outcome("created"), outcome("created"), outcome("failed")]);

    expect(counts).toEqual({
      created: 2,
      compliant: 0,
      "delivery-failing": 0,
      unapproved: 0,
      exempt: 0,
      "would-create": 0,
      "not-found": 0,
      ignored: 0,
      failed: 1,
    });
  });
});
