import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { FindingsImportError } from "../../../src/errors.js";
import { reportReader, reportStore } from "../../../src/gateways/report-store.js";
import { applyFindings, readFindings } from "../../../src/gateways/security-hub.js";
import { snsPublisher } from "../../../src/gateways/sns-notifications.js";
import { type AsffFinding, findingId, GENERATOR_ID, planFindings } from "../../../src/reports/findings.js";
import { target } from "../support/builders.js";

const securityHubMock = mockClient(SecurityHubClient);
const snsMock = mockClient(SNSClient);
const s3Mock = mockClient(S3Client);

afterEach(() => {
  securityHubMock.reset();
  snsMock.reset();
  s3Mock.reset();
});

const HERE = target("111111111111", "eu-west-1");
const hub = () => new SecurityHubClient({ region: "eu-west-1" });

function vpcIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `vpc-${i.toString(16).padStart(17, "0")}`);
}

function uncovered(count: number): AsffFinding[] {
  const outcomes = vpcIds(count).map((id) => ({
    accountId: HERE.accountId,
    region: HERE.region,
    resourceType: "VPC" as const,
    resourceId: id,
    outcome: "would-create" as const,
  }));
  return [
    ...planFindings(outcomes, new Map(), { target: HERE, mode: "audit", trigger: "sweep", now: new Date() })
      .imports,
  ];
}

/** A GetFindings finding as Security Hub returns it. */
function found(id: string, overrides: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: "2018-10-08",
    Id: id,
    ProductArn: "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default",
    GeneratorId: GENERATOR_ID,
    AwsAccountId: "111111111111",
    CreatedAt: "2026-05-01T00:00:00.000Z",
    UpdatedAt: "2026-05-02T00:00:00.000Z",
    Title: "t",
    Description: "d",
    Resources: [{ Type: "AwsEc2Vpc", Id: "arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-1" }],
    Compliance: { Status: "FAILED" },
    RecordState: "ACTIVE",
    ProductFields: { "vpc-flow-log-enforcer/outcome": "would-create" },
    ...overrides,
  };
}

describe("Security Hub gateway", () => {
  it("reads named findings 20 Ids per GetFindings, filtered on the product and generator, keeping only those asked", async () => {
    // Prepare
    const ids = vpcIds(25).map((id) => findingId(HERE, id));
    securityHubMock
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [found(ids[0] ?? ""), found("someone-else", { GeneratorId: "other" })] })
      .resolvesOnce({ Findings: [found(ids[24] ?? "", { Compliance: { Status: "PASSED" } })] });

    // Act
    const states = await readFindings(hub(), HERE, ids);

    // Assess
    const calls = securityHubMock.commandCalls(GetFindingsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.Filters?.Id).toHaveLength(20);
    expect(calls[1]?.Filters?.Id).toHaveLength(5);
    expect(calls[0]?.Filters).toMatchObject({
      ProductArn: [
        {
          Value: "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default",
          Comparison: "EQUALS",
        },
      ],
      GeneratorId: [{ Value: GENERATOR_ID, Comparison: "EQUALS" }],
    });
    expect([...states.values()]).toEqual([
      {
        id: ids[0],
        status: "FAILED",
        recordState: "ACTIVE",
        outcome: "would-create",
        createdAt: "2026-05-01T00:00:00.000Z",
        updatedAt: "2026-05-02T00:00:00.000Z",
      },
      expect.objectContaining({ id: ids[24], status: "PASSED" }),
    ]);
  });

  it("reads every finding of the account-region page by page", async () => {
    // Prepare
    securityHubMock
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [found("a")], NextToken: "page-2" })
      .resolvesOnce({ Findings: [found("b")] });

    // Act
    const states = await readFindings(hub(), HERE, "all");

    // Assess
    expect([...states.keys()]).toEqual(["a", "b"]);
    expect(securityHubMock.commandCalls(GetFindingsCommand)[1]?.args[0].input.NextToken).toBe("page-2");
  });

  it("imports at most 100 findings per call and resolves what it imported, 100 per call", async () => {
    // Prepare
    const imports = uncovered(150);
    securityHubMock.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 100 });
    securityHubMock
      .on(BatchUpdateFindingsCommand)
      .resolves({ ProcessedFindings: [], UnprocessedFindings: [] });

    // Act
    await applyFindings(hub(), HERE, { imports, resolve: imports.map((f) => f.Id) });

    // Assess
    expect(
      securityHubMock.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length),
    ).toEqual([100, 50]);
    const updates = securityHubMock.commandCalls(BatchUpdateFindingsCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.FindingIdentifiers?.length)).toEqual([100, 50]);
    expect(updates[0]).toMatchObject({
      Workflow: { Status: "RESOLVED" },
      FindingIdentifiers: expect.arrayContaining([
        {
          Id: imports[0]?.Id,
          ProductArn: "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default",
        },
      ]),
    });
  });

  it("tries every batch, does not resolve a refused finding, and names each refusal", async () => {
    // Prepare
    const imports = uncovered(2);
    const [first, second] = imports.map((f) => f.Id);
    securityHubMock.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 1,
      FailedFindings: [
        { Id: first, ErrorCode: "InvalidInput", ErrorMessage: "Finding does not adhere to ASFF" },
      ],
    });
    securityHubMock
      .on(BatchUpdateFindingsCommand)
      .resolves({ ProcessedFindings: [], UnprocessedFindings: [] });

    // Act
    const act = applyFindings(hub(), HERE, { imports, resolve: [first ?? "", second ?? ""] });

    // Assess
    await expect(act).rejects.toBeInstanceOf(FindingsImportError);
    await expect(act).rejects.toThrow(`${first}: InvalidInput: Finding does not adhere to ASFF`);
    expect(
      securityHubMock.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input.FindingIdentifiers,
    ).toEqual([{ Id: second, ProductArn: expect.any(String) }]);
  });
});

describe("SNS gateway", () => {
  it("publishes the subject, body and filterable attributes to the topic", async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
    const topic = "arn:aws:sns:eu-west-1:123456789012:alerts";

    // Act
    await snsPublisher(new SNSClient({ region: "eu-west-1" }), topic).publish({
      subject: "s",
      message: "m",
      attributes: { accountId: "111111111111", region: "eu-west-1", outcome: ["failed", "would-create"] },
    });

    // Assess
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: topic,
      Subject: "s",
      Message: "m",
      MessageAttributes: {
        accountId: { DataType: "String", StringValue: "111111111111" },
        region: { DataType: "String", StringValue: "eu-west-1" },
        outcome: { DataType: "String.Array", StringValue: '["failed","would-create"]' },
      },
    });
  });
});

describe("report store gateway", () => {
  const s3 = () => new S3Client({ region: "us-east-1" });

  it("puts JSON Lines and manifests with their content type", async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});

    // Act
    await reportStore(s3(), "history").put("runs/run=r/account=1/region=x/outcomes.jsonl", "{}\n");
    await reportStore(s3(), "history").put("runs/run=r/manifest.json", "{}");

    // Assess
    expect(
      s3Mock.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Key, c.args[0].input.ContentType]),
    ).toEqual([
      ["runs/run=r/account=1/region=x/outcomes.jsonl", "application/x-ndjson"],
      ["runs/run=r/manifest.json", "application/json"],
    ]);
  });

  it("lists every page of a run's keys and reads a missing object as undefined", async () => {
    // Prepare
    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: "a" }], IsTruncated: true, NextContinuationToken: "t" })
      .resolvesOnce({ Contents: [{ Key: "b" }] });
    s3Mock
      .on(GetObjectCommand)
      .rejects(new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }));

    // Act
    const reader = reportReader(s3(), "history");

    // Assess
    expect(await reader.listKeys("runs/run=r/")).toEqual(["a", "b"]);
    expect(await reader.read("missing")).toBeUndefined();
  });
});
