import { describe, expect, it } from "vitest";
import {
  canFallOutside,
  destinationArn,
  destinationMatcher,
  flowLogDestinationArn,
  parseDestinationPatterns,
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

describe("parseDestinationPatterns", () => {
  it("reads comma-separated ARN patterns, trimming blanks and empty items", () => {
    expect(
      parseDestinationPatterns(
        " arn:aws:s3:::central-* , arn:${Partition}:logs:*:${AccountId}:log-group:/x/*,",
      ),
    ).toEqual({
      kind: "valid",
      patterns: ["arn:aws:s3:::central-*", "arn:${Partition}:logs:*:${AccountId}:log-group:/x/*"],
    });
    expect(parseDestinationPatterns("")).toEqual({ kind: "valid", patterns: [] });
    expect(parseDestinationPatterns("*")).toEqual({ kind: "valid", patterns: ["*"] });
  });

  it.each([
    ["central-flow-logs", 'must list ARN patterns (arn:…) or * (got "central-flow-logs")'],
    [
      "arn:aws:s3:::${VpcId}",
      'may use only ${AccountId}, ${Region}, ${Partition} (got ${VpcId} in "arn:aws:s3:::${VpcId}")',
    ],
  ])("refuses %s, saying why", (text, problem) => {
    expect(parseDestinationPatterns(text)).toEqual({ kind: "invalid", problem });
  });
});

describe("canFallOutside: the check flowlogs validate makes without an account", () => {
  it.each([
    ["arn:${Partition}:s3:::central/${AccountId}/", ["arn:aws:s3:::central/*"], false],
    ["arn:${Partition}:s3:::central/${AccountId}/", ["arn:${Partition}:s3:::central/${AccountId}"], false],
    ["arn:aws:s3:::central/${AccountId}/", ["arn:aws:s3:::central/111111111111"], true],
    ["arn:aws:s3:::central/${AccountId}/", ["arn:aws:s3:::central/1*"], true],
    ["arn:aws:s3:::elsewhere", ["arn:aws:s3:::central-*"], true],
    ["arn:aws:s3:::central-flow-logs", ["arn:aws:s3:::central-*"], false],
    ["arn:${Partition}:s3:::central-${Region}", ["arn:aws-cn:s3:::central-*"], false],
    ["arn:aws:s3:::central-${Region}", ["arn:aws:s3:::central-eu-*"], true],
    ["arn:aws:s3:::anything", ["*"], false],
  ])("%s against %j: can fall outside %s", (arn, patterns, outside) => {
    expect(canFallOutside({ type: "s3", arn }, patterns)).toBe(outside);
  });

  it("places a log group name in every account and region, as the flow log's own", () => {
    const destination = { type: "cloud-watch-logs", logGroupName: "/vpc-flow-logs/${VpcId}" } as const;

    expect(canFallOutside(destination, ["arn:${Partition}:logs:*:*:log-group:/vpc-flow-logs/*"])).toBe(false);
    expect(canFallOutside(destination, ["arn:aws:logs:*:${AccountId}:log-group:/vpc-flow-logs/*"])).toBe(
      false,
    );
    expect(canFallOutside(destination, ["arn:aws:logs:eu-west-1:*:log-group:/vpc-flow-logs/*"])).toBe(true);
  });
});
