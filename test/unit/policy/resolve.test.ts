import { describe, expect, it } from "vitest";
import type { FlowLogSettings } from "../../../src/domain/flow-logs.js";
import { ENFORCER_MARK } from "../../../src/domain/flow-logs.js";
import { EnforcerError, PlaceholderError } from "../../../src/errors.js";
import {
  effectiveTags,
  type ResourceFacts,
  resolveFlowLogSettings,
  ruleMismatch,
  settingsKey,
} from "../../../src/policy/resolve.js";
import { ACCOUNT, placement, SUBNET_A1, TGW, VPC_A } from "../support/builders.js";
import { policyFixture, policyWith } from "../support/fixtures.js";

const CLOUDWATCH = {
  type: "cloud-watch-logs",
  logGroupName: "/vpc-flow-logs/${VpcId}",
  deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/flow-logs-delivery",
} as const;

function vpc(tags: Record<string, string> = {}): ResourceFacts {
  return { type: "VPC", id: VPC_A, tags };
}

function subnet(tags: Record<string, string> = {}): ResourceFacts {
  return { type: "Subnet", id: SUBNET_A1, vpcId: VPC_A, tags };
}

/** The settings of an `enforce` resolution; fails the test on any other kind. */
function settingsOf(resolution: ReturnType<typeof resolveFlowLogSettings>): FlowLogSettings {
  if (resolution.kind !== "enforce") throw new Error(`expected enforce, got ${resolution.kind}`);
  return resolution.settings;
}

describe("resolveFlowLogSettings", () => {
  it("applies the first matching rule, not a later one that also matches", () => {
    // Prepare
    const policy = policyWith({
      rules: [
        { name: "prod", match: { tags: { env: "prod" } }, trafficType: "REJECT" },
        { name: "any-env", match: { tags: { env: "*" } }, trafficType: "ACCEPT" },
      ],
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc({ env: "prod" }), placement());

    // Assess
    expect(resolution).toMatchObject({ kind: "enforce", rule: "prod", settings: { trafficType: "REJECT" } });
  });

  it("falls back to the defaults, without a rule name, when no rule matches", () => {
    // Prepare
    const policy = policyWith({
      rules: [{ name: "prod", match: { tags: { env: "prod" } }, trafficType: "REJECT" }],
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc({ env: "dev" }), placement());

    // Assess
    expect(resolution).toEqual({
      kind: "enforce",
      settings: {
        resourceType: "VPC",
        destination: { type: "s3", arn: `arn:aws:s3:::central-flow-logs/${ACCOUNT}/` },
        trafficType: "ALL",
        maxAggregationInterval: 600,
        tags: { ManagedBy: "vpc-flow-log-enforcer", [ENFORCER_MARK.key]: ENFORCER_MARK.value },
      },
    });
  });

  it.each([
    ["account", { accounts: ["222222222222"] }, { accounts: [ACCOUNT] }],
    ["region", { regions: ["eu-west-1"] }, { regions: ["us-east-1"] }],
    ["resource type", { resourceTypes: ["Subnet" as const] }, { resourceTypes: ["VPC" as const] }],
    ["tag value", { tags: { env: "prod" } }, { tags: { env: "dev" } }],
    ["tag key present (*)", { tags: { owner: "*" } }, { tags: { env: "*" } }],
  ])("matches on %s", (_, miss, hit) => {
    // Prepare
    const policy = policyWith({
      rules: [
        { name: "miss", match: miss, trafficType: "REJECT" },
        { name: "hit", match: hit, trafficType: "ACCEPT" },
      ],
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc({ env: "dev" }), placement());

    // Assess
    expect(resolution).toMatchObject({ kind: "enforce", rule: "hit" });
  });

  it("requires every listed tag of a rule to match", () => {
    // Prepare
    const policy = policyWith({
      rules: [{ name: "prod-web", match: { tags: { env: "prod", tier: "web" } }, trafficType: "REJECT" }],
    });

    // Act
    const partial = resolveFlowLogSettings(policy, vpc({ env: "prod" }), placement());
    const full = resolveFlowLogSettings(policy, vpc({ env: "prod", tier: "web" }), placement());

    // Assess
    expect(partial).not.toHaveProperty("rule");
    expect(full).toMatchObject({ rule: "prod-web" });
  });

  it("returns exempt with the rule's name for a resource an exempt rule matches", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc({ "flow-logs": "disabled" }), placement());

    // Assess
    expect(resolution).toEqual({ kind: "exempt", rule: "sandboxes-exempt" });
  });

  it("puts a resource type outside the policy's resourceTypes out of scope, before any rule", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");

    // Act
    const resolution = resolveFlowLogSettings(
      policy,
      {
        type: "NetworkInterface",
        id: "eni-0a1b2c3d4e5f60718",
        vpcId: VPC_A,
        tags: { "flow-logs": "disabled" },
      },
      placement(),
    );

    // Assess
    expect(resolution).toEqual({
      kind: "out-of-scope",
      reason: "resource type NetworkInterface is not in the policy's resourceTypes",
    });
  });

  it("applies the issue's prod rule only in its account, region and resource type", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const euWest = placement({ region: "eu-west-1" });

    // Act
    const prodVpc = resolveFlowLogSettings(policy, vpc({ env: "prod" }), euWest);
    const prodSubnet = resolveFlowLogSettings(policy, subnet({ env: "prod" }), euWest);

    // Assess
    expect(settingsOf(prodVpc).destination).toEqual({
      type: "cloud-watch-logs",
      logGroupName: `/vpc-flow-logs/${VPC_A}`,
      deliverLogsPermissionArn: `arn:aws:iam::${ACCOUNT}:role/flow-logs-delivery`,
    });
    expect(settingsOf(prodSubnet).destination).toEqual({
      type: "s3",
      arn: `arn:aws:s3:::central-flow-logs/${ACCOUNT}/`,
    });
  });

  it("merges the rule's tags over the defaults' tags", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" },
        tags: { ManagedBy: "vpc-flow-log-enforcer", CostCenter: "platform" },
      },
      rules: [{ name: "security", tags: { CostCenter: "security", Team: "secops" } }],
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(settingsOf(resolution).tags).toEqual({
      ManagedBy: "vpc-flow-log-enforcer",
      CostCenter: "security",
      Team: "secops",
      [ENFORCER_MARK.key]: ENFORCER_MARK.value,
    });
  });

  it("always adds the enforcer's mark, whatever tags the policy sets", () => {
    // Prepare
    const policy = policyWith({});
    const bare = policyWith({
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" } },
    });

    // Act
    const tagged = settingsOf(resolveFlowLogSettings(policy, vpc(), placement())).tags;
    const untagged = settingsOf(resolveFlowLogSettings(bare, vpc(), placement())).tags;

    // Assess
    expect(tagged[ENFORCER_MARK.key]).toBe(ENFORCER_MARK.value);
    expect(untagged).toEqual({ [ENFORCER_MARK.key]: ENFORCER_MARK.value });
  });

  it("substitutes every placeholder in destination fields and tag values", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: {
          type: "cloud-watch-logs",
          arn: "arn:${Partition}:logs:${Region}:${AccountId}:log-group:/flow-logs/${VpcId}/${ResourceId}",
          deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/delivery-${Region}",
        },
        tags: { Source: "${AccountId}/${Region}/${Partition}", Resource: "${ResourceId} in ${VpcId}" },
      },
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, subnet(), placement({ region: "cn-north-1" }));

    // Assess
    expect(settingsOf(resolution)).toMatchObject({
      destination: {
        type: "cloud-watch-logs",
        arn: `arn:aws-cn:logs:cn-north-1:${ACCOUNT}:log-group:/flow-logs/${VPC_A}/${SUBNET_A1}`,
        deliverLogsPermissionArn: `arn:aws-cn:iam::${ACCOUNT}:role/delivery-cn-north-1`,
      },
      tags: { Source: `${ACCOUNT}/cn-north-1/aws-cn`, Resource: `${SUBNET_A1} in ${VPC_A}` },
    });
  });

  it("substitutes ${VpcId} with a VPC's own ID", () => {
    // Prepare
    const policy = policyWith({ defaults: { destination: CLOUDWATCH } });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(settingsOf(resolution).destination.logGroupName).toBe(`/vpc-flow-logs/${VPC_A}`);
  });

  it("throws PlaceholderError when ${VpcId} is needed for a transit gateway", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC", "TransitGateway"],
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs/${VpcId}/" } },
    });

    // Act
    const act = () =>
      resolveFlowLogSettings(policy, { type: "TransitGateway", id: TGW, tags: {} }, placement());

    // Assess
    expect(act).toThrow(PlaceholderError);
    expect(act).toThrow("${VpcId} has no value for this resource");
  });

  it("leaves logFormat fields alone (they are not placeholders) and only normalizes spacing", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" },
        logFormat: "  ${version}   ${region}\t${vpc-id} ",
      },
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(settingsOf(resolution).logFormat).toBe("${version} ${region} ${vpc-id}");
  });

  it("defaults the aggregation interval to 600 s, and to 60 s for transit gateway types", () => {
    // Prepare
    const policy = policyFixture("transit-gateways.yaml");
    const withoutRules = policyWith({ resourceTypes: ["VPC", "Subnet", "TransitGateway"] });

    // Act
    const forTgw = resolveFlowLogSettings(policy, { type: "TransitGateway", id: TGW, tags: {} }, placement());
    const forSubnet = resolveFlowLogSettings(withoutRules, subnet(), placement());
    const forVpcByRule = resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(settingsOf(forTgw).maxAggregationInterval).toBe(60);
    expect(settingsOf(forSubnet).maxAggregationInterval).toBe(600);
    expect(settingsOf(forVpcByRule)).toMatchObject({ maxAggregationInterval: 600, resourceType: "VPC" });
  });

  it("uses an explicit interval from the defaults for every type", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" },
        maxAggregationInterval: 60,
      },
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(settingsOf(resolution).maxAggregationInterval).toBe(60);
  });

  it("does not give a rule with its own destination the default destination's options", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const withOwnS3 = policyWith({
      defaults: {
        destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" },
        destinationOptions: { fileFormat: "parquet" },
      },
      rules: [{ name: "archive", destination: { type: "s3", arn: "arn:aws:s3:::archive" } }],
    });

    // Act
    const prodVpc = resolveFlowLogSettings(policy, vpc({ env: "prod" }), placement({ region: "eu-west-1" }));
    const archived = resolveFlowLogSettings(withOwnS3, vpc(), placement());

    // Assess
    expect(settingsOf(prodVpc)).not.toHaveProperty("destinationOptions");
    expect(settingsOf(archived)).not.toHaveProperty("destinationOptions");
  });

  it("gives a rule that keeps the default destination the default destination's options", () => {
    // Prepare
    const policy = policyWith({
      defaults: {
        destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" },
        destinationOptions: { fileFormat: "parquet", perHourPartition: true },
      },
      rules: [{ name: "rejects-only", trafficType: "REJECT" }],
    });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(settingsOf(resolution).destinationOptions).toEqual({
      fileFormat: "parquet",
      hiveCompatiblePartitions: false,
      perHourPartition: true,
    });
  });

  it("throws when a rule matches on organizational units and the account's OUs are unknown", () => {
    // Prepare
    const policy = policyWith({
      rules: [{ name: "workloads", match: { organizationalUnits: ["ou-ab12-cd34ef56"] } }],
    });

    // Act
    const act = () => resolveFlowLogSettings(policy, vpc(), placement());

    // Assess
    expect(act).toThrow(
      `rule "workloads" matches on organizationalUnits, but the OUs of account ${ACCOUNT} are unknown`,
    );
  });

  it("matches organizational units against every OU above the account", () => {
    // Prepare
    const policy = policyWith({
      rules: [
        { name: "workloads", match: { organizationalUnits: ["ou-ab12-cd34ef56"] }, trafficType: "REJECT" },
      ],
    });

    // Act
    const inside = resolveFlowLogSettings(
      policy,
      vpc(),
      placement({ organizationalUnits: ["ou-ab12-00000000", "ou-ab12-cd34ef56"] }),
    );
    const outside = resolveFlowLogSettings(
      policy,
      vpc(),
      placement({ organizationalUnits: ["ou-ab12-00000000"] }),
    );

    // Assess
    expect(inside).toMatchObject({ rule: "workloads" });
    expect(outside).not.toHaveProperty("rule");
  });
});

describe("governed exemptions", () => {
  const sandbox = {
    name: "sandbox",
    match: { tags: { "flow-logs": "disabled" } },
    exempt: true,
    reason: "no production data",
    expires: "2026-06-30",
  };

  it("exempts a matching resource until the end of its expiry day (UTC), with its reason", () => {
    // Prepare
    const policy = policyWith({ rules: [sandbox] });
    const lastMoment = placement({ evaluatedAt: new Date("2026-06-30T23:59:59.999Z") });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc({ "flow-logs": "disabled" }), lastMoment);

    // Assess
    expect(resolution).toEqual({
      kind: "exempt",
      rule: "sandbox",
      reason: "no production data",
      expires: "2026-06-30",
    });
  });

  it("no longer matches once the expiry day is over: the defaults apply and say which exemption expired", () => {
    // Prepare
    const policy = policyWith({ rules: [sandbox] });
    const nextDay = placement({ evaluatedAt: new Date("2026-07-01T00:00:00Z") });

    // Act
    const resolution = resolveFlowLogSettings(policy, vpc({ "flow-logs": "disabled" }), nextDay);

    // Assess
    expect(resolution).toMatchObject({
      kind: "enforce",
      settings: { destination: { arn: `arn:aws:s3:::central-flow-logs/${ACCOUNT}/` } },
      expiredExemption: { rule: "sandbox", expires: "2026-06-30" },
    });
    expect(resolution).not.toHaveProperty("rule");
  });

  it("lets a later rule apply after an earlier exemption expired, still naming the expired one", () => {
    // Prepare
    const policy = policyWith({
      rules: [sandbox, { name: "tagged", match: { tags: { "flow-logs": "*" } }, trafficType: "REJECT" }],
    });

    // Act
    const resolution = resolveFlowLogSettings(
      policy,
      vpc({ "flow-logs": "disabled" }),
      placement({ evaluatedAt: new Date("2027-01-01T00:00:00Z") }),
    );

    // Assess
    expect(resolution).toMatchObject({
      kind: "enforce",
      rule: "tagged",
      settings: { trafficType: "REJECT" },
      expiredExemption: { rule: "sandbox" },
    });
  });

  it("ends a date-time expiry at that instant, whatever its zone", () => {
    // Prepare
    const policy = policyWith({ rules: [{ ...sandbox, expires: "2026-06-30T12:00:00+02:00" }] });
    const resource = vpc({ "flow-logs": "disabled" });

    // Act
    const before = resolveFlowLogSettings(
      policy,
      resource,
      placement({ evaluatedAt: new Date("2026-06-30T09:59:59Z") }),
    );
    const after = resolveFlowLogSettings(
      policy,
      resource,
      placement({ evaluatedAt: new Date("2026-06-30T10:00:00Z") }),
    );

    // Assess
    expect([before.kind, after.kind]).toEqual(["exempt", "enforce"]);
  });

  it("does not call an exemption expired for a resource it would not match anyway", () => {
    // Prepare
    const policy = policyWith({ rules: [sandbox] });

    // Act
    const resolution = resolveFlowLogSettings(
      policy,
      vpc(),
      placement({ evaluatedAt: new Date("2027-01-01") }),
    );

    // Assess
    expect(resolution).toMatchObject({ kind: "enforce" });
    expect(resolution).not.toHaveProperty("expiredExemption");
  });

  it("explains an expired rule as not matching, and why", () => {
    // Prepare
    const [rule] = policyWith({ rules: [sandbox] }).rules;
    if (rule === undefined) throw new Error("no rule");

    // Act
    const reason = ruleMismatch(
      rule,
      vpc({ "flow-logs": "disabled" }),
      placement({ evaluatedAt: new Date("2026-07-02") }),
    );

    // Assess
    expect(reason).toBe("its match holds, but the exemption expired on 2026-06-30");
  });

  it("refuses to decide an expiring rule without the time of the decision", () => {
    // Prepare
    const policy = policyWith({ rules: [sandbox] });

    // Act
    const act = () => resolveFlowLogSettings(policy, vpc({ "flow-logs": "disabled" }), placement());

    // Assess
    expect(act).toThrow(EnforcerError);
    expect(act).toThrow('rule "sandbox" expires, but the time of the decision is unknown');
  });
});

describe("effectiveTags", () => {
  it("lets a subnet inherit its VPC's tags unless it carries the key itself", () => {
    // Prepare
    const vpcTags = { "flow-logs": "disabled", env: "prod" };
    const subnetTags = { env: "dev", Name: "private-a" };

    // Act
    const tags = effectiveTags(subnetTags, vpcTags);

    // Assess
    expect(tags).toEqual({ "flow-logs": "disabled", env: "dev", Name: "private-a" });
  });

  it("exempts a subnet through its VPC's tag, and not when the subnet overrides that key", () => {
    // Prepare
    const policy = policyFixture("issue-example.yaml");
    const vpcTags = { "flow-logs": "disabled" };

    // Act
    const inherited = resolveFlowLogSettings(policy, subnet(effectiveTags({}, vpcTags)), placement());
    const overridden = resolveFlowLogSettings(
      policy,
      subnet(effectiveTags({ "flow-logs": "enabled" }, vpcTags)),
      placement(),
    );

    // Assess
    expect(inherited).toEqual({ kind: "exempt", rule: "sandboxes-exempt" });
    expect(overridden.kind).toBe("enforce");
  });
});

describe("settingsKey", () => {
  it("is the same for equal settings whatever their key order, and differs when a setting differs", () => {
    // Prepare
    const a: FlowLogSettings = {
      resourceType: "VPC",
      destination: { type: "s3", arn: "arn:aws:s3:::b" },
      trafficType: "ALL",
      maxAggregationInterval: 600,
      tags: { A: "1", B: "2" },
    };
    const reordered: FlowLogSettings = {
      tags: { B: "2", A: "1" },
      maxAggregationInterval: 600,
      trafficType: "ALL",
      destination: { arn: "arn:aws:s3:::b", type: "s3" },
      resourceType: "VPC",
    };

    // Act
    const keys = [settingsKey(a), settingsKey(reordered), settingsKey({ ...a, trafficType: "REJECT" })];

    // Assess
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });
});
