// The `flowlogs` CLI end to end: the built dist/cli.mjs spawned as a user runs it, against moto; stdout, stderr
// and exit codes asserted. Run `npm run build` first (npm test does).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  CreateFlowLogsCommand,
  CreateVpcCommand,
  DescribeFlowLogsCommand,
  DescribeRegionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { credentialsForAccount, type TestCredentials, useMoto } from "../support/aws-env.js";
import { ec2ErrorBody, type FaultProxy, startFaultProxy } from "../support/fault-proxy.js";
import { startCallCounter } from "../support/http-counter.js";
import { findFreePort } from "../support/loopback.js";

const motoEndpoint = useMoto();
const CLI = resolve("dist/cli.mjs");
const HOME_ACCOUNT = "123456789012";
const MEMBER_ACCOUNT = "222222222222";
const BUCKET = "cli-flow-logs";

const POLICY = `version: 1
resourceTypes: [VPC]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${BUCKET}" }
  tags: { ManagedBy: vpc-flow-log-enforcer }
rules:
  - name: prod-to-cloudwatch
    match: { accounts: ["111111111111"], tags: { env: prod } }
    destination:
      type: cloud-watch-logs
      logGroupName: "/vpc-flow-logs/\${ResourceId}"
      deliverLogsPermissionArn: "arn:\${Partition}:iam::\${AccountId}:role/flow-logs-delivery"
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
`;

// Line 5 indents a key under a scalar: a YAML syntax error.
const BAD_YAML_POLICY = `version: 1
defaults:
  destination:
    arn: "arn:aws:s3:::b/\${Acount}/"
  trafficType: SOME
    type: s3
`;
// Line 5 has an unknown placeholder, line 6 a bad traffic type (columns count from 1).
const BAD_SCHEMA_POLICY = `version: 1
defaults:
  destination:
    type: s3
    arn: "arn:aws:s3:::b/\${Acount}/"
  trafficType: SOME
`;

const workDir = mkdtempSync(join(tmpdir(), "flowlogs-cli-"));
const emptyHome = join(workDir, "home");
mkdirSync(emptyHome);
function writeWorkFile(name: string, text: string): string {
  const path = join(workDir, name);
  writeFileSync(path, text);
  return path;
}
const policyPath = writeWorkFile("policy.yaml", POLICY);

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Spawns `node dist/cli.mjs …` with a clean environment: moto's endpoint and dummy keys (account 123456789012),
 * a HOME without ~/.aws, no instance metadata. `env` entries set to undefined are removed.
 */
function flowlogs(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: emptyHome,
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_MAX_ATTEMPTS: "2",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const child = spawn(process.execPath, [CLI, ...args], { env: merged, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

interface JsonOutcome {
  readonly accountId: string;
  readonly region: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly outcome: string;
  readonly rule?: string;
  readonly reason?: string;
  readonly flowLogIds?: string[];
}

function parseReport(stdout: string): { outcomes: JsonOutcome[]; accounts: string[]; regions: string[] } {
  const parsed: unknown = JSON.parse(stdout);
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    !("outcomes" in parsed) ||
    !Array.isArray(parsed.outcomes)
  )
    throw new Error(`not a scan report: ${stdout.slice(0, 200)}`);
  const accounts = "accounts" in parsed && Array.isArray(parsed.accounts) ? parsed.accounts.map(String) : [];
  const regions = "regions" in parsed && Array.isArray(parsed.regions) ? parsed.regions.map(String) : [];
  return { outcomes: parsed.outcomes, accounts, regions };
}

function outcomeOf(outcomes: readonly JsonOutcome[], resourceId: string): JsonOutcome | undefined {
  return outcomes.find((outcome) => outcome.resourceId === resourceId);
}

const ec2 = (credentials?: TestCredentials, region = "us-east-1") =>
  new EC2Client({ region, ...(credentials ? { credentials } : {}) });

async function createVpc(
  client: EC2Client,
  cidr: string,
  tags: Record<string, string> = {},
): Promise<string> {
  const entries = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const { Vpc } = await client.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      ...(entries.length === 0 ? {} : { TagSpecifications: [{ ResourceType: "vpc", Tags: entries }] }),
    }),
  );
  if (Vpc?.VpcId === undefined) throw new Error("CreateVpc returned no VpcId");
  return Vpc.VpcId;
}

async function flowLogCount(client: EC2Client): Promise<number> {
  const { FlowLogs = [] } = await client.send(new DescribeFlowLogsCommand({}));
  return FlowLogs.length;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

describe("flowlogs validate", () => {
  it("prints a valid policy's summary on stdout and exits 0", async () => {
    const result = await flowlogs(["validate", policyPath]);

    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(
      `${policyPath}: valid (mode enforce, resource types VPC, subnetCoverage vpc, compliance destination, 2 rule(s))\n`,
    );
  });

  it("reports each schema problem as file:line:column: path: message and exits 1", async () => {
    const path = writeWorkFile("bad-schema.yaml", BAD_SCHEMA_POLICY);

    const result = await flowlogs(["validate", path]);

    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([
      `${path}:5:10: defaults.destination.arn: unknown placeholder \${Acount} (allowed: AccountId, Region, Partition, ResourceId, VpcId)`,
      `${path}:6:16: defaults.trafficType: Invalid option: expected one of "ACCEPT"|"REJECT"|"ALL"`,
    ]);
    expect(result.stderr).toBe(`${path}: 2 problem(s)\n`);
  });

  it("reports a YAML syntax error with its line and column", async () => {
    const path = writeWorkFile("bad-yaml.yaml", BAD_YAML_POLICY);

    const result = await flowlogs(["validate", path]);

    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")[0]).toBe(
      `${path}:5:16: (root): Nested mappings are not allowed in compact mappings`,
    );
  });

  it("refuses a policy over the size limit, and a YAML alias bomb, each with one clear line", async () => {
    const big = writeWorkFile("big.yaml", `version: 1\n# ${"x".repeat(70_000)}\n`);
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 9; level += 1) {
      const [previous, name] = [String.fromCharCode(96 + level), String.fromCharCode(97 + level)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const bomb = writeWorkFile("bomb.yaml", `${levels.join("\n")}\n`);

    const results = [await flowlogs(["validate", big]), await flowlogs(["validate", bomb])];

    expect(results.map((r) => r.code)).toEqual([1, 1]);
    expect(results[0]?.stdout).toBe(
      `${big}: (root): the policy is 70014 bytes, more than the limit of 65536 bytes (64 KiB)\n`,
    );
    expect(results[1]?.stdout).toMatch(
      /^.*bomb\.yaml: \(root\): YAML aliases expand too far \(more than 100 references\)/,
    );
    for (const result of results) expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("warns, and still exits 0, when a destination can fall outside --allowed-destinations", async () => {
    const result = await flowlogs([
      "validate",
      policyPath,
      "--allowed-destinations",
      `arn:aws:s3:::${BUCKET}`,
    ]);

    expect(result.code).toBe(0);
    expect(result.stderr.split("\n").filter(Boolean)).toEqual([
      `${policyPath}: rules[0].destination: warning: log group /vpc-flow-logs/\${ResourceId} can fall outside ALLOWED_DESTINATIONS (arn:aws:s3:::${BUCKET}): those resources would be reported failed and get no flow log`,
    ]);
  });

  it("names a missing file and exits 1", async () => {
    const result = await flowlogs(["validate", join(workDir, "nope.yaml")]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`cannot read the policy from file:${join(workDir, "nope.yaml")}`);
  });
});

describe("flowlogs explain", () => {
  it("explains from --tags without any AWS call (no endpoint listening, bogus credentials)", async () => {
    const closed = `http://127.0.0.1:${await findFreePort()}`;
    const noAws = { AWS_ENDPOINT_URL: closed, AWS_ACCESS_KEY_ID: "bogus", AWS_SECRET_ACCESS_KEY: "bogus" };

    const result = await flowlogs(
      [
        "explain",
        "--policy",
        policyPath,
        "--account",
        "111111111111",
        "--region",
        "eu-west-1",
        "--resource",
        "vpc-0123456789abcdef0",
        "--tags",
        "env=prod",
        "team=payments",
      ],
      noAws,
    );

    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("tags:       env=prod, team=payments  [from --tags; no AWS call]");
    expect(result.stdout).toContain("1. prod-to-cloudwatch: MATCHES");
    expect(result.stdout).toContain("2. sandboxes-exempt: not reached (an earlier rule matched)");
    expect(result.stdout).toContain("result:     ENFORCE with rule prod-to-cloudwatch");
    expect(result.stdout).toMatch(/destination\.logGroupName\s+\/vpc-flow-logs\/vpc-0123456789abcdef0/);
    expect(result.stdout).toMatch(
      /deliverLogsPermissionArn\s+arn:aws:iam::111111111111:role\/flow-logs-delivery/,
    );
  });

  it("says why earlier rules did not match and why the resource is exempt", async () => {
    const closed = `http://127.0.0.1:${await findFreePort()}`;

    const result = await flowlogs(
      [
        "explain",
        "--policy",
        policyPath,
        "--account",
        HOME_ACCOUNT,
        "--region",
        "us-east-1",
        "--resource",
        "vpc-0123456789abcdef0",
        "--tags",
        "flow-logs=disabled",
      ],
      { AWS_ENDPOINT_URL: closed },
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `1. prod-to-cloudwatch: no match: account ${HOME_ACCOUNT} is not in match.accounts [111111111111]`,
    );
    expect(result.stdout).toContain("2. sandboxes-exempt: MATCHES (exempt rule)");
    expect(result.stdout).toContain("result:     EXEMPT by rule sandboxes-exempt: no flow log is required");
  });

  it("says when a resource type is out of the policy's scope", async () => {
    const closed = `http://127.0.0.1:${await findFreePort()}`;

    const result = await flowlogs(
      [
        "explain",
        "--policy",
        policyPath,
        "--account",
        HOME_ACCOUNT,
        "--region",
        "us-east-1",
        "--resource",
        "subnet-0123456789abcdef0",
        "--tags",
        "",
      ],
      { AWS_ENDPOINT_URL: closed },
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "result:     OUT OF SCOPE: resource type Subnet is not in the policy's resourceTypes",
    );
  });

  it("refuses a resource EC2 does not show in that account and region, in one line (exit 1)", async () => {
    const result = await flowlogs([
      "explain",
      "--policy",
      policyPath,
      "--account",
      HOME_ACCOUNT,
      "--region",
      "us-east-1",
      "--resource",
      "vpc-0fffffffffffffff0",
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `flowlogs: vpc-0fffffffffffffff0 not found in account ${HOME_ACCOUNT}, region us-east-1\n`,
    );
  });

  it("needs AWS without --tags: the same closed endpoint then fails", async () => {
    const closed = `http://127.0.0.1:${await findFreePort()}`;

    const result = await flowlogs(
      [
        "explain",
        "--policy",
        policyPath,
        "--account",
        HOME_ACCOUNT,
        "--region",
        "us-east-1",
        "--resource",
        "vpc-0123456789abcdef0",
      ],
      { AWS_ENDPOINT_URL: closed },
    );

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^flowlogs: cannot reach AWS: connect ECONNREFUSED/);
  });

  it("refuses an unknown --region the way scan does, in one line, instead of explaining", async () => {
    const result = await flowlogs([
      "explain",
      "--policy",
      policyPath,
      "--account",
      HOME_ACCOUNT,
      "--region",
      "us-eats-1",
      "--resource",
      "vpc-0123456789abcdef0",
    ]);

    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "flowlogs: unknown region us-eats-1: did you mean us-east-1 for us-eats-1?\n",
    });
  });

  it("says in one line which arguments explain is missing", async () => {
    const result = await flowlogs(["explain", "--policy", policyPath, "--resource", "vpc-0123456789abcdef0"]);

    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "flowlogs: explain needs --account, --region (flowlogs explain --help shows the usage)\n",
    });
  });

  it("reads the resource's tags from EC2 with the resource when --tags is not given", async () => {
    const vpcId = await createVpc(ec2(), "10.90.0.0/16", { "flow-logs": "disabled" });

    const result = await flowlogs([
      "explain",
      "--policy",
      policyPath,
      "--account",
      HOME_ACCOUNT,
      "--region",
      "us-east-1",
      "--resource",
      vpcId,
      "--format",
      "json",
    ]);

    expect(result.code).toBe(0);
    const explanation: unknown = JSON.parse(result.stdout);
    expect(explanation).toMatchObject({
      tagsFrom: "EC2",
      resource: { id: vpcId, tags: { "flow-logs": "disabled" } },
      result: { kind: "exempt", rule: "sandboxes-exempt" },
    });
  });
});

describe("flowlogs scan and enforce", () => {
  const ids = { covered: "", uncovered: "", exempt: "" };

  beforeAll(async () => {
    await new S3Client({ region: "us-east-1" }).send(new CreateBucketCommand({ Bucket: BUCKET }));
    const client = ec2();
    ids.covered = await createVpc(client, "10.1.0.0/16");
    ids.uncovered = await createVpc(client, "10.2.0.0/16", { env: "dev" });
    ids.exempt = await createVpc(client, "10.3.0.0/16", { "flow-logs": "disabled" });
    await client.send(
      new CreateFlowLogsCommand({
        ResourceIds: [ids.covered],
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "s3",
        LogDestination: `arn:aws:s3:::${BUCKET}`,
      }),
    );
  });

  it("audits as JSON: covered, would-create with what it would create, exempt; exit 2; logs stay off stdout", async () => {
    const result = await flowlogs(["scan", "--policy", policyPath, "--format", "json"]);

    expect(result.code).toBe(2);
    const { outcomes, accounts, regions } = parseReport(result.stdout);
    expect(accounts).toEqual([HOME_ACCOUNT]);
    expect(regions).toEqual(["us-east-1"]);
    expect(outcomeOf(outcomes, ids.covered)).toMatchObject({ outcome: "compliant", resourceType: "VPC" });
    expect(outcomeOf(outcomes, ids.uncovered)).toMatchObject({ outcome: "would-create" });
    expect(outcomeOf(outcomes, ids.uncovered)?.reason).toContain(
      `would create a VPC flow log on ${ids.uncovered} to arn:aws:s3:::${BUCKET}`,
    );
    expect(outcomeOf(outcomes, ids.exempt)).toMatchObject({ outcome: "exempt", rule: "sandboxes-exempt" });
    expect(result.stderr).not.toContain("flow-log outcome");
    expect(result.stderr).toMatch(
      /\d+ resources? would be covered by \d+ new flow logs?.* in 1 account-region\(s\)\n$/,
    );
  });

  it("sends the engine's log lines to stderr with --verbose; stdout stays one JSON document", async () => {
    const result = await flowlogs(["scan", "--policy", policyPath, "--format", "json", "--verbose"]);

    expect(result.code).toBe(2);
    expect(parseReport(result.stdout).outcomes.length).toBeGreaterThan(0);
    const logLines = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line): unknown => JSON.parse(line));
    expect(logLines).toContainEqual(
      expect.objectContaining({ message: "flow-log outcome", trigger: "cli", resourceId: ids.uncovered }),
    );
  });

  it("audits as a table", async () => {
    const result = await flowlogs(["scan", "--policy", policyPath]);

    expect(result.code).toBe(2);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^ACCOUNT\s+REGION\s+TYPE\s+RESOURCE\s+OUTCOME\s+RULE\s+DETAIL$/);
    expect(lines.find((line) => line.includes(ids.uncovered))).toMatch(
      new RegExp(
        `^${HOME_ACCOUNT}\\s+us-east-1\\s+VPC\\s+${ids.uncovered}\\s+would-create\\s+-\\s+no ACTIVE`,
      ),
    );
    expect(lines.find((line) => line.includes(ids.exempt))).toMatch(/\sexempt\s+sandboxes-exempt\s/);
  });

  it("audits as CSV", async () => {
    const result = await flowlogs(["scan", "--policy", policyPath, "--format", "csv"]);

    expect(result.code).toBe(2);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "accountId,region,resourceType,resourceId,outcome,rule,flowLogIds,reason,unapprovedFlowLogs,replacedFlowLogIds,outdatedFlowLogIds",
    );
    expect(lines).toContain(
      `${HOME_ACCOUNT},us-east-1,VPC,${ids.exempt},exempt,sandboxes-exempt,,exempt by rule sandboxes-exempt,,,`,
    );
    expect(lines.find((line) => line.includes(ids.covered))).toMatch(
      new RegExp(
        `^${HOME_ACCOUNT},us-east-1,VPC,${ids.covered},compliant,,fl-[0-9a-f]+,has a compliant flow log,,,$`,
      ),
    );
  });

  it("refuses to enforce without --yes when stdin is not a terminal, and writes nothing", async () => {
    const before = await flowLogCount(ec2());

    const result = await flowlogs(["enforce", "--policy", policyPath]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("refusing to write without --yes");
    expect(await flowLogCount(ec2())).toBe(before);
  });

  it("enforces with --yes (exit 0), after which a scan finds everything covered (exit 0)", async () => {
    const enforced = await flowlogs(["enforce", "--policy", policyPath, "--yes", "--format", "json"]);

    expect(enforced.code).toBe(0);
    const created = outcomeOf(parseReport(enforced.stdout).outcomes, ids.uncovered);
    expect(created).toMatchObject({ outcome: "created", flowLogIds: [expect.stringMatching(/^fl-/)] });
    expect(enforced.stderr).toMatch(/^\d+ resources? covered by \d+ new flow logs?, /m);
    expect(enforced.stdout).toContain(`"flowLogsCreated": `);
    expect(outcomeOf(parseReport(enforced.stdout).outcomes, ids.exempt)).toMatchObject({ outcome: "exempt" });

    const rescan = await flowlogs(["scan", "--policy", policyPath, "--format", "json"]);

    expect(rescan.code).toBe(0);
    const outcomes = parseReport(rescan.stdout).outcomes;
    expect(outcomeOf(outcomes, ids.uncovered)).toMatchObject({
      outcome: "compliant",
      flowLogIds: created?.flowLogIds,
    });
    expect(outcomes.map((outcome) => outcome.outcome).sort()).not.toContain("would-create");
  });
});

describe("flowlogs scan: failures", () => {
  const proxies: FaultProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
  });

  it("rejects an unknown region by name before scanning", async () => {
    const result = await flowlogs(["scan", "--policy", policyPath, "--regions", "us-east-1,eu-wset-1"]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("flowlogs: unknown region eu-wset-1: did you mean eu-west-1 for eu-wset-1?\n");
  });

  it("says how to provide credentials when there are none", async () => {
    const result = await flowlogs(["scan", "--policy", policyPath], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^flowlogs: no AWS credentials found: set AWS_PROFILE, run aws sso login .*AWS_ACCESS_KEY_ID/,
    );
  });

  it("scans a member account through its assumed role", async () => {
    const member = await credentialsForAccount(motoEndpoint(), MEMBER_ACCOUNT);
    const memberVpc = await createVpc(ec2(member), "10.20.0.0/16");

    const result = await flowlogs([
      "scan",
      "--policy",
      policyPath,
      "--accounts",
      MEMBER_ACCOUNT,
      "--format",
      "json",
    ]);

    expect(result.code).toBe(2);
    expect(outcomeOf(parseReport(result.stdout).outcomes, memberVpc)).toMatchObject({
      accountId: MEMBER_ACCOUNT,
      outcome: "would-create",
    });
  });

  it("reports an account whose role cannot be assumed as a failed row; the other account is scanned", async () => {
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { service: "sts", action: "AssumeRole" },
        respond: { status: 403, body: stsAccessDenied() },
        times: 100,
      },
    ]);
    proxies.push(proxy);

    const result = await flowlogs(
      ["scan", "--policy", policyPath, "--accounts", `${HOME_ACCOUNT},${MEMBER_ACCOUNT}`, "--format", "json"],
      { AWS_ENDPOINT_URL: proxy.endpoint },
    );

    expect(result.code).toBe(2);
    const { outcomes } = parseReport(result.stdout);
    expect(outcomeOf(outcomes, `${MEMBER_ACCOUNT}/us-east-1`)).toMatchObject({
      resourceType: "AccountRegion",
      outcome: "failed",
      reason: expect.stringContaining(
        `cannot assume arn:aws:iam::${MEMBER_ACCOUNT}:role/FlowLogEnforcerMemberRole: AccessDenied`,
      ),
    });
    const homeRows = outcomes.filter((outcome) => outcome.accountId === HOME_ACCOUNT);
    expect(homeRows.length).toBeGreaterThan(0);
    expect(homeRows.every((outcome) => outcome.resourceType === "VPC")).toBe(true);
    expect(proxy.count({ action: "AssumeRole" })).toBeGreaterThan(0);
  });

  it("reports an account-region that denies EC2 access as a failed row; the other region is scanned", async () => {
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { service: "ec2", action: "DescribeVpcs" },
        respond: {
          status: 403,
          body: ec2ErrorBody("UnauthorizedOperation", "You are not authorized to perform this operation."),
        },
        times: 1,
      },
    ]);
    proxies.push(proxy);

    const result = await flowlogs(
      ["scan", "--policy", policyPath, "--regions", "us-east-1,eu-west-1", "--format", "json"],
      { AWS_ENDPOINT_URL: proxy.endpoint },
    );

    expect(result.code).toBe(2);
    const { outcomes } = parseReport(result.stdout);
    const failed = outcomes.filter((outcome) => outcome.resourceType === "AccountRegion");
    expect(failed).toEqual([
      expect.objectContaining({
        outcome: "failed",
        reason: expect.stringContaining("UnauthorizedOperation"),
      }),
    ]);
    const otherRegion = failed[0]?.region === "us-east-1" ? "eu-west-1" : "us-east-1";
    expect(outcomes.some((outcome) => outcome.region === otherRegion && outcome.resourceType === "VPC")).toBe(
      true,
    );
  });

  it("--all-regions scans every region DescribeRegions lists as enabled in the caller's partition", async () => {
    const { Regions = [] } = await ec2().send(new DescribeRegionsCommand({ AllRegions: true }));
    const enabled = Regions.filter(
      (region) => region.OptInStatus !== "not-opted-in" && !/^(cn|us-gov)-/.test(region.RegionName ?? "cn-"),
    ).map((region) => region.RegionName);

    const result = await flowlogs(["scan", "--policy", policyPath, "--all-regions", "--format", "json"]);

    const { regions, outcomes } = parseReport(result.stdout);
    expect(regions).toEqual(enabled);
    expect(regions).not.toContain("ap-east-1");
    // Every region has its default VPC, so every region reports at least one row.
    expect(new Set(outcomes.map((outcome) => outcome.region))).toEqual(new Set(enabled));
    expect(result.stderr).toContain(`in ${enabled.length} account-region(s)`);
  });

  it("--organization-id refuses an account outside that organization before assuming its role", async () => {
    const organizations = new OrganizationsClient({ region: "us-east-1" });
    const { Organization } = await organizations
      .send(new CreateOrganizationCommand({ FeatureSet: "ALL" }))
      .catch(async () => organizations.send(new DescribeOrganizationCommand({})));
    const counter = await startCallCounter(motoEndpoint());

    const result = await flowlogs(
      [
        "scan",
        "--policy",
        policyPath,
        "--accounts",
        `${HOME_ACCOUNT},999999999999`,
        "--organization-id",
        Organization?.Id ?? "",
        "--format",
        "json",
      ],
      { AWS_ENDPOINT_URL: counter.endpoint },
    );
    await counter.stop();

    const { outcomes } = parseReport(result.stdout);
    expect(outcomeOf(outcomes, "999999999999/us-east-1")).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining("account 999999999999 is not an ACTIVE member of the organization"),
    });
    expect(outcomes.some((o) => o.accountId === HOME_ACCOUNT && o.resourceType === "VPC")).toBe(true);
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(0);
  });

  it("--org scans every ACTIVE account of the organization", async () => {
    const organizations = new OrganizationsClient({ region: "us-east-1" });
    // The --organization-id test may have created it already.
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch(() => undefined);
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: "member", Email: "member@example.com" }),
    );
    const newAccount = CreateAccountStatus?.AccountId ?? "";

    const result = await flowlogs(["scan", "--policy", policyPath, "--org", "--format", "json"]);

    const { accounts, outcomes } = parseReport(result.stdout);
    expect(accounts).toEqual(expect.arrayContaining([HOME_ACCOUNT, newAccount]));
    expect(accounts).toHaveLength(2);
    // The new account's default VPC has no flow log yet.
    expect(outcomes.some((o) => o.accountId === newAccount && o.outcome === "would-create")).toBe(true);
    expect(result.code).toBe(2);
  });
});

/** STS (awsQuery protocol) error body for a denied AssumeRole. */
function stsAccessDenied(): string {
  return (
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
    `<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error>` +
    `<RequestId>fault-proxy</RequestId></ErrorResponse>`
  );
}

describe("flowlogs: unapproved and replaced flow logs", () => {
  const APPROVING_POLICY = `${POLICY}approvedDestinations: ["arn:\${Partition}:s3:::${BUCKET}-archive*"]\n`;
  const policyTo = (bucket: string, extra = "") =>
    `version: 1\nresourceTypes: [VPC]\ndefaults:\n  destination: { type: s3, arn: "arn:\${Partition}:s3:::${bucket}" }\n${extra}`;

  beforeAll(async () => {
    const s3 = new S3Client({ region: "us-east-1" });
    for (const bucket of ["cli-unapproved", "cli-v1", "cli-v2"])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it("scan and explain name a flow log to an unapproved destination (outcome unapproved, exit 2)", async () => {
    const client = ec2(undefined, "eu-west-1");
    const vpcId = await createVpc(client, "10.50.0.0/16");
    for (const bucket of [BUCKET, "cli-unapproved"])
      await client.send(
        new CreateFlowLogsCommand({
          ResourceIds: [vpcId],
          ResourceType: "VPC",
          TrafficType: "ALL",
          LogDestinationType: "s3",
          LogDestination: `arn:aws:s3:::${bucket}`,
        }),
      );
    const approving = writeWorkFile("approving.yaml", APPROVING_POLICY);

    const scan = await flowlogs(["scan", "--policy", approving, "--regions", "eu-west-1"]);
    const explain = await flowlogs([
      "explain",
      "--policy",
      approving,
      "--account",
      HOME_ACCOUNT,
      "--region",
      "eu-west-1",
      "--resource",
      vpcId,
    ]);

    expect(scan.code).toBe(2);
    expect(scan.stdout.split("\n").find((line) => line.includes(vpcId))).toMatch(
      /\sunapproved\s+-\s+1 unapproved flow log: fl-[0-9a-f]+ to arn:aws:s3:::cli-unapproved \(reported\); compliant: /,
    );
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(
      /unapproved: fl-[0-9a-f]+ to arn:aws:s3:::cli-unapproved \(not the policy's destination/,
    );
  });

  it("scan shows the outdated flow log enforce would replace, and enforce --yes replaces it", async () => {
    const client = ec2(undefined, "eu-west-2");
    const vpcId = await createVpc(client, "10.51.0.0/16");
    const v1 = writeWorkFile("v1.yaml", policyTo("cli-v1"));
    const v2 = writeWorkFile("v2.yaml", policyTo("cli-v2", "replaceOutdated: true\n"));
    await flowlogs(["enforce", "--yes", "--policy", v1, "--regions", "eu-west-2"]);
    const { FlowLogs: [original] = [] } = await client.send(
      new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] }),
    );

    const scan = await flowlogs(["scan", "--policy", v2, "--regions", "eu-west-2", "--format", "json"]);
    const enforce = await flowlogs(["enforce", "--yes", "--policy", v2, "--regions", "eu-west-2"]);

    expect(outcomeOf(parseReport(scan.stdout).outcomes, vpcId)).toMatchObject({
      outcome: "would-create",
      outdatedFlowLogIds: [original?.FlowLogId],
    });
    expect(enforce.code, enforce.stderr).toBe(0);
    expect(enforce.stdout.split("\n").find((line) => line.includes(vpcId))).toContain(
      `replaced outdated ${original?.FlowLogId}`,
    );
    const { FlowLogs: remaining = [] } = await client.send(
      new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] }),
    );
    expect(remaining.map((log) => log.LogDestination)).toEqual(["arn:aws:s3:::cli-v2"]);
  });

  it("compliance exact: scan agrees with enforce on a Parquet flow log whose options DescribeFlowLogs leaves out", async () => {
    // moto drops DestinationOptions (real EC2 returns them for every S3 flow log): scan used to read the absence
    // as plain-text and say would-create, where enforce got FlowLogAlreadyExists and said compliant.
    const client = ec2(undefined, "eu-central-1");
    const vpcId = await createVpc(client, "10.52.0.0/16");
    const exact = writeWorkFile(
      "exact.yaml",
      [
        "version: 1",
        "resourceTypes: [VPC]",
        "compliance: exact",
        "defaults:",
        '  destination: { type: s3, arn: "arn:${Partition}:s3:::cli-v1" }',
        "  destinationOptions: { fileFormat: parquet, hiveCompatiblePartitions: true }",
        "",
      ].join("\n"),
    );
    await flowlogs(["enforce", "--yes", "--policy", exact, "--regions", "eu-central-1"]);

    const scan = await flowlogs(["scan", "--policy", exact, "--regions", "eu-central-1", "--format", "json"]);
    const again = await flowlogs([
      "enforce",
      "--yes",
      "--policy",
      exact,
      "--regions",
      "eu-central-1",
      "--format",
      "json",
    ]);

    expect(outcomeOf(parseReport(scan.stdout).outcomes, vpcId)).toMatchObject({ outcome: "compliant" });
    expect(outcomeOf(parseReport(again.stdout).outcomes, vpcId)).toMatchObject({ outcome: "compliant" });
    const { FlowLogs = [] } = await client.send(
      new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] }),
    );
    expect(FlowLogs).toHaveLength(1);
  });
});
