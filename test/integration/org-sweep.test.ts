// Organization-wide enforcement end to end: the built org-sweep, sweep-worker and event-enforcer bundles, run like
// `sam local invoke`, against a three-account organization in moto with VPCs and subnets in two regions.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type FlowLog,
} from "@aws-sdk/client-ec2";
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { credentialsForAccount, type TestCredentials, useMoto } from "../support/aws-env.js";
import { startFaultProxy } from "../support/fault-proxy.js";
import { startCallCounter } from "../support/http-counter.js";
import { type InvokeResult, invokeFunction } from "../support/invoke.js";
import { createSubnet, createVpc } from "../support/moto-resources.js";
import { sampleEvent } from "../support/sample-events.js";

const motoEndpoint = useMoto();

const MANAGEMENT = "123456789012";
const REGIONS = ["us-east-1", "eu-west-1"] as const;
const OUTSIDER = "999999999999";
const PROD_BUCKET = "prod-flow-logs";

const policyDir = mkdtempSync(join(tmpdir(), "org-policy-"));
let prodOu = "";

/** Per-account buckets, production accounts (by OU) to their own bucket, opt-out by tag. */
function writePolicy(): string {
  const path = join(policyDir, "policy.yaml");
  writeFileSync(
    path,
    `
version: 1
mode: enforce
resourceTypes: [VPC, Subnet]
subnetCoverage: vpc
compliance: destination
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::flow-logs-\${AccountId}" }
  tags: { ManagedBy: vpc-flow-log-enforcer }
rules:
  - name: opt-out
    match: { tags: { flow-logs: disabled } }
    exempt: true
  - name: production
    match: { organizationalUnits: [${prodOu}] }
    destination: { type: s3, arn: "arn:\${Partition}:s3:::${PROD_BUCKET}" }
`,
  );
  return `file:${path}`;
}

interface Seeded {
  readonly accountId: string;
  readonly region: string;
  /** VPCs that must end with exactly one flow log to the account's destination. */
  readonly inScopeVpcs: string[];
  readonly exemptVpc: string;
  /** Had a compliant flow log (without the policy's tags) before any sweep. */
  readonly compliantVpc: string;
  readonly subnets: string[];
  readonly elsewhereLog: string;
}

const accounts: string[] = [MANAGEMENT];
const credentials = new Map<string, TestCredentials | undefined>([[MANAGEMENT, undefined]]);
const seeded: Seeded[] = [];
let queueUrl = "";
let policySource = "";
let organizationId = "";
/** The deployment's destination guard: each account's own bucket and the production one, nothing else. */
const ALLOWED_DESTINATIONS = `arn:\${Partition}:s3:::flow-logs-\${AccountId},arn:aws:s3:::${PROD_BUCKET}`;

/** An organization-wide deployment's function environment. */
function orgEnv(): Record<string, string> {
  return { POLICY_SOURCE: policySource, ORGANIZATION_ID: organizationId, ALLOWED_DESTINATIONS };
}

const ec2 = (accountId: string, region: string) => {
  const creds = credentials.get(accountId);
  return new EC2Client({ region, ...(creds ? { credentials: creds } : {}) });
};
const sqs = () => new SQSClient({ region: "us-east-1" });

function destinationOf(accountId: string): string {
  return accountId === accounts[2] ? `arn:aws:s3:::${PROD_BUCKET}` : `arn:aws:s3:::flow-logs-${accountId}`;
}

async function flowLogsOf(accountId: string, region: string): Promise<FlowLog[]> {
  const { FlowLogs: logs = [] } = await ec2(accountId, region).send(new DescribeFlowLogsCommand({}));
  return logs;
}

/** Seeds one account-region: a compliant VPC, one logging elsewhere, an exempt one with a subnet, a plain one. */
async function seed(accountId: string, region: string): Promise<Seeded> {
  const client = ec2(accountId, region);
  const compliant = await createVpc(client, {}, "10.1.0.0/16");
  await client.send(
    new CreateFlowLogsCommand({
      ResourceIds: [compliant],
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "s3",
      LogDestination: destinationOf(accountId),
    }),
  );
  const elsewhere = await createVpc(client, {}, "10.2.0.0/16");
  const { FlowLogIds: [elsewhereLog = ""] = [] } = await client.send(
    new CreateFlowLogsCommand({
      ResourceIds: [elsewhere],
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "s3",
      LogDestination: "arn:aws:s3:::elsewhere-flow-logs",
    }),
  );
  const exemptVpc = await createVpc(client, { "flow-logs": "disabled" }, "10.3.0.0/16");
  const exemptSubnet = await createSubnet(client, exemptVpc, { cidr: "10.3.1.0/24" });
  const plain = await createVpc(client, { Name: "plain" }, "10.4.0.0/16");
  const plainSubnets = [
    await createSubnet(client, plain, { cidr: "10.4.1.0/24" }),
    await createSubnet(client, plain, { cidr: "10.4.2.0/24" }),
  ];
  const { Vpcs: all = [] } = await client.send(new DescribeVpcsCommand({}));
  const { Subnets: subnets = [] } = await client.send(new DescribeSubnetsCommand({}));
  return {
    accountId,
    region,
    // The default VPC moto creates on first use is in scope too.
    inScopeVpcs: all.flatMap((vpc) => (vpc.VpcId && vpc.VpcId !== exemptVpc ? [vpc.VpcId] : [])),
    exemptVpc,
    compliantVpc: compliant,
    subnets: [exemptSubnet, ...plainSubnets, ...subnets.flatMap((s) => (s.SubnetId ? [s.SubnetId] : []))],
    elsewhereLog,
  };
}

async function runOrgSweep(request: unknown = {}): Promise<InvokeResult> {
  return invokeFunction("OrgSweepFunction", request, {
    env: { SWEEP_QUEUE_URL: queueUrl, GOVERNED_REGIONS: REGIONS.join(",") },
  });
}

interface Drained {
  readonly invocations: InvokeResult[];
  readonly failedMessages: Array<{ accountId: string; region: string }>;
}

/**
 * What Lambda's SQS event source does: receive a batch, invoke the worker with it, delete the records it did not
 * report as failed. Failed ones are left for redelivery (and purged by the caller).
 */
async function drainQueue(processEnv: Record<string, string> = {}): Promise<Drained> {
  const client = sqs();
  const invocations: InvokeResult[] = [];
  const failedMessages: Array<{ accountId: string; region: string }> = [];
  for (;;) {
    const { Messages: messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    if (messages.length === 0) break;
    const event: SQSEvent = {
      Records: messages.map((m, index) => ({
        messageId: m.MessageId ?? `m-${index}`,
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: String(Date.now()),
          SenderId: "AIDAEXAMPLE",
          ApproximateFirstReceiveTimestamp: String(Date.now()),
          ...(m.Attributes?.MessageGroupId === undefined
            ? {}
            : { MessageGroupId: m.Attributes.MessageGroupId }),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? "",
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:us-east-1:${MANAGEMENT}:sweep`,
        awsRegion: "us-east-1",
      })),
    };
    const result = await invokeFunction("SweepWorkerFunction", event, {
      env: orgEnv(),
      processEnv,
    });
    invocations.push(result);
    const failedIds = new Set(batchItemFailures(result));
    const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ""));
    for (const m of messages.filter((msg) => failedIds.has(msg.MessageId ?? "")))
      failedMessages.push(JSON.parse(m.Body ?? "{}"));
    if (done.length > 0)
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle ?? "" })),
        }),
      );
  }
  await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  return { invocations, failedMessages };
}

/** Every message waiting in the queue, received and deleted: what the workers would get. */
async function receiveAll(): Promise<Array<{ accountId: string; region: string; runId: string }>> {
  const client = sqs();
  const bodies: Array<{ accountId: string; region: string; runId: string }> = [];
  for (;;) {
    const { Messages: messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    if (messages.length === 0) break;
    bodies.push(...messages.map((m) => JSON.parse(m.Body ?? "{}")));
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle ?? "" })),
      }),
    );
  }
  return bodies;
}

function batchItemFailures(result: InvokeResult): string[] {
  const output = result.output;
  const failures: unknown =
    typeof output === "object" && output !== null && "batchItemFailures" in output
      ? output.batchItemFailures
      : undefined;
  if (!Array.isArray(failures))
    throw new Error(
      `worker did not return a partial batch response: ${JSON.stringify(output)} ${result.stderr}`,
    );
  return failures.flatMap((failure: unknown) =>
    typeof failure === "object" && failure !== null && "itemIdentifier" in failure
      ? [String(failure.itemIdentifier)]
      : [],
  );
}

function sweptLines(invocations: readonly InvokeResult[]): Array<Record<string, unknown>> {
  return invocations.flatMap((i) => i.logs).filter((line) => line.message === "account-region swept");
}

beforeAll(async () => {
  const org = new OrganizationsClient({ region: "us-east-1" });
  const { Organization: organization } = await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  organizationId = organization?.Id ?? "";
  for (const name of ["workloads", "payments"]) {
    const { CreateAccountStatus: status } = await org.send(
      new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
    );
    if (!status?.AccountId) throw new Error("CreateAccount returned no account ID");
    accounts.push(status.AccountId);
    credentials.set(status.AccountId, await credentialsForAccount(motoEndpoint(), status.AccountId));
  }
  // The third account sits in a nested production OU: its flow logs go to the production bucket.
  const { Roots: [root] = [] } = await org.send(new ListRootsCommand({}));
  const { OrganizationalUnit: top } = await org.send(
    new CreateOrganizationalUnitCommand({ ParentId: root?.Id ?? "", Name: "production" }),
  );
  const { OrganizationalUnit: nested } = await org.send(
    new CreateOrganizationalUnitCommand({ ParentId: top?.Id ?? "", Name: "payments" }),
  );
  prodOu = top?.Id ?? "";
  await org.send(
    new MoveAccountCommand({
      AccountId: accounts[2] ?? "",
      SourceParentId: root?.Id ?? "",
      DestinationParentId: nested?.Id ?? "",
    }),
  );
  org.destroy();
  policySource = writePolicy();

  const s3 = new S3Client({ region: "us-east-1" });
  for (const bucket of [PROD_BUCKET, "elsewhere-flow-logs", ...accounts.map((a) => `flow-logs-${a}`)])
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // FIFO, as the template deploys it: the coordinator's enqueue is deduplicated by run, account and region.
  const { QueueUrl: url } = await sqs().send(
    new CreateQueueCommand({ QueueName: "org-sweep.fifo", Attributes: { FifoQueue: "true" } }),
  );
  queueUrl = url ?? "";

  for (const accountId of accounts) for (const region of REGIONS) seeded.push(await seed(accountId, region));
});

describe("organization-wide sweep", () => {
  it("covers every in-scope resource of every account-region exactly once, to its account's destination", async () => {
    // Act
    const sweep = await runOrgSweep();
    const drained = await drainQueue();

    // Assess
    expect(sweep.exitCode).toBe(0);
    expect(sweep.output).toMatchObject({ accounts: 3, regions: [...REGIONS], enqueued: 6 });
    expect(drained.failedMessages).toEqual([]);
    expect(sweptLines(drained.invocations)).toHaveLength(6);
    for (const area of seeded) {
      const logs = await flowLogsOf(area.accountId, area.region);
      const wanted = destinationOf(area.accountId);
      for (const vpcId of area.inScopeVpcs) {
        const toWanted = logs.filter((log) => log.ResourceId === vpcId && log.LogDestination === wanted);
        expect(toWanted, `${area.accountId}/${area.region} ${vpcId}`).toHaveLength(1);
      }
      expect(logs.filter((log) => log.ResourceId === area.exemptVpc)).toEqual([]);
      // Subnets are covered by their VPC's flow log, never given their own.
      expect(logs.filter((log) => area.subnets.includes(log.ResourceId ?? ""))).toEqual([]);
      expect(logs.map((log) => log.FlowLogId)).toContain(area.elsewhereLog);
      const created = logs.filter(
        (log) => log.LogDestination === wanted && log.ResourceId !== area.compliantVpc,
      );
      expect(created).toHaveLength(area.inScopeVpcs.length - 1);
      for (const log of created)
        expect(log.Tags).toContainEqual({ Key: "ManagedBy", Value: "vpc-flow-log-enforcer" });
    }
  });

  it("creates nothing on a second sweep", async () => {
    // Prepare
    const before = (await Promise.all(seeded.map((a) => flowLogsOf(a.accountId, a.region)))).flat().length;
    const counter = await startCallCounter(motoEndpoint());

    // Act
    try {
      await runOrgSweep();
      const drained = await drainQueue({ AWS_ENDPOINT_URL: counter.endpoint });

      // Assess
      expect(drained.failedMessages).toEqual([]);
      expect(counter.count({ action: "CreateFlowLogs" })).toBe(0);
      expect(counter.count({ action: "DescribeFlowLogs" })).toBe(6);
      expect(sweptLines(drained.invocations).map((line) => line.counts)).not.toContainEqual(
        expect.objectContaining({ created: expect.any(Number) }),
      );
    } finally {
      await counter.stop();
    }
    const after = (await Promise.all(seeded.map((a) => flowLogsOf(a.accountId, a.region)))).flat().length;
    expect(after).toBe(before);
  });

  it("fails only the account-regions of a member whose role cannot be assumed; the others finish", async () => {
    // Prepare
    const [, broken = "", healthy = ""] = accounts;
    const fresh = new Map<string, string>();
    for (const accountId of accounts)
      for (const region of REGIONS)
        fresh.set(`${accountId}/${region}`, await createVpc(ec2(accountId, region), {}, "10.9.0.0/16"));
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { service: "sts", action: "AssumeRole", bodyIncludes: broken },
        respond: {
          status: 403,
          body:
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized " +
            "to perform: sts:AssumeRole</Message></Error><RequestId>fault</RequestId></ErrorResponse>",
        },
        times: 100,
      },
    ]);

    // Act
    let drained: Drained;
    try {
      await runOrgSweep();
      drained = await drainQueue({ AWS_ENDPOINT_URL: proxy.endpoint });
    } finally {
      await proxy.stop();
    }

    // Assess
    expect(drained.failedMessages.map((m) => `${m.accountId}/${m.region}`).sort()).toEqual(
      REGIONS.map((region) => `${broken}/${region}`).sort(),
    );
    const unreachable = drained.invocations
      .flatMap((i) => i.logs)
      .filter((line) => line.message === "account-region unreachable");
    expect(unreachable.map((line) => line.accountId)).toEqual([broken, broken]);
    expect(String(unreachable[0]?.error)).toContain("AccessDenied");
    for (const accountId of [MANAGEMENT, healthy])
      for (const region of REGIONS) {
        const vpcId = fresh.get(`${accountId}/${region}`);
        const logs = await flowLogsOf(accountId, region);
        expect(logs.filter((log) => log.ResourceId === vpcId)).toHaveLength(1);
      }
    const brokenLogs = await flowLogsOf(broken, "us-east-1");
    expect(brokenLogs.filter((log) => log.ResourceId === fresh.get(`${broken}/us-east-1`))).toEqual([]);
  });

  it("enqueues each account-region once when the coordinator runs twice with one run id (a Lambda retry)", async () => {
    // Act
    const first = await runOrgSweep({ runId: "retried-run-1" });
    const retry = await runOrgSweep({ runId: "retried-run-1" });
    const queued = await receiveAll();

    // Assess
    expect(first.output).toMatchObject({ enqueued: 6 });
    // SQS accepts the re-sent entries (they count as sent) but delivers each deduplication id once.
    expect(retry.output).toMatchObject({ enqueued: 6 });
    expect(queued.map((m) => `${m.accountId}/${m.region}`).sort()).toEqual(
      accounts.flatMap((accountId) => REGIONS.map((region) => `${accountId}/${region}`)).sort(),
    );
    expect(new Set(queued.map((m) => m.runId))).toEqual(new Set(["retried-run-1"]));
  });

  it("sweeps one account-region put on the queue by hand, and drops a malformed message without retrying it", async () => {
    // Prepare
    const [, member = ""] = accounts;
    const vpcId = await createVpc(ec2(member, "eu-west-1"), {}, "10.8.0.0/16");
    const client = sqs();
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          {
            Id: "by-hand",
            MessageBody: JSON.stringify({ accountId: member, region: "eu-west-1", runId: "manual-1" }),
            MessageGroupId: `${member}/eu-west-1`,
            MessageDeduplicationId: "manual-1-by-hand",
          },
          {
            Id: "typo",
            MessageBody: JSON.stringify({ account: member, region: "eu-west-1", runId: "manual-1" }),
            MessageGroupId: "typo",
            MessageDeduplicationId: "manual-1-typo",
          },
        ],
      }),
    );

    // Act
    const drained = await drainQueue();

    // Assess
    expect(drained.failedMessages).toEqual([]);
    const lines = drained.invocations.flatMap((i) => i.logs);
    const rejected = lines.find((l) => l.message === "sweep message rejected: dropped, not retried");
    expect(String(rejected?.error)).toContain("accountId: required");
    expect(rejected?.body).toBe(JSON.stringify({ account: member, region: "eu-west-1", runId: "manual-1" }));
    expect(lines).toContainEqual(expect.objectContaining({ SweepMessagesRejected: 1 }));
    const logs = await flowLogsOf(member, "eu-west-1");
    expect(logs.filter((log) => log.ResourceId === vpcId)).toHaveLength(1);
  });
});

describe("event path across accounts", () => {
  it("refuses an event claiming an account outside the organization without any AssumeRole", async () => {
    // Prepare
    const counter = await startCallCounter(motoEndpoint());
    const event = sampleEvent("vpc-created.json", { "123456789012": OUTSIDER });

    // Act
    let result: InvokeResult;
    try {
      result = await invokeFunction("EventEnforcerFunction", event, {
        env: orgEnv(),
        processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
      });
    } finally {
      await counter.stop();
    }

    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatchObject({
      errorType: "EnforcementFailedError",
      errorMessage: expect.stringContaining(
        `account ${OUTSIDER} is not an ACTIVE member of the organization`,
      ),
    });
    expect(result.logs).toContainEqual(
      expect.objectContaining({
        message: "flow-log outcome",
        accountId: OUTSIDER,
        outcome: "failed",
        reason: expect.stringContaining("not an ACTIVE member of the organization"),
      }),
    );
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(0);
    expect(counter.count({ service: "ec2" })).toBe(0);
    // The boundary asked Organizations about that one account (moto: AccountNotFoundException), not for the list.
    expect(counter.count({ action: "DescribeAccount" })).toBe(1);
    expect(counter.count({ action: "ListAccounts" })).toBe(0);
  });

  it("acts on an event from a member account through its role", async () => {
    // Prepare
    const [, member = ""] = accounts;
    const vpcId = await createVpc(ec2(member, "us-east-1"), {}, "10.7.0.0/16");
    const counter = await startCallCounter(motoEndpoint());
    const event = sampleEvent("vpc-created.json", { "123456789012": member, "vpc-0a1b2c3d4e5f60718": vpcId });

    // Act
    let result: InvokeResult;
    try {
      result = await invokeFunction("EventEnforcerFunction", event, {
        env: orgEnv(),
        processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
      });
    } finally {
      await counter.stop();
    }

    // Assess
    expect(result.exitCode).toBe(0);
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(1);
    const logs = await flowLogsOf(member, "us-east-1");
    expect(logs.filter((log) => log.ResourceId === vpcId).map((log) => log.LogDestination)).toEqual([
      destinationOf(member),
    ]);
  });
});
