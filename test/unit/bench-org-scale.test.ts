// The org-scale bench is only as honest as its simulator: EC2's throttling must bite when a burst exceeds the bucket
// and recover at the documented rate in simulated time, the real SDK must read the simulated answers as it reads
// EC2's, and its retries must wait in simulated time.
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { routeSdkRequestsTo } from "../../bench/sim/sdk-transport.js";
import { EC2_NON_MUTATING, SimulatedOrg, type SimulatedOrgOptions } from "../../bench/sim/simulated-org.js";
import { TokenBucket } from "../../bench/sim/token-bucket.js";
import { installVirtualClock, nodeDelay, type VirtualClock } from "../../bench/sim/virtual-clock.js";
import { describeFlowLogs, listResources } from "../../src/gateways/ec2-gateway.js";
import { describeAccount } from "../../src/gateways/organizations-gateway.js";
import { enqueueMessages } from "../../src/gateways/sweep-queue.js";

const ACCOUNT = "200000000001";
const REGION = "eu-west-1";

function simulatedOrg(overrides: Partial<SimulatedOrgOptions> = {}) {
  const delivered: string[] = [];
  const flat = { minMs: 100, maxMs: 100 };
  const org = new SimulatedOrg({
    accounts: 3,
    regions: ["us-east-1", REGION],
    vpcsPerAccountRegion: 4,
    subnetsPerVpc: 2,
    nonCompliantPercent: 0,
    bucketsStartEmpty: false,
    latency: { describe: flat, mutate: flat, sts: flat, sqs: flat, organizations: flat, ssm: flat },
    organizationsLimit: { capacity: 20, refillPerSecond: 10 },
    homeAccountId: "111111111111",
    organizationId: "o-simulated01",
    policyParameter: { name: "/policy", value: "version: 1" },
    deliver: (bodies) => delivered.push(...bodies),
    ...overrides,
  });
  return { org, delivered };
}

/** An EC2 client of the member account, as AccountClients builds it after AssumeRole. */
function memberEc2(maxAttempts: number) {
  return new EC2Client({
    region: REGION,
    maxAttempts,
    retryMode: "adaptive",
    credentials: { accessKeyId: `ASIA${ACCOUNT}`, secretAccessKey: "simulated", sessionToken: "simulated" },
  });
}

describe("TokenBucket", () => {
  it("lets a burst up to its capacity through and throttles the rest", () => {
    const bucket = new TokenBucket({ capacity: 100, refillPerSecond: 20 }, () => 0);

    const admitted = Array.from({ length: 130 }, () => bucket.take()).filter(Boolean).length;

    expect(admitted).toBe(100);
  });

  it("refills at its rate, never beyond capacity", () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 100, refillPerSecond: 20 }, () => now, 0);

    now = 250; // a quarter of a second: 5 tokens
    const afterQuarter = Array.from({ length: 10 }, () => bucket.take()).filter(Boolean).length;
    now = 60_000;

    expect(afterQuarter).toBe(5);
    expect(bucket.available()).toBe(100);
  });
});

describe("nodeDelay", () => {
  it("waits at least 1 ms, as Node does, so a sub-millisecond wait moves simulated time", () => {
    expect([nodeDelay(0.3), nodeDelay(undefined), nodeDelay(0), nodeDelay(25)]).toEqual([1, 1, 1, 25]);
  });
});

describe("the simulated AWS behind the real SDK", () => {
  let clock: VirtualClock | undefined;
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    clock?.uninstall();
    restore = undefined;
    clock = undefined;
  });

  it("answers DescribeVpcs and DescribeFlowLogs so the EC2 gateway reads the account-region's resources", async () => {
    const { org } = simulatedOrg();
    restore = routeSdkRequestsTo(org.handle);
    clock = installVirtualClock();
    const ec2 = memberEc2(1);

    const [vpcs, defaults, logs] = await clock.run(
      Promise.all([
        listResources(ec2, ["VPC", "Subnet"]),
        listResources(ec2, ["VPC"], { defaultOnly: true }),
        describeFlowLogs(ec2, "all"),
      ]),
    );

    const vpcIds = vpcs.filter((r) => r.type === "VPC").map((r) => r.id);
    expect(vpcIds).toHaveLength(4);
    expect(vpcs.filter((r) => r.type === "Subnet")).toHaveLength(8);
    expect(vpcs.every((r) => r.ownerId === ACCOUNT)).toBe(true);
    expect(vpcs.find((r) => r.type === "Subnet")?.vpcId).toBe(vpcIds[0]);
    expect(defaults.map((r) => r.id)).toEqual([vpcIds[0]]);
    expect(logs.map((log) => log.resourceId).sort()).toEqual([...vpcIds].sort());
    expect(logs[0]).toMatchObject({
      destinationType: "s3",
      logDestination: `arn:aws:s3:::central-flow-logs/${ACCOUNT}/`,
      trafficType: "ALL",
      maxAggregationInterval: 600,
    });
  });

  it("throttles a burst beyond EC2's Describe bucket with RequestLimitExceeded, per account-region", async () => {
    const { org } = simulatedOrg();
    restore = routeSdkRequestsTo(org.handle);
    clock = installVirtualClock();
    const ec2 = memberEc2(1);
    const burst = EC2_NON_MUTATING.capacity + 5;

    const outcomes = await clock.run(
      Promise.allSettled(Array.from({ length: burst }, () => ec2.send(new DescribeVpcsCommand({})))),
    );

    const rejected = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(rejected).toHaveLength(5);
    expect(rejected[0]).toMatchObject({ name: "RequestLimitExceeded" });
    expect(org.stats.throttled.get("ec2:DescribeVpcs")).toBe(5);
  });

  it("lets the SDK's retries wait in simulated time until the bucket has refilled", async () => {
    const { org } = simulatedOrg({ bucketsStartEmpty: true });
    restore = routeSdkRequestsTo(org.handle);
    clock = installVirtualClock();
    const ec2 = memberEc2(5);

    const { Vpcs: vpcs = [] } = await clock.run(ec2.send(new DescribeVpcsCommand({ MaxResults: 1000 })));

    expect(vpcs).toHaveLength(4);
    expect(org.stats.throttled.get("ec2:DescribeVpcs")).toBeGreaterThanOrEqual(1);
    expect(org.stats.retries).toBe(org.stats.throttled.get("ec2:DescribeVpcs"));
    // One 100 ms answer, then at least one throttled answer and a backoff before the token was there.
    expect(clock.elapsedMs()).toBeGreaterThan(200);
  });

  it("takes SendMessageBatch as SQS does: the SDK checks each message's MD5, the queue gets every body", async () => {
    const { org, delivered } = simulatedOrg();
    restore = routeSdkRequestsTo(org.handle);
    clock = installVirtualClock();
    const sqs = new SQSClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIAHOME", secretAccessKey: "simulated" },
    });
    const bodies = Array.from({ length: 23 }, (_, i) => JSON.stringify({ accountId: ACCOUNT, n: i }));

    const result = await clock.run(
      enqueueMessages(
        sqs,
        "https://sqs.us-east-1.amazonaws.com/111111111111/sweep",
        bodies.map((body) => ({ body })),
      ),
    );

    expect(result).toEqual({ sent: 23, failed: [] });
    expect(delivered).toEqual(bodies);
    expect(org.stats.calls.get("sqs:SendMessageBatch")).toBe(3);
  });

  it("answers DescribeAccount as Organizations does, out of the same assumed request bucket as ListAccounts", async () => {
    const { org } = simulatedOrg({ organizationsLimit: { capacity: 3, refillPerSecond: 1 } });
    restore = routeSdkRequestsTo(org.handle);
    clock = installVirtualClock();
    const organizations = new OrganizationsClient({
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIAHOME", secretAccessKey: "simulated" },
    });

    const [member, outsider, , throttled] = await clock.run(
      Promise.allSettled([
        describeAccount(organizations, ACCOUNT),
        describeAccount(organizations, "999999999999"),
        describeAccount(organizations, ACCOUNT),
        describeAccount(organizations, ACCOUNT),
      ]),
    );

    expect(member).toEqual({
      status: "fulfilled",
      value: {
        accountId: ACCOUNT,
        name: `member-${ACCOUNT}`,
        organizationId: "o-simulated01",
        active: true,
      },
    });
    expect(outsider).toEqual({ status: "fulfilled", value: undefined });
    expect(throttled).toMatchObject({ status: "rejected", reason: { name: "TooManyRequestsException" } });
    expect(org.stats.calls.get("organizations:DescribeAccount")).toBe(4);
  });
});
