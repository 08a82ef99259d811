// `flowlogs doctor`'s decisions on in-memory facts: which destinations a policy produces where, and the row each
// check yields; the table format and exit code.
import { describe, expect, it } from "vitest";
import { doctorExitCode, formatDoctor } from "../../../src/cli/doctor-format.js";
import type {
  BucketFacts,
  KeyFacts,
  LogGroupFacts,
  RoleFacts,
  StreamFacts,
} from "../../../src/engine/doctor/checks.js";
import { destinationsFor } from "../../../src/engine/doctor/destinations.js";
import { type DoctorPorts, diagnoseDestinations } from "../../../src/use-cases/diagnose-destinations.js";
import { target } from "../support/builders.js";
import { policyWith } from "../support/fixtures.js";

const ACCOUNT = "111111111111";
const OTHER = "222222222222";
const KEY = "arn:aws:kms:us-east-1:999999999999:key/k-1";

const grantingBucketPolicy = JSON.stringify({
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: ["s3:PutObject", "s3:GetBucketAcl"],
      Resource: ["arn:aws:s3:::central", "arn:aws:s3:::central/*"],
      Condition: { StringEquals: { "aws:SourceOrgID": "o-abc" } },
    },
  ],
});

class FakeDoctorPorts implements DoctorPorts {
  buckets = new Map<string, BucketFacts>();
  keys = new Map<string, KeyFacts>();
  roles = new Map<string, RoleFacts>();
  logGroups = new Map<string, LogGroupFacts>();
  streams = new Map<string, StreamFacts>();
  management: Awaited<ReturnType<NonNullable<DoctorPorts["managementAccount"]>>> = undefined;
  readonly reads: string[] = [];

  async bucket(name: string) {
    this.reads.push(`bucket ${name}`);
    return (
      this.buckets.get(name) ?? {
        exists: false,
        policy: { ok: undefined },
        encryption: { ok: { kind: "none" as const } },
      }
    );
  }
  async key(keyId: string) {
    const key = this.keys.get(keyId);
    if (key === undefined) throw new Error(`AccessDeniedException: ${keyId}`);
    return key;
  }
  async role(roleArn: string) {
    return this.roles.get(roleArn) ?? { exists: false };
  }
  async logGroup(_where: unknown, name: string) {
    return this.logGroups.get(name) ?? { exists: false };
  }
  async stream(arn: string) {
    return this.streams.get(arn) ?? { exists: false };
  }
  async organizationId() {
    return "o-abc";
  }
  async managementAccount() {
    return this.management;
  }
}

function s3Policy() {
  return policyWith({
    resourceTypes: ["VPC"],
    defaults: { destination: { type: "s3", arn: "arn:${Partition}:s3:::central/${AccountId}/" } },
  });
}

describe("destinationsFor", () => {
  it("resolves the defaults and each non-exempt rule that can apply in the account-region", () => {
    // Prepare
    const policy = policyWith({
      resourceTypes: ["VPC"],
      defaults: { destination: { type: "s3", arn: "arn:${Partition}:s3:::central/${AccountId}/" } },
      rules: [
        { name: "sandboxes", match: { tags: { env: "sandbox" } }, exempt: true },
        {
          name: "prod",
          match: { accounts: [OTHER] },
          destination: {
            type: "cloud-watch-logs",
            logGroupName: "/vpc-flow-logs/${VpcId}",
            deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/flow-logs-delivery",
          },
        },
      ],
    });

    // Act
    const { uses, problems } = destinationsFor(policy, [target(ACCOUNT), target(OTHER)]);

    // Assess
    expect(problems).toEqual([]);
    expect(
      uses.map((use) => [
        use.target.accountId,
        use.sources,
        use.destination.arn ?? use.destination.logGroupName,
        use.perResource,
      ]),
    ).toEqual([
      [ACCOUNT, ["defaults"], `arn:aws:s3:::central/${ACCOUNT}/`, false],
      [OTHER, ["defaults"], `arn:aws:s3:::central/${OTHER}/`, false],
      [OTHER, ["prod"], "/vpc-flow-logs/{VpcId}", true],
    ]);
  });

  it("reports a destination that cannot resolve for the resources a rule reaches", () => {
    // Prepare: transit gateways have no VPC to fill ${VpcId} with.
    const policy = policyWith({
      resourceTypes: ["VPC", "TransitGateway"],
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::central/" }, maxAggregationInterval: 60 },
      rules: [
        {
          name: "tgw",
          match: { resourceTypes: ["TransitGateway"] },
          destination: { type: "s3", arn: "arn:aws:s3:::central/${VpcId}/" },
        },
      ],
    });

    // Act
    const { problems } = destinationsFor(policy, [target(ACCOUNT)]);

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({ source: "tgw", reason: expect.stringMatching(/\$\{VpcId\} has no value/) }),
    ]);
  });
});

describe("diagnoseDestinations", () => {
  it("reads a shared bucket once, evaluates its policy per account with the organization, and merges equal rows", async () => {
    // Prepare
    const ports = new FakeDoctorPorts();
    ports.buckets.set("central", {
      exists: true,
      policy: { ok: grantingBucketPolicy },
      encryption: { ok: { kind: "sse-s3" } },
    });

    // Act
    const report = await diagnoseDestinations(
      s3Policy(),
      [target(ACCOUNT, "us-east-1"), target(ACCOUNT, "eu-west-1"), target(OTHER)],
      ports,
    );

    // Assess
    expect(ports.reads).toEqual(["bucket central"]);
    expect(report.summary).toEqual({ pass: report.rows.length, warn: 0, fail: 0 });
    expect(
      report.rows.find(
        (row) => row.check === "bucket policy: s3:PutObject" && row.destination.includes(ACCOUNT),
      ),
    ).toMatchObject({
      where: `${ACCOUNT}/us-east-1, ${ACCOUNT}/eu-west-1`,
      detail: "allowed by Statement[0]",
    });
    expect(doctorExitCode(report)).toBe(0);
  });

  it("fails an SSE-KMS bucket whose key is AWS managed, or whose key policy does not let log delivery use it", async () => {
    // Prepare
    const ports = new FakeDoctorPorts();
    ports.buckets.set("central", {
      exists: true,
      policy: { ok: grantingBucketPolicy },
      encryption: { ok: { kind: "sse-kms", keyId: KEY } },
    });
    const keyPolicy = (service: string) =>
      JSON.stringify({
        Statement: [
          { Effect: "Allow", Principal: { Service: service }, Action: "kms:GenerateDataKey*", Resource: "*" },
        ],
      });
    ports.keys.set(KEY, { arn: KEY, managedByAws: false, policy: { ok: keyPolicy("logs.amazonaws.com") } });

    // Act
    const withoutGrant = await diagnoseDestinations(s3Policy(), [target(ACCOUNT)], ports);
    ports.keys.set(KEY, {
      arn: KEY,
      managedByAws: false,
      policy: { ok: keyPolicy("delivery.logs.amazonaws.com") },
    });
    const withGrant = await diagnoseDestinations(s3Policy(), [target(ACCOUNT)], ports);
    ports.keys.set(KEY, { arn: KEY, managedByAws: true, policy: { unreadable: "AWS managed" } });
    const awsManaged = await diagnoseDestinations(s3Policy(), [target(ACCOUNT)], ports);

    // Assess
    const keyRow = (report: typeof withGrant) => report.rows.find((row) => row.check === "encryption key");
    expect(keyRow(withoutGrant)).toMatchObject({
      status: "fail",
      detail: `no statement allows delivery.logs.amazonaws.com kms:GenerateDataKey* on ${KEY}`,
      fix: expect.stringContaining("kms:GenerateDataKey*"),
    });
    expect(keyRow(withGrant)).toMatchObject({ status: "pass" });
    expect(keyRow(awsManaged)).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/AWS managed key/),
    });
  });

  it("fails a missing log group only when the enforcer will not create it", async () => {
    // Prepare
    const policy = (logGroup: boolean) =>
      policyWith({
        resourceTypes: ["VPC"],
        defaults: {
          destination: {
            type: "cloud-watch-logs",
            logGroupName: "/vpc-flow-logs/all",
            deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/flow-logs-delivery",
            ...(logGroup ? { logGroup: { retentionDays: 30 } } : {}),
          },
        },
      });
    const ports = new FakeDoctorPorts();

    // Act
    const unprepared = await diagnoseDestinations(policy(false), [target(ACCOUNT)], ports);
    const prepared = await diagnoseDestinations(policy(true), [target(ACCOUNT)], ports);

    // Assess
    expect(unprepared.rows.find((row) => row.check === "log group")).toMatchObject({ status: "fail" });
    expect(prepared.rows.find((row) => row.check === "log group")).toMatchObject({
      status: "pass",
      detail: "missing; the enforcer creates it before the first flow log (retention 30 days)",
    });
    expect(prepared.rows.find((row) => row.check === "delivery role")).toMatchObject({
      status: "fail",
      detail: "no such role",
    });
  });

  it("checks both roles of a cross-account Firehose destination and the stream's log-delivery tag", async () => {
    // Prepare
    const stream = "arn:aws:firehose:us-east-1:999999999999:deliverystream/flow-logs";
    const source = `arn:aws:iam::${ACCOUNT}:role/flow-logs-firehose-source`;
    const destination = "arn:aws:iam::999999999999:role/AWSLogDeliveryFirehoseCrossAccountRole";
    const trust = (principal: unknown) =>
      JSON.stringify({ Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }] });
    const ports = new FakeDoctorPorts();
    ports.streams.set(stream, { exists: true, status: "ACTIVE", tags: {} });
    ports.roles.set(source, { exists: true, trustPolicy: trust({ Service: "delivery.logs.amazonaws.com" }) });
    ports.roles.set(destination, {
      exists: true,
      trustPolicy: trust({ AWS: "arn:aws:iam::111111111111:role/other" }),
    });
    const policy = policyWith({
      resourceTypes: ["VPC"],
      defaults: {
        destination: {
          type: "kinesis-data-firehose",
          arn: stream,
          deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/flow-logs-firehose-source",
          deliverCrossAccountRole: destination,
        },
      },
    });

    // Act
    const report = await diagnoseDestinations(policy, [target(ACCOUNT)], ports);

    // Assess
    expect(report.rows.map((row) => [row.check, row.status])).toEqual([
      ["delivery stream", "pass"],
      ["stream tag LogDeliveryEnabled", "warn"],
      ["source-account role", "pass"],
      ["destination-account role", "fail"],
    ]);
  });

  it("adds a failing row when the management account cannot be reached", async () => {
    // Prepare
    const ports = new FakeDoctorPorts();
    ports.buckets.set("central", {
      exists: true,
      policy: { ok: grantingBucketPolicy },
      encryption: { ok: { kind: "none" } },
    });
    ports.management = {
      accountId: "999999999999",
      reachable: { unreadable: "cannot assume arn:aws:iam::999999999999:role/FlowLogEnforcerMemberRole" },
    };

    // Act
    const report = await diagnoseDestinations(s3Policy(), [target(ACCOUNT)], ports);

    // Assess
    expect(report.rows.at(-1)).toMatchObject({
      check: "management account covered",
      where: "999999999999",
      status: "fail",
      fix: expect.stringMatching(/templates\/member\.yaml/),
    });
    expect(doctorExitCode(report)).toBe(2);
    expect(formatDoctor("table", report)).toMatch(
      /^FAIL\s+management account covered\s+-\s+999999999999\s+the enforcer cannot act .*\n\s+fix: in the management account/m,
    );
  });
});
