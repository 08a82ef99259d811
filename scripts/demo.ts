// `npm start`: the main job on the embedded example policy, against a local moto. Seeds VPCs and subnets, runs
// the built event-enforcer with events/*.json the way `sam local invoke` would, prints coverage before and after.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { type AccountId, accountRegion, type RegionName } from "../src/domain/resources.js";
import { enforceCoverage, type Outcome } from "../src/engine/enforce.js";
import { outcomeWords } from "../src/engine/summary.js";
import { createEc2Gateway } from "../src/gateways/ec2-gateway.js";
import { parsePolicy } from "../src/policy/parse.js";
import { startMoto } from "../tools/moto.js";

const REGION = "us-east-1" as RegionName;
const ACCOUNT = "123456789012" as AccountId;
const POLICY_PATH = resolve("examples/policy.yaml");

if (spawnSync("moto_server", ["--help"], { stdio: "ignore" }).error) {
  console.error(
    "moto_server was not found on PATH. It is the local AWS emulator npm start runs against.\n" +
      "Install it with:  pip install 'moto[server]'   (Python 3.9+), then run npm start again.",
  );
  process.exit(1);
}

const moto = await startMoto();
try {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
  });
  const ec2 = new EC2Client({ region: REGION });
  const seeded = await seed(ec2);
  const policy = parsePolicy(readFileSync(POLICY_PATH, "utf-8"), POLICY_PATH);
  const audit = async () =>
    (
      await enforceCoverage(
        {
          placement: accountRegion(ACCOUNT, REGION),
          scope: { kind: "account-region" },
          idempotencySeed: "demo-audit",
          mode: "audit",
        },
        { policy, ec2: createEc2Gateway(ec2) },
      )
    ).outcomes;

  const before = await audit();
  console.log(`\nmoto at ${moto.endpoint}; policy ${POLICY_PATH}\n`);
  const invocations = [
    ["vpc-created.json", { "vpc-0a1b2c3d4e5f60718": seeded.app }],
    ["vpc-created.json", { "vpc-0a1b2c3d4e5f60718": seeded.prod }],
    ["vpc-created.json", { "vpc-0a1b2c3d4e5f60718": seeded.sandbox }],
    [
      "subnet-created.json",
      { "vpc-0a1b2c3d4e5f60718": seeded.shared, "subnet-0a1b2c3d4e5f60719": seeded.sharedSubnet },
    ],
    ["vpc-created-failed-call.json", {}],
    ["flow-log-deleted.json", {}],
  ] as const;
  const written: Outcome[] = [];
  for (const [file, ids] of invocations) {
    const { summary, outcomes } = invoke(file, ids);
    written.push(...outcomes);
    console.log(`sam local invoke EventEnforcerFunction -e events/${file}\n  → ${summary}`);
  }
  const after = await audit();
  console.log(`\n${coverageTable(before, after)}`);
  console.log(`\nIn all: ${outcomeWords(written.filter((outcome) => outcome.outcome === "created"))}.`);
} finally {
  await moto.stop();
}

async function seed(ec2: EC2Client) {
  await new S3Client({ region: REGION, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "central-flow-logs" }),
  );
  const vpc = async (cidr: string, tags: Record<string, string>) => {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    const response = await ec2.send(
      new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: [{ ResourceType: "vpc", Tags }] }),
    );
    return response.Vpc?.VpcId ?? "";
  };
  const subnet = async (vpcId: string, cidr: string, name: string) => {
    const response = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: cidr,
        TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "Name", Value: name }] }],
      }),
    );
    return response.Subnet?.SubnetId ?? "";
  };
  const app = await vpc("10.1.0.0/16", { Name: "app" });
  const prod = await vpc("10.2.0.0/16", { Name: "payments", env: "prod" });
  const sandbox = await vpc("10.3.0.0/16", { Name: "sandbox", "flow-logs": "disabled" });
  const shared = await vpc("10.4.0.0/16", { Name: "shared-services" });
  await subnet(app, "10.1.1.0/24", "app-a");
  await subnet(sandbox, "10.3.1.0/24", "sandbox-a");
  const sharedSubnet = await subnet(shared, "10.4.1.0/24", "shared-a");
  // The prod rule's log group must exist for delivery to succeed (moto reports FAILED otherwise).
  await new CloudWatchLogsClient({ region: REGION }).send(
    new CreateLogGroupCommand({ logGroupName: `/vpc-flow-logs/${prod}` }),
  );
  return { app, prod, sandbox, shared, sharedSubnet };
}

/**
 * Runs the built bundle through the SAM-compatible runner, as a separate process (a cold start); its outcomes, and
 * one line saying what they amount to (resources and the flow logs covering them counted apart).
 */
function invoke(file: string, ids: Record<string, string>): { summary: string; outcomes: Outcome[] } {
  const dir = mkdtempSync(join(tmpdir(), "demo-"));
  let text = readFileSync(`events/${file}`, "utf-8");
  for (const [from, to] of Object.entries(ids)) text = text.split(from).join(to);
  writeFileSync(join(dir, "event.json"), text);
  writeFileSync(
    join(dir, "env.json"),
    JSON.stringify({
      EventEnforcerFunction: {
        POLICY_SOURCE: `file:${POLICY_PATH}`,
        // The deployment's destination guard must admit what examples/policy.yaml names.
        ALLOWED_DESTINATIONS: `arn:aws:s3:::central-flow-logs,arn:aws:logs:*:*:log-group:/vpc-flow-logs/*`,
      },
    }),
  );
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/invoke.ts",
      "EventEnforcerFunction",
      "-e",
      join(dir, "event.json"),
      "-n",
      join(dir, "env.json"),
    ],
    { encoding: "utf-8" },
  );
  const output: unknown = JSON.parse(run.stdout || "null");
  if (run.status !== 0) return { summary: `error ${JSON.stringify(output)}`, outcomes: [] };
  if (
    typeof output !== "object" ||
    output === null ||
    !("outcomes" in output) ||
    !Array.isArray(output.outcomes)
  )
    return { summary: JSON.stringify(output), outcomes: [] };
  if ("ignored" in output)
    return { summary: `ignored: ${String(output.ignored).slice(0, 80)}…`, outcomes: [] };
  const outcomes: Outcome[] = output.outcomes;
  const each = outcomes.map((o) => `${o.resourceId} ${o.outcome}`).join(", ");
  return { summary: `${outcomeWords(outcomes)}: ${each}`, outcomes };
}

function coverageTable(before: readonly Outcome[], after: readonly Outcome[]): string {
  const afterById = new Map(after.map((outcome) => [outcome.resourceId, outcome]));
  const rows = before.map((outcome) => {
    const later = afterById.get(outcome.resourceId);
    return [
      outcome.resourceType,
      outcome.resourceId,
      label(outcome),
      later ? label(later) : "?",
      later?.reason ?? "",
    ];
  });
  const header = ["TYPE", "RESOURCE", "BEFORE", "AFTER", "WHY (after)"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function label(outcome: Outcome): string {
  return outcome.outcome === "would-create" ? "NOT COVERED" : outcome.outcome;
}
