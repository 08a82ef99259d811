// Findings, notifications and coverage history end to end: the built org-sweep, sweep-worker and event-enforcer
// bundles and the flowlogs CLI against moto (Security Hub, SNS → SQS, S3), and the HTML report in headless Chromium.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { CreateOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
  type AwsSecurityFinding,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { useMoto } from "../support/aws-env.js";
import { withPage } from "../support/browser.js";
import { invokeFunction } from "../support/invoke.js";
import { createVpc, ec2Client, policySourceFile } from "../support/moto-resources.js";
import { sampleEvent } from "../support/sample-events.js";
import { type SecurityHubProxy, startSecurityHubProxy } from "../support/security-hub-moto.js";

const motoEndpoint = useMoto();

const HOME = "123456789012";
const REGIONS = ["us-east-1", "eu-west-1"] as const;
const NOTIFY_REGION = "ap-southeast-2";
const FLOW_LOG_BUCKET = "outputs-flow-logs";
const HISTORY_BUCKET = "coverage-history";
const CLI = resolve("dist/cli.mjs");

const vpcsIn = new Map<string, string[]>();
let sweepQueueUrl = "";
let notificationQueueUrl = "";
let topicArn = "";

function policy(mode: "audit" | "enforce"): string {
  return policySourceFile(`version: 1
mode: ${mode}
resourceTypes: [VPC]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${FLOW_LOG_BUCKET}" }
`);
}

const sqs = () => new SQSClient({ region: "us-east-1" });

async function findingsIn(region: string): Promise<AwsSecurityFinding[]> {
  const { Findings = [] } = await new SecurityHubClient({ region }).send(
    new GetFindingsCommand({ MaxResults: 100 }),
  );
  return Findings;
}

/** The org sweep for HOME × REGIONS, then one worker invocation per message, as Lambda's SQS source would do. */
async function sweep(runId: string, mode: "audit" | "enforce", endpoint: string): Promise<void> {
  const coordinator = await invokeFunction(
    "OrgSweepFunction",
    { accounts: [HOME], regions: [...REGIONS], runId },
    {
      env: {
        SWEEP_QUEUE_URL: sweepQueueUrl,
        GOVERNED_REGIONS: REGIONS.join(","),
        REPORT_BUCKET: HISTORY_BUCKET,
      },
      processEnv: { AWS_ENDPOINT_URL: endpoint },
    },
  );
  expect(coordinator.exitCode, coordinator.stderr).toBe(0);
  const source = policy(mode);
  for (;;) {
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: sweepQueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }),
    );
    const [message] = Messages;
    if (message === undefined) break;
    const event: SQSEvent = {
      Records: [
        {
          messageId: message.MessageId ?? "m",
          receiptHandle: message.ReceiptHandle ?? "",
          body: message.Body ?? "",
          attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: String(Date.now()),
            SenderId: "AIDAEXAMPLE",
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: message.MD5OfBody ?? "",
          eventSource: "aws:sqs",
          eventSourceARN: `arn:aws:sqs:us-east-1:${HOME}:sweep`,
          awsRegion: "us-east-1",
        },
      ],
    };
    const worker = await invokeFunction("SweepWorkerFunction", event, {
      env: {
        POLICY_SOURCE: source,
        ALLOWED_DESTINATIONS: `arn:aws:s3:::${FLOW_LOG_BUCKET}`,
        SECURITY_HUB_FINDINGS: "on",
        REPORT_BUCKET: HISTORY_BUCKET,
      },
      processEnv: { AWS_ENDPOINT_URL: endpoint },
    });
    expect(worker.output, worker.stderr).toEqual({ batchItemFailures: [] });
    await sqs().send(
      new DeleteMessageCommand({ QueueUrl: sweepQueueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  }
}

function flowlogs(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: mkdtempSync(join(tmpdir(), "home-")),
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
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

let proxy: SecurityHubProxy;

beforeAll(async () => {
  await new OrganizationsClient({ region: "us-east-1" }).send(
    new CreateOrganizationCommand({ FeatureSet: "ALL" }),
  );
  const s3 = new S3Client({ region: "us-east-1" });
  for (const bucket of [FLOW_LOG_BUCKET, HISTORY_BUCKET])
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: "outputs-sweep" }));
  sweepQueueUrl = QueueUrl ?? "";
  for (const region of [...REGIONS, NOTIFY_REGION]) {
    await new SecurityHubClient({ region }).send(new EnableSecurityHubCommand({}));
    const extra = region === "us-east-1" ? 1 : 2;
    for (let i = 0; i < extra; i += 1)
      await createVpc(ec2Client(undefined, region), {}, `10.${i + 1}.0.0/16`);
    const { Vpcs = [] } = await ec2Client(undefined, region).send(new DescribeVpcsCommand({}));
    vpcsIn.set(
      region,
      Vpcs.flatMap((v) => (v.VpcId ? [v.VpcId] : [])),
    );
  }
  const sns = new SNSClient({ region: NOTIFY_REGION });
  ({ TopicArn: topicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "flow-log-alerts" })));
  const notifications = new SQSClient({ region: NOTIFY_REGION });
  ({ QueueUrl: notificationQueueUrl = "" } = await notifications.send(
    new CreateQueueCommand({ QueueName: "alerts" }),
  ));
  const { Attributes } = await notifications.send(
    new GetQueueAttributesCommand({ QueueUrl: notificationQueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: Attributes?.QueueArn ?? "" }),
  );
  proxy = await startSecurityHubProxy(motoEndpoint());
  return () => proxy.stop();
}, 120_000);

describe("Security Hub findings and coverage history from an org sweep", () => {
  it("audit: one FAILED finding per uncovered VPC, naming it, in its account-region's Security Hub", async () => {
    // Act
    await sweep("audit-1", "audit", proxy.endpoint);

    // Assess
    for (const region of REGIONS) {
      const findings = await findingsIn(region);
      const vpcs = vpcsIn.get(region) ?? [];
      expect(findings.map((f) => f.Resources?.[0]?.Id).sort()).toEqual(
        vpcs.map((vpc) => `arn:aws:ec2:${region}:${HOME}:vpc/${vpc}`).sort(),
      );
      for (const finding of findings)
        expect(finding).toMatchObject({
          AwsAccountId: HOME,
          ProductArn: `arn:aws:securityhub:${region}:${HOME}:product/${HOME}/default`,
          Compliance: { Status: "FAILED" },
          RecordState: "ACTIVE",
          Severity: { Label: "MEDIUM" },
          Resources: [{ Type: "AwsEc2Vpc" }],
        });
    }
    expect(proxy.count({ service: "securityhub", action: "POST /findings/import" })).toBe(REGIONS.length);
  });

  it("keeps one JSON Lines object per account-region at the documented key, and the run's manifest", async () => {
    // Act
    const s3 = new S3Client({ region: "us-east-1" });
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: HISTORY_BUCKET, Prefix: "runs/run=audit-1/" }),
    );

    // Assess
    expect(Contents.map((o) => o.Key).sort()).toEqual([
      `runs/run=audit-1/account=${HOME}/region=eu-west-1/outcomes.jsonl`,
      `runs/run=audit-1/account=${HOME}/region=us-east-1/outcomes.jsonl`,
      "runs/run=audit-1/manifest.json",
    ]);
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: HISTORY_BUCKET,
        Key: `runs/run=audit-1/account=${HOME}/region=eu-west-1/outcomes.jsonl`,
      }),
    );
    const lines =
      (await object.Body?.transformToString())
        ?.trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)) ?? [];
    expect(lines.map((l) => l.resourceId).sort()).toEqual([...(vpcsIn.get("eu-west-1") ?? [])].sort());
    expect(lines[0]).toMatchObject({
      runId: "audit-1",
      mode: "audit",
      outcome: "would-create",
      coverage: "uncovered",
    });
  });

  it("flowlogs report --run renders the stored run: a real browser shows the coverage, every uncovered VPC, and sorts", async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), "report-")), "report.html");
    const all = REGIONS.flatMap((region) => vpcsIn.get(region) ?? []);

    // Act
    const cli = await flowlogs([
      "report",
      "--run",
      `s3://${HISTORY_BUCKET}/runs/run=audit-1/`,
      "--output",
      file,
    ]);

    // Assess
    expect(cli.stderr).toContain(`wrote ${file}`);
    expect(cli.code).toBe(2);
    expect(existsSync(file)).toBe(true);
    await withPage(async (page) => {
      const offsite: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith("file:")) offsite.push(request.url());
      });
      await page.goto(`file://${file}`);
      expect(await page.textContent("#coverage-percent")).toBe("0.0 %");
      expect(await page.textContent("#in-scope-count")).toBe(String(all.length));
      expect(await page.locator("#chart-accounts g.bar").count()).toBe(1);
      expect(await page.locator("#chart-regions g.bar").count()).toBe(REGIONS.length);
      const resources = () => page.locator("#not-covered tbody tr td:nth-child(4)").allTextContents();
      expect((await resources()).sort()).toEqual([...all].sort());

      const ascending = [...all].sort((a, b) => a.localeCompare(b));
      await page.click("#not-covered th:nth-child(4) button");
      expect(await resources()).toEqual(ascending);
      expect(await page.getAttribute("#not-covered th:nth-child(4)", "aria-sort")).toBe("ascending");
      await page.click("#not-covered th:nth-child(4) button");
      expect(await resources()).toEqual([...ascending].reverse());
      expect(offsite).toEqual([]);
    });
  });

  it("after enforcement the same finding Ids read PASSED with workflow RESOLVED", async () => {
    // Prepare
    const before = new Map<string, string[]>();
    for (const region of REGIONS)
      before.set(region, (await findingsIn(region)).map((f) => f.Id ?? "").sort());

    // Act
    await sweep("enforce-1", "enforce", proxy.endpoint);

    // Assess
    for (const region of REGIONS) {
      const findings = await findingsIn(region);
      expect(findings.map((f) => f.Id).sort()).toEqual(before.get(region));
      for (const finding of findings)
        expect(finding).toMatchObject({ Compliance: { Status: "PASSED" }, Workflow: { Status: "RESOLVED" } });
    }
    expect(proxy.updates().map((u) => u.status)).toEqual(["RESOLVED", "RESOLVED"]);
  });

  it("a second identical run reads the findings and imports nothing new", async () => {
    // Prepare
    proxy.reset();
    const counts = async () => (await Promise.all(REGIONS.map(findingsIn))).flat().length;
    const before = await counts();

    // Act
    await sweep("enforce-2", "enforce", proxy.endpoint);

    // Assess
    expect(proxy.count({ service: "securityhub", action: "POST /findings/import" })).toBe(0);
    expect(proxy.count({ service: "securityhub", action: "PATCH /findings/batchupdate" })).toBe(0);
    expect(proxy.count({ service: "securityhub", action: "POST /findings" })).toBe(REGIONS.length);
    expect(await counts()).toBe(before);
  });
});

describe("notifications", () => {
  it("an invocation with three non-compliant outcomes publishes exactly one SNS message listing all three", async () => {
    // Prepare
    const vpcs = vpcsIn.get(NOTIFY_REGION) ?? [];
    expect(vpcs).toHaveLength(3);
    const event = sampleEvent("flow-log-deleted.json", { "us-east-1": NOTIFY_REGION });

    // Act
    const result = await invokeFunction("EventEnforcerFunction", event, {
      env: {
        POLICY_SOURCE: policy("audit"),
        ALLOWED_DESTINATIONS: `arn:aws:s3:::${FLOW_LOG_BUCKET}`,
        NOTIFICATION_TOPIC_ARN: topicArn,
      },
    });

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    const queue = new SQSClient({ region: NOTIFY_REGION });
    const { Messages = [] } = await queue.send(
      new ReceiveMessageCommand({
        QueueUrl: notificationQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages).toHaveLength(1);
    const envelope = JSON.parse(Messages[0]?.Body ?? "{}");
    expect(envelope.Subject).toBe(
      `vpc-flow-log-enforcer: 3 resource(s) not covered in ${HOME} ${NOTIFY_REGION}`,
    );
    for (const vpc of vpcs) expect(envelope.Message).toContain(`WOULD-CREATE  VPC ${vpc}`);
    expect(envelope.MessageAttributes).toMatchObject({
      accountId: { Type: "String", Value: HOME },
      region: { Type: "String", Value: NOTIFY_REGION },
      outcome: { Type: "String.Array", Value: '["would-create"]' },
    });
  });
});

describe("the CLI's outputs", () => {
  it("scan --format html prints the same self-contained report for one scan", async () => {
    // Act
    const result = await flowlogs([
      "scan",
      "--regions",
      "eu-west-1",
      "--policy",
      policy("audit"),
      "--format",
      "html",
    ]);

    // Assess: enforcement above covered every VPC of eu-west-1.
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(result.stdout).toContain('id="coverage-percent">100.0 %</div>');
    expect(result.stdout).toContain('id="all-covered"');
  });

  it("scan --findings imports a FAILED finding per uncovered VPC with the caller's credentials, and says so", async () => {
    // Act
    const result = await flowlogs([
      "scan",
      "--regions",
      NOTIFY_REGION,
      "--policy",
      policy("audit"),
      "--findings",
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("security hub: 3 finding(s) imported, 0 resolved");
    const findings = await findingsIn(NOTIFY_REGION);
    expect(findings.map((f) => f.Compliance?.Status)).toEqual(["FAILED", "FAILED", "FAILED"]);
    expect(findings.every((f) => f.ProductFields?.["vpc-flow-log-enforcer/trigger"] === "cli")).toBe(true);
  });
});
