import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { checkRegions, enabledRegions } from "../../src/cli/regions.js";
import { CredentialsError, UnknownRegionError } from "../../src/errors.js";
import { describeRegions, toCredentialsError } from "../../src/gateways/caller-session.js";

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe("toCredentialsError", () => {
  it("tells how to provide credentials when the SDK's chain finds none", () => {
    const error = toCredentialsError(
      sdkError("CredentialsProviderError", "Could not load credentials from any providers"),
    );

    expect(error).toBeInstanceOf(CredentialsError);
    expect(error?.message).toBe(
      "no AWS credentials found: set AWS_PROFILE, run aws sso login (for an SSO profile), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Could not load credentials from any providers)",
    );
  });

  it("says AWS rejected credentials that exist but are wrong or expired", () => {
    const error = toCredentialsError(
      sdkError("ExpiredToken", "The security token included in the request is expired"),
    );

    expect(error?.message).toBe(
      "AWS rejected the credentials: ExpiredToken: The security token included in the request is expired",
    );
  });

  it("leaves other errors alone: AccessDenied is not a credentials problem", () => {
    expect(toCredentialsError(sdkError("AccessDenied", "not allowed"))).toBeUndefined();
  });
});

describe("regions", () => {
  const KNOWN = [
    { name: "eu-west-1", optInStatus: "opt-in-not-required" },
    { name: "eu-west-2", optInStatus: "opt-in-not-required" },
    { name: "us-east-1", optInStatus: "opt-in-not-required" },
    { name: "ap-east-1", optInStatus: "not-opted-in" },
  ];

  it("accepts regions AWS lists as enabled", () => {
    expect(() => checkRegions(["eu-west-1", "us-east-1"], KNOWN, "111111111111")).not.toThrow();
  });

  it("names an unknown region and suggests the one it was probably meant to be", () => {
    expect(() => checkRegions(["us-esat-1"], KNOWN, "111111111111")).toThrow(
      new UnknownRegionError(["us-esat-1"], "did you mean us-east-1 for us-esat-1?"),
    );
  });

  it("lists the known regions when no single one is close", () => {
    expect(() => checkRegions(["xx-nowhere-9"], KNOWN, "111111111111")).toThrow(
      "unknown region xx-nowhere-9: AWS lists no such region (known: eu-west-1, eu-west-2, us-east-1, ap-east-1)",
    );
  });

  it("says when a region exists but the account has not opted in", () => {
    expect(() => checkRegions(["ap-east-1"], KNOWN, "111111111111")).toThrow(
      "unknown region ap-east-1: not enabled for account 111111111111",
    );
  });

  it("keeps only the caller's partition from DescribeRegions, and only enabled regions for --all-regions", async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "ap-east-1", OptInStatus: "not-opted-in" },
        { RegionName: "me-south-1", OptInStatus: "opted-in" },
        { RegionName: "cn-north-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "us-gov-west-1", OptInStatus: "opt-in-not-required" },
      ],
    });

    const regions = await describeRegions(new EC2Client({ region: "eu-west-1" }), "aws");

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: true });
    expect(regions.map((region) => region.name)).toEqual(["eu-west-1", "ap-east-1", "me-south-1"]);
    expect(enabledRegions(regions)).toEqual(["eu-west-1", "me-south-1"]);
  });
});
