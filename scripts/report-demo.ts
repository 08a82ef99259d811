// `npm run report:demo`: the screenshot in docs/. Seeds three accounts × three regions in a local moto with VPCs in
// several states (covered, no flow log, logging to another bucket or to CloudWatch Logs, exempt), runs the built
// `flowlogs report` against it, and photographs the page in headless Chromium (test/support/browser.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateFlowLogsCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { withPage } from "../test/support/browser.js";
import { startMoto } from "../tools/moto.js";

const ACCOUNTS = ["123456789012", "210987654321", "345678901234"] as const;
const REGIONS = ["us-east-1", "eu-west-1", "eu-central-1"] as const;
const BUCKET = "org-flow-logs";
const OUT = resolve(process.argv[2] ?? "docs/report-demo.png");

const POLICY = `version: 1
mode: audit
resourceTypes: [VPC]
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${BUCKET}" }
rules:
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
`;

/** How many VPCs are covered, without flow log, logging to another bucket, logging to CloudWatch Logs, exempt. */
type Mix = [number, number, number, number, number];

function mixFor(accountIndex: number, regionIndex: number): Mix {
  const mixes: Mix[] = [
    [6, 0, 0, 0, 1],
    [5, 1, 0, 0, 0],
    [4, 0, 1, 0, 1],
    [3, 2, 0, 1, 0],
    [5, 0, 0, 0, 2],
    [2, 2, 1, 0, 0],
    [6, 1, 0, 0, 0],
    [4, 1, 0, 1, 1],
    [3, 0, 0, 0, 0],
  ];
  return mixes[(accountIndex * REGIONS.length + regionIndex) % mixes.length] ?? [1, 0, 0, 0, 0];
}

async function credentialsFor(accountId: string) {
  const { Credentials: c } = await new STSClient({ region: "us-east-1" }).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/seed`, RoleSessionName: "seed" }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("moto returned no credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function seed(ec2: EC2Client, [covered, uncovered, elsewhere, cloudWatch, exempt]: Mix): Promise<void> {
  let n = 0;
  const vpc = async (tags: Record<string, string> = {}) => {
    n += 1;
    const { Vpc } = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: `10.${n}.0.0/16`,
        TagSpecifications: [
          {
            ResourceType: "vpc",
            Tags: Object.entries({ Name: `vpc-${n}`, ...tags }).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      }),
    );
    return Vpc?.VpcId ?? "";
  };
  const flowLog = async (vpcId: string, destination: string) =>
    ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [vpcId],
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "s3",
        LogDestination: destination,
      }),
    );
  // The default VPC moto creates counts as one covered VPC.
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({}));
  for (const existing of Vpcs) if (existing.VpcId) await flowLog(existing.VpcId, `arn:aws:s3:::${BUCKET}`);
  for (let i = 1; i < covered; i += 1) await flowLog(await vpc(), `arn:aws:s3:::${BUCKET}`);
  for (let i = 0; i < uncovered; i += 1) await vpc();
  for (let i = 0; i < elsewhere; i += 1) await flowLog(await vpc(), "arn:aws:s3:::team-owned-logs");
  for (let i = 0; i < cloudWatch; i += 1)
    await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [await vpc()],
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "cloud-watch-logs",
        LogGroupName: "/missing/log-group",
        DeliverLogsPermissionArn: "arn:aws:iam::123456789012:role/flow-logs-delivery",
      }),
    );
  for (let i = 0; i < exempt; i += 1) await vpc({ "flow-logs": "disabled" });
}

const moto = await startMoto();
try {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
  });
  const s3 = new S3Client({ region: "us-east-1" });
  for (const bucket of [BUCKET, "team-owned-logs"])
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [a, accountId] of ACCOUNTS.entries()) {
    const credentials = a === 0 ? undefined : await credentialsFor(accountId);
    for (const [r, region] of REGIONS.entries())
      await seed(new EC2Client({ region, ...(credentials ? { credentials } : {}) }), mixFor(a, r));
  }
  const dir = mkdtempSync(join(tmpdir(), "report-demo-"));
  const policy = join(dir, "policy.yaml");
  const page = join(dir, "report.html");
  writeFileSync(policy, POLICY);
  const cli = spawnSync(
    process.execPath,
    [
      "dist/cli.mjs",
      "report",
      "--accounts",
      ACCOUNTS.join(","),
      "--regions",
      REGIONS.join(","),
      "--policy",
      policy,
      "--output",
      page,
    ],
    { encoding: "utf-8", env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true" } },
  );
  process.stderr.write(cli.stderr);
  if (cli.status !== 0 && cli.status !== 2) throw new Error(`flowlogs report exited ${cli.status}`);
  await withPage(async (browser) => {
    await browser.goto(`file://${page}`);
    await browser.click("#not-covered th:nth-child(5) button");
    await browser.screenshot({ path: OUT, fullPage: true });
  });
  console.error(`wrote ${OUT}`);
} finally {
  await moto.stop();
}
