import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../../src/errors.js";
import {
  parseSweepMessage,
  parseSweepRequest,
  sweepMessageBody,
} from "../../../src/triggers/sweep-message.js";
import { accountId, regionName } from "../support/builders.js";

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof EventValidationError) return error.problems;
    throw error;
  }
  throw new Error("expected an EventValidationError");
}

describe("sweep message contract", () => {
  it("round-trips the documented body { accountId, region, runId } with the region's partition", () => {
    // Prepare
    const body = sweepMessageBody(
      { accountId: accountId("111111111111"), region: regionName("cn-north-1") },
      "run-1",
    );

    // Act
    const message = parseSweepMessage(body);

    // Assess
    expect(JSON.parse(body)).toEqual({ accountId: "111111111111", region: "cn-north-1", runId: "run-1" });
    expect(message).toEqual({
      target: { accountId: "111111111111", region: "cn-north-1", partition: "aws-cn" },
      runId: "run-1",
    });
  });

  it("accepts a hand-written message with extra keys", () => {
    // Prepare
    const body = JSON.stringify({
      accountId: "111111111111",
      region: "eu-west-1",
      runId: "manual-2026-11-23",
      note: "re-run after fixing the bucket policy",
    });

    // Act
    const message = parseSweepMessage(body);

    // Assess
    expect(message.target.region).toBe("eu-west-1");
  });

  it("names every missing or malformed field", () => {
    // Prepare
    const body = JSON.stringify({ accountId: "1111", region: "Ireland" });

    // Act
    const problems = problemsOf(() => parseSweepMessage(body));

    // Assess
    expect(problems).toEqual([
      "accountId: must be a 12-digit account ID",
      "region: must be a region name such as eu-west-1",
      expect.stringMatching(/^runId: /),
    ]);
  });

  it("says so when the body is not JSON", () => {
    // Act
    const problems = problemsOf(() => parseSweepMessage("accountId=111111111111"));

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^body: not valid JSON/)]);
  });
});

describe("org sweep request", () => {
  it("treats an empty or missing payload as the whole organization", () => {
    // Act
    const requests = [{}, null, undefined].map((payload) => parseSweepRequest(payload));

    // Assess
    expect(requests).toEqual([{}, {}, {}]);
  });

  it("takes accounts, regions and a pinned runId for an on-demand run", () => {
    // Act
    const request = parseSweepRequest({
      accounts: ["111111111111"],
      regions: ["eu-west-1"],
      runId: "repair-1",
    });

    // Assess
    expect(request).toEqual({ accounts: ["111111111111"], regions: ["eu-west-1"], runId: "repair-1" });
  });

  it("rejects an unknown key rather than sweeping the whole organization because of a typo", () => {
    // Act
    const problems = problemsOf(() => parseSweepRequest({ account: ["111111111111"] }));

    // Assess
    expect(problems).toEqual([expect.stringContaining('Unrecognized key: "account"')]);
  });
});
