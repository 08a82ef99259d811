import { describe, expect, it } from "vitest";
import { type PolicyIssue, PolicyValidationError } from "../../../src/errors.js";
import { MAX_POLICY_BYTES, parsePolicy } from "../../../src/policy/parse.js";
import { policyUsesTags } from "../../../src/policy/resolve.js";
import { readFixture } from "../support/fixtures.js";

/** The issues parsePolicy reports for this text; fails the test when the text is accepted. */
function issuesOf(text: string): readonly PolicyIssue[] {
  try {
    parsePolicy(text, "file:policy.yaml");
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues;
    throw error;
  }
  throw new Error("the policy was accepted");
}

const S3_DEFAULTS = `defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::central-flow-logs/\${AccountId}/" }
`;

describe("parsePolicy", () => {
  it("accepts the example policy of the issue and applies the defaults it leaves out", () => {
    // Prepare
    const text = readFixture("policies/issue-example.yaml");

    // Act
    const policy = parsePolicy(text, "file:issue-example.yaml");

    // Assess
    expect(policy.defaults.destination).toEqual({
      type: "s3",
      arn: "arn:${Partition}:s3:::central-flow-logs/${AccountId}/",
    });
    expect(policy.defaults.destinationOptions).toEqual({
      fileFormat: "parquet",
      hiveCompatiblePartitions: true,
      perHourPartition: true,
    });
    expect(policy.rules.map((rule) => [rule.name, rule.exempt])).toEqual([
      ["prod-to-cloudwatch", false],
      ["sandboxes-exempt", true],
    ]);
    expect(policy.rules[0]?.match).toEqual({
      accounts: ["111111111111"],
      regions: ["eu-west-1"],
      resourceTypes: ["VPC"],
      tags: { env: "prod" },
    });
    expect(policyUsesTags(policy)).toBe(true);
  });

  it("fills mode, resourceTypes, subnetCoverage, compliance and rules when a policy omits them", () => {
    // Prepare
    const text = `version: 1\n${S3_DEFAULTS}`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");

    // Assess
    expect(policy).toMatchObject({
      mode: "enforce",
      resourceTypes: ["VPC", "Subnet"],
      subnetCoverage: "vpc",
      compliance: "destination",
      rules: [],
    });
    expect(policyUsesTags(policy)).toBe(false);
  });

  it("accepts JSON text as well as YAML", () => {
    // Prepare
    const text = readFixture("policies/minimal-s3.json");

    // Act
    const policy = parsePolicy(text, "file:minimal-s3.json");

    // Assess
    expect(policy.defaults.tags).toEqual({ ManagedBy: "vpc-flow-log-enforcer" });
    expect(policy.mode).toBe("enforce");
  });

  it("rejects an unknown placeholder, naming the field path and the placeholder", () => {
    // Prepare
    const text = `version: 1
defaults:
  destination: { type: s3, arn: "arn:aws:s3:::central-flow-logs/\${Acount}/" }
  tags: { Owner: "\${Team}" }
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.destination.arn",
        message: expect.stringContaining("unknown placeholder ${Acount}"),
      }),
      expect.objectContaining({
        path: "defaults.tags.Owner",
        message: expect.stringContaining("unknown placeholder ${Team}"),
      }),
    ]);
  });

  it("rejects a logFormat field that is not a documented flow-log field", () => {
    // Prepare
    const text = `version: 1\n${S3_DEFAULTS}  logFormat: "\${version} \${srcaddr} \${source-address}"\n`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.logFormat",
        message: "unknown flow-log field ${source-address}",
      }),
    ]);
  });

  it("does not treat logFormat fields as placeholders: ${vpc-id} and ${region} are fields, ${AccountId} is not", () => {
    // Prepare
    const fieldsOnly = `version: 1\n${S3_DEFAULTS}  logFormat: "\${version} \${vpc-id} \${region} \${subnet-id}"\n`;
    const placeholderInFormat = `version: 1\n${S3_DEFAULTS}  logFormat: "\${version} \${AccountId}"\n`;

    // Act
    const policy = parsePolicy(fieldsOnly, "file:policy.yaml");
    const issues = issuesOf(placeholderInFormat);

    // Assess
    expect(policy.defaults.logFormat).toBe("${version} ${vpc-id} ${region} ${subnet-id}");
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.logFormat",
        message: '"${AccountId}" is not a ${field} reference',
      }),
    ]);
  });

  it.each([
    ["neither", "{ type: cloud-watch-logs, deliverLogsPermissionArn: 'arn:aws:iam::111111111111:role/r' }"],
    [
      "both",
      "{ type: cloud-watch-logs, logGroupName: flow-logs, arn: 'arn:aws:logs:us-east-1:111111111111:log-group:flow-logs', deliverLogsPermissionArn: 'arn:aws:iam::111111111111:role/r' }",
    ],
  ])("requires exactly one of logGroupName or arn for cloud-watch-logs (%s given)", (_, destination) => {
    // Prepare
    const text = `version: 1\ndefaults:\n  destination: ${destination}\n`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.destination.logGroupName",
        message: "set exactly one of logGroupName or arn",
      }),
    ]);
  });

  it("requires deliverLogsPermissionArn for cloud-watch-logs", () => {
    // Prepare
    const text =
      "version: 1\ndefaults:\n  destination: { type: cloud-watch-logs, logGroupName: flow-logs }\n";

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(["defaults.destination.deliverLogsPermissionArn"]);
  });

  it("accepts a cloud-watch-logs destination with a log group ARN and a delivery role", () => {
    // Prepare
    const text = `version: 1
defaults:
  destination:
    type: cloud-watch-logs
    arn: "arn:\${Partition}:logs:\${Region}:\${AccountId}:log-group:/vpc-flow-logs/\${VpcId}"
    deliverLogsPermissionArn: "arn:\${Partition}:iam::\${AccountId}:role/flow-logs-delivery"
`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");

    // Assess
    expect(policy.defaults.destination.type).toBe("cloud-watch-logs");
  });

  it("rejects destinationOptions on a destination that is not s3, also when a rule inherits the default's type", () => {
    // Prepare
    const text = `version: 1
defaults:
  destination: { type: kinesis-data-firehose, arn: "arn:aws:firehose:us-east-1:111111111111:deliverystream/flow-logs" }
rules:
  - name: parquet
    destinationOptions: { fileFormat: parquet }
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "rules[0].destinationOptions",
        message: expect.stringContaining("(destination type is kinesis-data-firehose)"),
      }),
    ]);
  });

  it("accepts destinationOptions on a rule whose own destination is s3 although the default is not", () => {
    // Prepare
    const text = `version: 1
defaults:
  destination: { type: kinesis-data-firehose, arn: "arn:aws:firehose:us-east-1:111111111111:deliverystream/flow-logs" }
rules:
  - name: parquet-archive
    destination: { type: s3, arn: "arn:aws:s3:::archive" }
    destinationOptions: { fileFormat: parquet }
`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");

    // Assess
    expect(policy.rules[0]?.destinationOptions).toEqual({
      fileFormat: "parquet",
      hiveCompatiblePartitions: false,
      perHourPartition: false,
    });
  });

  it("rejects an explicit 600 s interval in defaults when transit gateways are in resourceTypes", () => {
    // Prepare
    const text = `version: 1\nresourceTypes: [VPC, TransitGateway]\n${S3_DEFAULTS}  maxAggregationInterval: 600\n`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.maxAggregationInterval",
        message: expect.stringContaining("accept only maxAggregationInterval 60"),
        line: 5,
        column: 27,
      }),
    ]);
  });

  it("rejects a 600 s rule that can reach transit gateway attachments, but not one limited to VPCs", () => {
    // Prepare
    const text = `version: 1
resourceTypes: [VPC, TransitGatewayAttachment]
${S3_DEFAULTS}rules:
  - name: vpcs
    match: { resourceTypes: [VPC] }
    maxAggregationInterval: 600
  - name: everything-slow
    maxAggregationInterval: 600
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(["rules[1].maxAggregationInterval"]);
  });

  it("accepts a 600 s rule limited to VPCs next to transit gateways", () => {
    // Prepare
    const text = readFixture("policies/transit-gateways.yaml");

    // Act
    const policy = parsePolicy(text, "file:transit-gateways.yaml");

    // Assess
    expect(policy.rules[0]?.maxAggregationInterval).toBe(600);
  });

  it("rejects settings on an exempt rule", () => {
    // Prepare
    const text = `version: 1
${S3_DEFAULTS}rules:
  - name: sandboxes
    match: { tags: { flow-logs: disabled } }
    exempt: true
    destination: { type: s3, arn: "arn:aws:s3:::elsewhere" }
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "rules[0].destination",
        message: "an exempt rule creates nothing, so destination has no effect",
      }),
    ]);
  });

  it("accepts approvedDestinations, unapprovedFlowLogs and replaceOutdated, defaulting to report and false", () => {
    // Prepare
    const text = `version: 1
${S3_DEFAULTS}approvedDestinations:
  - "arn:\${Partition}:s3:::central-flow-logs*"
  - "arn:\${Partition}:logs:*:\${AccountId}:log-group:/vpc-flow-logs/*"
unapprovedFlowLogs: delete
replaceOutdated: true
`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");
    const plain = parsePolicy(`version: 1\n${S3_DEFAULTS}`, "file:policy.yaml");

    // Assess
    expect(policy).toMatchObject({
      approvedDestinations: [
        "arn:${Partition}:s3:::central-flow-logs*",
        "arn:${Partition}:logs:*:${AccountId}:log-group:/vpc-flow-logs/*",
      ],
      unapprovedFlowLogs: "delete",
      replaceOutdated: true,
    });
    expect(plain).toMatchObject({ unapprovedFlowLogs: "report", replaceOutdated: false });
    expect(plain.approvedDestinations).toBeUndefined();
  });

  it("rejects an approvedDestinations pattern that is not an ARN or names an unknown placeholder", () => {
    // Prepare: ${VpcId} has no value for a pattern, which holds for a whole account-region.
    const text = `version: 1
${S3_DEFAULTS}approvedDestinations: ["central-flow-logs", "arn:aws:s3:::logs-\${VpcId}"]
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: "approvedDestinations[0]",
        message: "must be a destination ARN pattern such as arn:${Partition}:s3:::bucket*",
      },
      {
        path: "approvedDestinations[1]",
        message:
          "unknown placeholder ${VpcId} (allowed in destination patterns: AccountId, Region, Partition)",
      },
    ]);
  });

  it("rejects unapprovedFlowLogs: delete without approvedDestinations", () => {
    // Act
    const issues = issuesOf(`version: 1\n${S3_DEFAULTS}unapprovedFlowLogs: delete\n`);

    // Assess
    expect(issues).toMatchObject([
      {
        path: "unapprovedFlowLogs",
        message:
          "unapprovedFlowLogs: delete needs approvedDestinations (without it no flow log is unapproved)",
      },
    ]);
  });

  it("refuses policy tags under the enforcer's reserved prefix, so no policy can remove or forge its mark", () => {
    // Prepare
    const text = `version: 1
defaults:
  destination: { type: s3, arn: "arn:aws:s3:::central-flow-logs" }
  tags: { "vpc-flow-log-enforcer:created-by": nobody }
rules:
  - name: team
    tags: { "vpc-flow-log-enforcer:anything": x }
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual([
      "defaults.tags.vpc-flow-log-enforcer:created-by",
      "rules[0].tags.vpc-flow-log-enforcer:anything",
    ]);
    expect(issues[0]?.message).toContain(
      "reserved for the mark the enforcer puts on the flow logs it creates",
    );
  });

  it("accepts an exempt rule with a reason and an expiry date or date-time", () => {
    // Prepare
    const text = `version: 1
${S3_DEFAULTS}rules:
  - { name: a, match: { tags: { sandbox: "*" } }, exempt: true, reason: lab accounts, expires: 2026-12-31 }
  - { name: b, match: { regions: [eu-west-1] }, exempt: true, expires: "2026-12-31T18:00:00+01:00" }
`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");

    // Assess
    expect(policy.rules.map(({ reason, expires }) => ({ reason, expires }))).toEqual([
      { reason: "lab accounts", expires: "2026-12-31" },
      { reason: undefined, expires: "2026-12-31T18:00:00+01:00" },
    ]);
  });

  it("rejects an expiry that is not a real ISO date, and reason or expires on a rule that is not exempt", () => {
    // Prepare
    const text = `version: 1
${S3_DEFAULTS}rules:
  - { name: a, exempt: true, expires: 2026-02-30 }
  - { name: b, exempt: true, expires: "31/12/2026" }
  - { name: c, exempt: true, expires: "2026-12-31T18:00:00" }
  - { name: d, trafficType: REJECT, reason: why not, expires: 2026-12-31 }
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    const dateMessage = "must be an ISO date (2026-12-31) or date-time with a zone (2026-12-31T18:00:00Z)";
    expect(issues.map(({ path, message }) => `${path}: ${message}`)).toEqual([
      `rules[0].expires: ${dateMessage}`,
      `rules[1].expires: ${dateMessage}`,
      `rules[2].expires: ${dateMessage}`,
      "rules[3].reason: reason applies to exempt rules only",
      "rules[3].expires: expires applies to exempt rules only",
    ]);
  });

  it("rejects duplicate rule names at the second occurrence", () => {
    // Prepare
    const text = `version: 1
${S3_DEFAULTS}rules:
  - name: prod
    match: { tags: { env: prod } }
  - name: prod
    match: { tags: { env: production } }
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      { path: "rules[1].name", message: 'duplicate rule name "prod"', line: 7, column: 11 },
    ]);
  });

  it("reports a YAML syntax error with its line and column", () => {
    // Prepare
    const text = readFixture("policies/yaml-syntax-error.txt");

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      { path: "", message: "All mapping items must start at the same column", line: 5, column: 1 },
    ]);
  });

  it("reports a duplicated YAML key instead of silently keeping one value", () => {
    // Prepare
    const text = `version: 1\nmode: audit\n${S3_DEFAULTS}mode: enforce\n`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([expect.objectContaining({ message: "Map keys must be unique", line: 5 })]);
  });

  it("reports every schema error with its path, line and column", () => {
    // Prepare
    const text = readFixture("policies/schema-errors.yaml");

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({ path: "defaults.destination.arn", line: 6, column: 10 }),
      expect.objectContaining({ path: "defaults.trafficType", line: 7, column: 16 }),
      expect.objectContaining({ path: "rules[0].trafficType", line: 12, column: 18 }),
    ]);
  });

  it("points a missing field at the object that lacks it", () => {
    // Prepare
    const text = "version: 1\ndefaults:\n  trafficType: ALL\n  destination:\n    type: s3\n";

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({ path: "defaults.destination.arn", line: 5, column: 5 }),
    ]);
  });

  it("reports line and column for JSON text too", () => {
    // Prepare
    const text =
      '{\n  "version": 1,\n  "defaults": {\n    "destination": { "type": "s3", "arn": "s3://bucket" }\n  }\n}\n';

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      expect.objectContaining({
        path: "defaults.destination.arn",
        message: expect.stringContaining("must be an S3 bucket ARN"),
        line: 4,
        column: 43,
      }),
    ]);
  });

  it("rejects an unknown top-level key at the key's own line and column", () => {
    // Prepare
    const text = readFixture("policies/unknown-top-level-key.yaml");

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      { path: "subnetCoverag", message: 'unknown field "subnetCoverag"', line: 4, column: 1 },
    ]);
  });

  it("names the source and every issue in the error message", () => {
    // Prepare
    const text = readFixture("policies/schema-errors.yaml");

    // Act
    const act = () => parsePolicy(text, "ssm:/flow-logs/policy");

    // Assess
    expect(act).toThrow(
      /^invalid policy from ssm:\/flow-logs\/policy: defaults\.destination\.arn: unknown placeholder \$\{Acount\}.* \(line 6, column 10\); defaults\.trafficType: .*; rules\[0\]\.trafficType: /,
    );
  });
});

describe("parsePolicy on hostile input", () => {
  it("refuses a policy larger than the limit before parsing it, naming its size and the limit", () => {
    // Prepare: valid YAML throughout, so only the size can be the problem.
    const rule = "  - { name: r, match: { accounts: ['111111111111'] }, exempt: true }\n";
    const text = `version: 1\n${S3_DEFAULTS}rules:\n${rule.repeat(Math.ceil(MAX_POLICY_BYTES / rule.length) + 1)}`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      {
        path: "",
        message: `the policy is ${Buffer.byteLength(text)} bytes, more than the limit of 65536 bytes (64 KiB)`,
      },
    ]);
  });

  it("accepts a policy just within the limit", () => {
    // Prepare
    const head = `version: 1\n${S3_DEFAULTS}# `;
    const text = `${head}${"x".repeat(MAX_POLICY_BYTES - head.length)}`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");

    // Assess
    expect(Buffer.byteLength(text)).toBe(MAX_POLICY_BYTES);
    expect(policy.version).toBe(1);
  });

  it("counts bytes, not characters: multi-byte text over the limit is refused", () => {
    // Prepare: 30,000 three-byte characters are 90,000 bytes.
    const text = `version: 1\n${S3_DEFAULTS}# ${"€".repeat(30_000)}`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues[0]?.message).toMatch(/^the policy is 9\d{4} bytes, more than the limit/);
  });

  it("turns a YAML alias bomb into a validation issue instead of expanding it", () => {
    // Prepare: nine levels of nine aliases each would expand to 9^9 strings.
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const text = `version: 1\n${S3_DEFAULTS}${levels.join("\n")}\n`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      {
        path: "",
        message: expect.stringMatching(/^YAML aliases expand too far \(more than 100 references\): /),
      },
    ]);
  });

  it("still resolves a few aliases, e.g. one destination shared by two rules", () => {
    // Prepare
    const text = `version: 1
defaults:
  destination: &central { type: s3, arn: "arn:aws:s3:::central" }
rules:
  - { name: a, match: { regions: [eu-west-1] }, destination: *central }
  - { name: b, match: { regions: [us-east-1] }, destination: *central }
`;

    // Act
    const policy = parsePolicy(text, "file:policy.yaml");

    // Assess
    expect(policy.rules.map((rule) => rule.destination)).toEqual([
      { type: "s3", arn: "arn:aws:s3:::central" },
      { type: "s3", arn: "arn:aws:s3:::central" },
    ]);
  });

  it("rejects __proto__ as a match.tags key, which would otherwise vanish and match every resource", () => {
    // Prepare
    const text = `version: 1
${S3_DEFAULTS}rules:
  - name: sneaky
    match: { tags: { __proto__: anything } }
    exempt: true
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([
      {
        path: "rules[0].match.tags.__proto__",
        message: '"__proto__" is not allowed as a key (__proto__, constructor, prototype are reserved)',
        line: 6,
        column: 22,
      },
    ]);
  });

  it.each(["constructor", "prototype"])("rejects %s as a flow-log tag key, in YAML and in JSON", (key) => {
    // Prepare
    const yaml = `version: 1\n${S3_DEFAULTS}  tags: { ${key}: x }\n`;
    const json = JSON.stringify({
      version: 1,
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::b" }, tags: { [key]: "x" } },
    });

    // Act
    const issues = [issuesOf(yaml), issuesOf(json)];

    // Assess
    for (const found of issues) expect(found.map((issue) => issue.path)).toEqual([`defaults.tags.${key}`]);
  });
});
