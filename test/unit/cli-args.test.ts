import { describe, expect, it } from "vitest";
import { commaList, parseTags, policySource, regionNames } from "../../src/cli/args.js";
import { parseExplainArgs } from "../../src/cli/commands/explain.js";
import { parseScanArgs } from "../../src/cli/commands/scan.js";
import { UsageError } from "../../src/errors.js";
import { policySourceText } from "../../src/policy/policy-source.js";

const EXPLAIN_BASE = [
  "--policy",
  "policy.yaml",
  "--account",
  "123456789012",
  "--region",
  "eu-west-1",
  "--resource",
  "vpc-0123456789abcdef0",
];

describe("scan/enforce arguments", () => {
  it("defaults to the caller's account, the SDK's region, a table and the standard member role", () => {
    const options = parseScanArgs(["--policy", "p.yaml"], {}, "usage");

    expect(options).toEqual({
      accounts: { kind: "caller" },
      regions: { kind: "default" },
      source: { kind: "file", path: "p.yaml" },
      format: "table",
      roleName: "FlowLogEnforcerMemberRole",
      concurrency: 8,
      yes: false,
      findings: false,
    });
  });

  it("takes the organization boundary and the destination guard when asked", () => {
    const options = parseScanArgs(
      [
        "--policy",
        "p.yaml",
        "--organization-id",
        "o-a1b2c3d4e5",
        "--allowed-destinations",
        "arn:aws:s3:::central,arn:aws:s3:::central/*",
        "--allowed-destinations",
        "arn:${Partition}:logs:*:${AccountId}:log-group:/vpc/*",
      ],
      {},
      "usage",
    );

    expect(options).toMatchObject({
      organizationId: "o-a1b2c3d4e5",
      allowedDestinations: [
        "arn:aws:s3:::central",
        "arn:aws:s3:::central/*",
        "arn:${Partition}:logs:*:${AccountId}:log-group:/vpc/*",
      ],
    });
  });

  it("takes comma lists and repeated flags for accounts and regions", () => {
    const options = parseScanArgs(
      [
        "--accounts",
        "111111111111,222222222222",
        "--accounts",
        "333333333333",
        "--regions",
        "eu-west-1, us-east-1",
      ],
      { POLICY_SOURCE: "ssm:/flowlogs/policy", MEMBER_ROLE_NAME: "Custom" },
      "usage",
    );

    expect(options.accounts).toEqual({ kind: "list", ids: ["111111111111", "222222222222", "333333333333"] });
    expect(options.regions).toEqual({ kind: "list", names: ["eu-west-1", "us-east-1"] });
    expect(options.source).toEqual({ kind: "ssm", parameterName: "/flowlogs/policy" });
    expect(options.roleName).toBe("Custom");
  });

  it.each([
    [["--accounts", "111111111111", "--org"], "use either --accounts or --org"],
    [["--regions", "eu-west-1", "--all-regions"], "use either --regions or --all-regions"],
    [["--accounts", "1234"], '--accounts takes 12-digit account IDs (got "1234")'],
    [["--regions", "Ireland"], '--regions: "Ireland" is not a region name'],
    [["--format", "xml"], '--format must be one of table, json, csv, html (got "xml")'],
    [["--concurrency", "0"], '--concurrency must be a positive integer (got "0")'],
    [
      ["--organization-id", "r-ab12"],
      '--organization-id must be an organization ID such as o-a1b2c3d4e5 (got "r-ab12")',
    ],
    [
      ["--allowed-destinations", "my-bucket"],
      '--allowed-destinations must list ARN patterns (arn:…) or * (got "my-bucket")',
    ],
    [["--allowed-destinations", ","], "--allowed-destinations lists no pattern"],
    [["--bogus"], "Unknown option '--bogus'"],
    [["extra"], 'unexpected argument "extra"'],
  ])("rejects %j as a usage error", (argv, message) => {
    const parse = () => parseScanArgs(["--policy", "p.yaml", ...argv], {}, "usage");

    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it("needs a policy from --policy or POLICY_SOURCE", () => {
    expect(() => parseScanArgs([], {}, "usage")).toThrow("--policy is required");
  });
});

describe("explain arguments", () => {
  it("collects --tags words up to the next option, including repeated --tags", () => {
    const options = parseExplainArgs(
      [...EXPLAIN_BASE, "--tags", "env=prod", "team=a=b", "--format", "json", "--tags", "owner"],
      {},
    );

    expect(options.tags).toEqual({ env: "prod", team: "a=b", owner: "" });
    expect(options.format).toBe("json");
  });

  it("treats --tags '' as a resource without tags, and no --tags as tags to be read", () => {
    expect(parseExplainArgs([...EXPLAIN_BASE, "--tags", ""], {}).tags).toEqual({});
    expect(parseExplainArgs(EXPLAIN_BASE, {}).tags).toBeUndefined();
  });

  it("derives the resource type and partition from the IDs and region", () => {
    const options = parseExplainArgs(
      [...EXPLAIN_BASE.slice(0, 4), "--region", "cn-north-1", "--resource", "subnet-0123456789abcdef0"],
      {},
    );

    expect(options.resourceType).toBe("Subnet");
    expect(options.placement).toEqual({
      accountId: "123456789012",
      region: "cn-north-1",
      partition: "aws-cn",
    });
  });

  it.each([
    [["--policy", "p.yaml"], "explain needs --account, --region, --resource"],
    [[...EXPLAIN_BASE, "stray"], 'unexpected argument "stray"'],
    [[...EXPLAIN_BASE.slice(0, 6), "--resource", "i-0123456789abcdef0"], "is not a VPC, subnet"],
    [[...EXPLAIN_BASE, "--vpc", "subnet-0123456789abcdef0"], "is not a VPC ID"],
    [[...EXPLAIN_BASE, "--tags", "=v"], "has no key"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseExplainArgs(argv, {})).toThrow(message);
  });
});

describe("argument values", () => {
  it("splits comma lists and drops empty items", () => {
    expect(commaList(["a,b", " c ,", ""])).toEqual(["a", "b", "c"]);
  });

  it("keeps each region once", () => {
    expect(regionNames("--regions", ["eu-west-1", "eu-west-1"])).toEqual(["eu-west-1"]);
  });

  it("splits a tag on its first =", () => {
    expect(parseTags(["k=v=w", "empty="])).toEqual({ k: "v=w", empty: "" });
  });

  it.each([
    ["policy.yaml", "file:policy.yaml"],
    ["file:/p.yaml", "file:/p.yaml"],
    ["ssm:/flowlogs/policy", "ssm:/flowlogs/policy"],
    ["s3://bucket/policy.yaml", "s3://bucket/policy.yaml"],
  ])("reads policy source %s as %s", (given, source) => {
    expect(policySourceText(policySource(given, {}))).toBe(source);
  });

  it("refuses a source whose scheme is there but not the rest, rather than reading it as a file", () => {
    expect(() => policySource("s3://bucket-only", {})).toThrow(UsageError);
    expect(() => policySource("ssm:", {})).toThrow('--policy "ssm:" is incomplete');
  });
});
