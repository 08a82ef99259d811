import { describe, expect, it } from "vitest";
import { NotStartedError } from "../../../src/errors.js";
import { assertTimeToStart, hasTimeToStart } from "../../../src/use-cases/time-budget.js";

describe("hasTimeToStart", () => {
  it.each([
    [60_000, 30_000, true],
    [30_000, 30_000, true],
    [29_999, 30_000, false],
    [0, 1, false],
    [Number.NaN, 0, false],
  ])("with %d ms left and %d ms reserved: %s", (remainingMs, reserveMs, expected) => {
    // Act
    const verdict = hasTimeToStart(remainingMs, reserveMs);

    // Assess
    expect(verdict).toBe(expected);
  });
});

describe("assertTimeToStart", () => {
  it("throws NotStartedError naming the work and the times when the reserve is not left", () => {
    // Prepare
    const clock = { getRemainingTimeInMillis: () => 5_000 };

    // Act
    const check = () => assertTimeToStart(clock, 10_000, "group 111111111111/eu-west-1");

    // Assess
    expect(check).toThrow(NotStartedError);
    expect(check).toThrow("group 111111111111/eu-west-1 not started: 5000 ms left, 10000 ms needed");
  });

  it("returns when the reserve is left", () => {
    // Prepare
    const clock = { getRemainingTimeInMillis: () => 10_000 };

    // Act / Assess
    expect(() => assertTimeToStart(clock, 10_000, "x")).not.toThrow();
  });
});
