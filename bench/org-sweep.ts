// Org sweep benchmarks of issue 4, counted at the HTTP layer in front of moto:
// 1. one account-region with 5,000 VPCs lacking flow logs: AWS calls, wall time vs a per-resource loop measured
//    side by side, and the worker's peak RSS (in its own process, as a Lambda container would be);
// 2. 20 accounts × 2 regions × 50 VPCs: the sweep over SQS with 10 worker containers vs the same work done
//    sequentially by one, with a modelled AWS round trip and on bare moto, and AWS calls per account-region.
// VPCs are seeded once per moto and reused (moto slows down as VPCs accumulate); flow logs are cleared before
// each measured run so every run does the same work.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFlowLogsCommand,
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  AlreadyInOrganizationException,
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { credentialsForAccount } from "../test/support/aws-env.js";
import { startCallCounter } from "../test/support/http-counter.js";
import { listenOnLoopback } from "../test/support/loopback.js";
import { type BenchReport, ratioWords } from "./report.js";

const HOME_ACCOUNT = "123456789012";
const LARGE_ACCOUNT = "210987654321";
const LARGE_REGION = "eu-west-1";
const LARGE_VPCS = 5_000;
const ORG_ACCOUNTS = 20;
const ORG_REGIONS = ["us-east-1", "eu-west-1"] as const;
const ORG_VPCS = 50;
const WORKERS = 10;
/** A typical in-region AWS API round trip, added to every call in the latency-modelled runs. */
const AWS_LATENCY_MS = 50;
const BUCKET = "bench-org-flow-logs";
const DESTINATION = `arn:aws:s3:::${BUCKET}`;
const PAGE = 1_000;

// No flow-log tags: moto keeps a deleted flow log's tags and scans every tag of the region for each described
// VPC, so tags left by one run would slow the next one's DescribeVpcs several-fold.
// approvedDestinations and replaceOutdated are on, with nothing to delete: they must cost no call.
const POLICY = `
version: 1
resourceTypes: [VPC, Subnet]
defaults:
  destination: { type: s3, arn: "${DESTINATION}" }
approvedDestinations: ["${DESTINATION}*"]
replaceOutdated: true
`;

export async function benchOrgSweep(motoEndpoint: string, report: BenchReport): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-org-sweep-"));
  const policyFile = join(dir, "policy.yaml");
  writeFileSync(policyFile, POLICY);
  await new S3Client({ endpoint: motoEndpoint, region: "us-east-1", forcePathStyle: true, credentials: HOME })
    .send(new CreateBucketCommand({ Bucket: BUCKET }))
    .catch(ignoreAlreadyOwned);
  const bench = { motoEndpoint, dir, policySource: `file:${policyFile}`, report };
  await benchLargeAccountRegion(bench);
  await benchOrganization(bench);
}

interface Bench {
  readonly motoEndpoint: string;
  readonly dir: string;
  readonly policySource: string;
  readonly report: BenchReport;
}

// moto maps unknown access keys to account 123456789012: the functions' home account.
const HOME = { accessKeyId: "bench", secretAccessKey: "bench" };

async function benchLargeAccountRegion(bench: Bench): Promise<void> {
  const { report } = bench;
  const credentials = await credentialsForAccount(bench.motoEndpoint, LARGE_ACCOUNT);
  const ec2 = new EC2Client({ endpoint: bench.motoEndpoint, region: LARGE_REGION, credentials });
  const vpcIds = await seedVpcs(ec2, LARGE_VPCS, 4, (done) =>
    report.progress(
      `org sweep: seeding ${LARGE_VPCS.toLocaleString("en")} VPCs in one account-region`,
      done,
      LARGE_VPCS,
    ),
  );

  // The sweep: one SQS record for the account-region, through the built worker in its own process.
  await clearFlowLogs(ec2);
  report.step(`org sweep: the built worker sweeping ${vpcIds.length.toLocaleString("en")} VPCs`);
  const counter = await startCallCounter(bench.motoEndpoint);
  let sweep: ChildRun;
  let calls: string[];
  try {
    const event = sqsEvent([
      { accountId: LARGE_ACCOUNT, region: LARGE_REGION, runId: `bench-${Date.now()}` },
    ]);
    sweep = await runContainer(
      bench,
      "once",
      "dist/sweep-worker.mjs",
      writeJson(bench.dir, "event.json", event),
      // Not the home account: a deployment that is not organization-wide acts there only when it is allowed.
      { AWS_ENDPOINT_URL: counter.endpoint, ALLOWED_ACCOUNTS: `${HOME_ACCOUNT},${LARGE_ACCOUNT}` },
    );
    calls = counter.calls().map((call) => call.action);
  } finally {
    await counter.stop();
  }
  assertNoFailedRecords(sweep, "5,000-VPC sweep");
  // A refused or malformed message is dropped without a failed record: no call at all means nothing was measured.
  if (calls.length === 0)
    throw new Error("5,000-VPC sweep: the worker made no AWS call (its message was dropped)");
  const coveredBySweep = await coveredVpcs(ec2);
  const label = `org sweep, 1 account-region × ${vpcIds.length.toLocaleString("en")} VPCs`;
  // moto answers every Describe in one page; AWS pages at 1000 items (MaxResults).
  const extraVpcPages = Math.ceil(vpcIds.length / PAGE) - 1;
  const projected = calls.length + extraVpcPages;
  report.row({
    name: `${label}: AWS calls`,
    value: `${calls.length} on moto (${summarize(calls)}); ${projected} with AWS's ${PAGE}-item pages`,
    target: "≤ 15",
    ok: projected <= 15 && coveredBySweep === vpcIds.length,
  });
  report.row({
    name: `${label}: worker peak RSS`,
    value: `${sweep.maxRssMb.toFixed(0)} MB`,
    target: "≤ 256 MB",
    ok: sweep.maxRssMb <= 256,
  });

  // The per-resource loop of per-finding remediations: DescribeFlowLogs + CreateFlowLogs for each VPC.
  await clearFlowLogs(ec2);
  const loopStart = performance.now();
  const loopLabel = `org sweep: per-resource loop over ${vpcIds.length.toLocaleString("en")} VPCs`;
  for (const [index, vpcId] of vpcIds.entries()) {
    if (index % 250 === 0) report.progress(loopLabel, index, vpcIds.length);
    const { FlowLogs: logs = [] } = await ec2.send(
      new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] }),
    );
    if (logs.length === 0)
      await ec2.send(
        new CreateFlowLogsCommand({
          ResourceIds: [vpcId],
          ResourceType: "VPC",
          TrafficType: "ALL",
          LogDestinationType: "s3",
          LogDestination: DESTINATION,
        }),
      );
  }
  const loopMs = performance.now() - loopStart;
  report.progress(loopLabel, vpcIds.length, vpcIds.length);
  ec2.destroy();

  const ratio = sweep.wallMs / loopMs;
  report.row({
    name: `${label}: wall vs per-resource loop`,
    value: `${seconds(sweep.wallMs)} (handler ${seconds(sweep.handlerMs)}) vs ${seconds(loopMs)}: ${ratio.toFixed(3)}× the loop's time, ${ratioWords(loopMs, sweep.wallMs)}`,
    target: "≤ 0.1×",
    ok: ratio <= 0.1,
  });
}

async function benchOrganization(bench: Bench): Promise<void> {
  const { report } = bench;
  const org = new OrganizationsClient({
    endpoint: bench.motoEndpoint,
    region: "us-east-1",
    credentials: HOME,
  });
  const accounts = await benchMembers(org, ORG_ACCOUNTS);
  const { Organization: organization } = await org.send(new DescribeOrganizationCommand({}));
  org.destroy();
  const areas: Array<{ accountId: string; region: string; ec2: EC2Client }> = [];
  const seedLabel = `org sweep: seeding ${ORG_ACCOUNTS} accounts × ${ORG_REGIONS.length} regions × ${ORG_VPCS} VPCs (account-regions)`;
  for (const accountId of accounts) {
    const credentials = await credentialsForAccount(bench.motoEndpoint, accountId);
    for (const region of ORG_REGIONS) {
      report.progress(seedLabel, areas.length, accounts.length * ORG_REGIONS.length);
      const ec2 = new EC2Client({ endpoint: bench.motoEndpoint, region, credentials });
      await seedVpcs(ec2, ORG_VPCS, 2);
      areas.push({ accountId, region, ec2 });
    }
  }
  report.progress(seedLabel, areas.length, areas.length);
  const sqs = new SQSClient({ endpoint: bench.motoEndpoint, region: "us-east-1", credentials: HOME });
  const { QueueUrl: queueUrl = "" } = await sqs.send(
    new CreateQueueCommand({ QueueName: "bench-org-sweep" }),
  );
  const request = writeJson(bench.dir, "request.json", { accounts, regions: ORG_REGIONS });

  /** Coordinator, then `workers` containers draining the queue; every call goes through `endpoint`. */
  const run = async (workers: number, endpoint: string) => {
    await Promise.all(areas.map((area) => clearFlowLogs(area.ec2)));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    const coordinatorEnv = {
      AWS_ENDPOINT_URL: endpoint,
      SWEEP_QUEUE_URL: queueUrl,
      GOVERNED_REGIONS: ORG_REGIONS.join(","),
    };
    const workerEnv = { AWS_ENDPOINT_URL: endpoint, ORGANIZATION_ID: organization?.Id ?? "" };
    const started = await Promise.all([
      startContainer(bench, "once", "dist/org-sweep.mjs", request, coordinatorEnv, true),
      ...Array.from({ length: workers }, () =>
        startContainer(bench, "poll", "dist/sweep-worker.mjs", queueUrl, workerEnv, true),
      ),
    ]);
    const [coordinatorContainer, ...workerContainers] = started;
    const start = performance.now();
    const coordinator = await coordinatorContainer?.go();
    const containers = await Promise.all(workerContainers.map((container) => container.go()));
    const wallMs = performance.now() - start;
    if (coordinator === undefined) throw new Error("no coordinator");
    for (const container of [coordinator, ...containers]) assertNoFailedRecords(container, "org sweep");
    const covered = (await Promise.all(areas.map((area) => coveredVpcs(area.ec2)))).reduce(
      (a, b) => a + b,
      0,
    );
    if (covered !== areas.length * ORG_VPCS)
      throw new Error(`org sweep covered ${covered} of ${areas.length * ORG_VPCS} VPCs`);
    return wallMs;
  };

  const label = `org sweep, ${ORG_ACCOUNTS} accounts × ${ORG_REGIONS.length} regions × ${ORG_VPCS} VPCs`;
  // "many" workers against one: faster when they finish sooner, and said "slower" when they do not.
  const compare = ([one, many]: [number, number]) =>
    `${seconds(many)} vs ${seconds(one)} sequential (${ratioWords(one, many)})`;
  const measured = async (what: string, workers: number, endpoint: string) => {
    report.step(`${label}: ${what}`);
    return run(workers, endpoint);
  };
  const counter = await startCallCounter(bench.motoEndpoint);
  const slow = await startLatencyProxy(counter.endpoint, AWS_LATENCY_MS);
  try {
    const bare: [number, number] = [
      await measured("run 1 of 4, 1 worker, bare moto", 1, bench.motoEndpoint),
      await measured(`run 2 of 4, ${WORKERS} workers, bare moto`, WORKERS, bench.motoEndpoint),
    ];
    report.row({
      name: `${label}: wall, ${WORKERS} pre-started workers vs 1, bare moto (CPU-bound on ${cpus().length} cores)`,
      value: compare(bare),
      target: "-",
      ok: true,
    });
    const sequential = await measured(
      `run 3 of 4, 1 worker, ${AWS_LATENCY_MS} ms per call`,
      1,
      slow.endpoint,
    );
    counter.reset();
    const parallel = await measured(
      `run 4 of 4, ${WORKERS} workers, ${AWS_LATENCY_MS} ms per call`,
      WORKERS,
      slow.endpoint,
    );
    report.row({
      name: `${label}: wall, ${WORKERS} pre-started workers vs 1, ${AWS_LATENCY_MS} ms per AWS call`,
      value: compare([sequential, parallel]),
      target: "-",
      ok: true,
    });
    // The coordinator's ListAccounts and SendMessageBatch and the pollers' SQS calls are not per account-region.
    const workerCalls = counter
      .calls()
      .filter((call) => call.service === "ec2" || call.service === "sts")
      .map((call) => call.action);
    report.row({
      name: `${label}: AWS calls per account-region`,
      value: `${(workerCalls.length / areas.length).toFixed(1)} (${summarize(workerCalls, areas.length)})`,
      target: "-",
      ok: true,
    });
  } finally {
    await slow.stop();
    await counter.stop();
  }
  for (const area of areas) area.ec2.destroy();
  sqs.destroy();
}

/**
 * Forwards every request to `target` after `delayMs`, so local runs see the round-trip time that makes a real
 * sweep I/O-bound (moto answers in a few milliseconds, and its CPU is shared with the workers here).
 */
async function startLatencyProxy(
  target: string,
  delayMs: number,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      setTimeout(() => {
        const forwarded = request(
          {
            hostname: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
            agent,
          },
          (response) => {
            outgoing.writeHead(response.statusCode ?? 502, response.rawHeaders);
            response.pipe(outgoing);
          },
        );
        forwarded.on("error", () => outgoing.destroy());
        forwarded.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `count` members of a bench organization in moto, created on first use (their IDs are moto's choice). */
async function benchMembers(org: OrganizationsClient, count: number): Promise<string[]> {
  await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch((error: unknown) => {
    if (!(error instanceof AlreadyInOrganizationException)) throw error;
  });
  const existing: string[] = [];
  for await (const page of paginateListAccounts({ client: org }, {}))
    for (const account of page.Accounts ?? [])
      if (account.Name?.startsWith("bench-member-") && account.Id) existing.push(account.Id);
  for (let i = existing.length; i < count; i += 1) {
    const { CreateAccountStatus: status } = await org.send(
      new CreateAccountCommand({ AccountName: `bench-member-${i}`, Email: `bench-member-${i}@example.com` }),
    );
    if (status?.AccountId) existing.push(status.AccountId);
  }
  return existing.slice(0, count);
}

/** Makes the account-region hold `total` VPCs (its default VPC included); returns their IDs. */
async function seedVpcs(
  ec2: EC2Client,
  total: number,
  concurrency: number,
  progress: (done: number) => void = () => {},
): Promise<string[]> {
  const ids = await vpcIdsOf(ec2);
  let next = ids.length;
  const create = async () => {
    for (let n = next++; n < total; n = next++) {
      if (n % 250 === 0) progress(n);
      const { Vpc: vpc } = await ec2.send(
        new CreateVpcCommand({ CidrBlock: `10.${Math.floor(n / 256) % 256}.${n % 256}.0/24` }),
      );
      if (vpc?.VpcId) ids.push(vpc.VpcId);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, create));
  progress(total);
  return ids;
}

async function vpcIdsOf(ec2: EC2Client): Promise<string[]> {
  const { Vpcs: vpcs = [] } = await ec2.send(new DescribeVpcsCommand({}));
  return vpcs.flatMap((vpc) => (vpc.VpcId ? [vpc.VpcId] : []));
}

async function clearFlowLogs(ec2: EC2Client): Promise<void> {
  const { FlowLogs: logs = [] } = await ec2.send(new DescribeFlowLogsCommand({}));
  const ids = logs.flatMap((log) => (log.FlowLogId ? [log.FlowLogId] : []));
  for (let i = 0; i < ids.length; i += PAGE)
    await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: ids.slice(i, i + PAGE) }));
}

/** VPCs with a flow log to the bench destination. */
async function coveredVpcs(ec2: EC2Client): Promise<number> {
  const { FlowLogs: logs = [] } = await ec2.send(new DescribeFlowLogsCommand({}));
  return new Set(logs.filter((log) => log.LogDestination === DESTINATION).map((log) => log.ResourceId)).size;
}

interface ChildRun {
  readonly wallMs: number;
  readonly handlerMs: number;
  readonly maxRssMb: number;
  readonly results: unknown[];
}

/** One container in its own Node process (cold start included in wallMs), its logs discarded. */
async function runContainer(
  bench: Bench,
  mode: "once" | "poll",
  bundle: string,
  input: string,
  env: Record<string, string>,
): Promise<ChildRun> {
  return (await startContainer(bench, mode, bundle, input, env, false)).go();
}

interface StartedContainer {
  /** Lets a pre-started container run; resolves when it has exited. */
  go(): Promise<ChildRun>;
}

/**
 * Starts a container process. With `prestart` it loads the bundle, says ready and waits for go(): Lambda's
 * containers cold-start on their own hosts, while here ten at once would queue on this machine's two cores.
 */
async function startContainer(
  bench: Bench,
  mode: "once" | "poll",
  bundle: string,
  input: string,
  env: Record<string, string>,
  prestart: boolean,
): Promise<StartedContainer> {
  const resultFile = join(mkdtempSync(join(bench.dir, "run-")), "result.json");
  let start = performance.now();
  const child = spawn(process.execPath, ["bench/lambda-runner.mjs", mode, bundle, input, resultFile], {
    env: {
      ...process.env,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: HOME.accessKeyId,
      AWS_SECRET_ACCESS_KEY: HOME.secretAccessKey,
      AWS_ACCOUNT_ID: HOME_ACCOUNT,
      AWS_MAX_ATTEMPTS: "3",
      POLICY_SOURCE: bench.policySource,
      POWERTOOLS_SERVICE_NAME: "vpc-flow-log-enforcer",
      ...env,
    },
    stdio: prestart ? ["ignore", "ignore", "pipe", "ipc"] : ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<number>((resolve) => child.on("close", (exit) => resolve(exit ?? -1)));
  const finish = async (): Promise<ChildRun> => {
    const code = await exited;
    const wallMs = performance.now() - start;
    if (code !== 0) throw new Error(`${bundle} (${mode}) exited with ${code}: ${stderr}`);
    const parsed: { handlerMs: number; maxRssMb: number; results: unknown[] } = JSON.parse(
      readFileSync(resultFile, "utf-8"),
    );
    return { wallMs, ...parsed };
  };
  if (!prestart) return { go: finish };
  await Promise.race([
    new Promise<void>((resolve) => child.once("message", () => resolve())),
    exited.then((code) => {
      throw new Error(`${bundle} (${mode}) exited with ${code} before it was ready: ${stderr}`);
    }),
  ]);
  return {
    go: () => {
      start = performance.now();
      child.send("go");
      return finish();
    },
  };
}

function assertNoFailedRecords(run: ChildRun, what: string): void {
  const failed = run.results.flatMap((result) =>
    typeof result === "object" &&
    result !== null &&
    "batchItemFailures" in result &&
    Array.isArray(result.batchItemFailures)
      ? result.batchItemFailures
      : [],
  );
  if (failed.length > 0) throw new Error(`${what}: ${failed.length} record(s) failed`);
}

function sqsEvent(bodies: ReadonlyArray<Record<string, string>>) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `bench-${index}`,
      receiptHandle: `bench-${index}`,
      body: JSON.stringify(body),
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: `arn:aws:sqs:us-east-1:${HOME_ACCOUNT}:bench`,
      awsRegion: "us-east-1",
    })),
  };
}

function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** "DescribeVpcs 1, CreateFlowLogs 5" (divided by `per` when given). */
function summarize(actions: readonly string[], per = 1): string {
  const counts = new Map<string, number>();
  for (const action of actions) counts.set(action, (counts.get(action) ?? 0) + 1);
  return [...counts]
    .map(([action, n]) => `${action} ${per === 1 ? n : (n / per).toFixed(1).replace(/\.0$/, "")}`)
    .join(", ");
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function ignoreAlreadyOwned(error: unknown): void {
  if (!(error instanceof Error) || !/BucketAlready(OwnedByYou|Exists)/.test(error.name)) throw error;
}
