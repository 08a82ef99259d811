import { describe, expect, it } from "vitest";
import {
  destinationArn,
  destinationMatcher,
  flowLogDestinationArn,
  unknownPatternPlaceholders,
} from "../../../src/policy/destination-patterns.js";
import { flowLog, target } from "../support/builders.js";

const WHERE = target("111111111111", "eu-west-1");

describe("destinationMatcher", () => {
  it.each([
    ["arn:aws:s3:::central-flow-logs*", "arn:aws:s3:::central-flow-logs", true],
    ["arn:aws:s3:::central-flow-logs*", "arn:aws:s3:::central-flow-logs/111111111111/", true],
    ["arn:aws:s3:::central-flow-logs*", "arn:aws:s3:::central-flow-logs-evil", true],
    ["arn:aws:s3:::central-flow-logs", "arn:aws:s3:::central-flow-logs/", true],
    ["arn:aws:s3:::central-flow-logs", "arn:aws:s3:::central-flow-logs/other/", false],
    ["arn:aws:s3:::central-flow-logs/*", "arn:aws:s3:::central-flow-logs-evil", false],
    ["arn:aws:s3:::central-flow-logs/*", "arn:aws:s3:::central-flow-logs/111111111111", true],
    ["arn:aws:s3:::elsewhere", "arn:aws:s3:::central-flow-logs", false],
    ["arn:aws:s3:::a.b", "arn:aws:s3:::aXb", false],
  ])("%s against %s: %s", (pattern, arn, allowed) => {
    expect(destinationMatcher([pattern], WHERE)(arn)).toBe(allowed);
  });

  it("substitutes the account-region's placeholders before matching", () => {
    const allowed = destinationMatcher(
      ["arn:${Partition}:logs:*:${AccountId}:log-group:/vpc-flow-logs/*"],
      WHERE,
    );

    expect(allowed("arn:aws:logs:eu-west-1:111111111111:log-group:/vpc-flow-logs/vpc-1:*")).toBe(true);
    expect(allowed("arn:aws:logs:eu-west-1:222222222222:log-group:/vpc-flow-logs/vpc-1")).toBe(false);
    expect(allowed("arn:aws-cn:logs:eu-west-1:111111111111:log-group:/vpc-flow-logs/vpc-1")).toBe(false);
  });

  it("allows nothing without patterns", () => {
    expect(destinationMatcher([], WHERE)("arn:aws:s3:::anything")).toBe(false);
  });

  it("names placeholders a pattern may not use", () => {
    expect(unknownPatternPlaceholders("arn:aws:s3:::${VpcId}-${AccountId}-${Acount}")).toEqual([
      "VpcId",
      "Acount",
    ]);
  });
});

describe("destination ARNs", () => {
  it("turns a log group name into the ARN of the group in the flow log's own account-region", () => {
    expect(
      destinationArn(
        { type: "cloud-watch-logs", logGroupName: "/vpc-flow-logs/x", deliverLogsPermissionArn: "r" },
        WHERE,
      ),
    ).toBe("arn:aws:logs:eu-west-1:111111111111:log-group:/vpc-flow-logs/x");
    expect(
      flowLogDestinationArn(
        flowLog("vpc-1", {
          destinationType: "cloud-watch-logs",
          logDestination: "",
          logGroupName: "/vpc-flow-logs/x",
        }),
        WHERE,
      ),
    ).toBe("arn:aws:logs:eu-west-1:111111111111:log-group:/vpc-flow-logs/x");
  });

  it("compares S3 and Firehose destinations by their ARN without trailing slashes", () => {
    expect(destinationArn({ type: "s3", arn: "arn:aws:s3:::bucket/prefix/" }, WHERE)).toBe(
      "arn:aws:s3:::bucket/prefix",
    );
    expect(flowLogDestinationArn(flowLog("vpc-1", { logDestination: "arn:aws:s3:::bucket/" }), WHERE)).toBe(
      "arn:aws:s3:::bucket",
    );
  });
});
