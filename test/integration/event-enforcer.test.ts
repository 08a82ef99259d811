// EventEnforcerFunction end to end: the built bundle, run like `sam local invoke`, against moto.
import { CreateFlowLogsCommand, DeleteFlowLogsCommand } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { credentialsForAccount, useMoto } from "../support/aws-env.js";
import { ec2ErrorBody, startFaultProxy } from "../support/fault-proxy.js";
import { type CallCounter, startCallCounter } from "../support/http-counter.js";
import { invokeFunction } from "../support/invoke.js";
import {
  createS3FlowLog,
  createSubnet,
  createVpc,
  ec2Client,
  flowLogsOn,
  outcomesOf,
  policySourceFile,
} from "../support/moto-resources.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";

const motoEndpoint = useMoto();
const FUNCTION = "EventEnforcerFunction";
const MEMBER_ACCOUNT = "222222222222";
const LOG_FORMAT =
  "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${log-status} ${vpc-id}";

const POLICY = `
version: 1
mode: enforce
resourceTypes: [VPC, Subnet]
subnetCoverage: vpc
compliance: destination
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::central-flow-logs" }
  trafficType: ALL
  maxAggregationInterval: 60
  logFormat: "${LOG_FORMAT}"
  tags: { ManagedBy: vpc-flow-log-enforcer, Owner: "\${AccountId}" }
rules:
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
  - name: prod-to-cloudwatch
    match: { tags: { env: prod }, resourceTypes: [VPC] }
    destination:
      type: cloud-watch-logs
      logGroupName: "/vpc-flow-logs/\${ResourceId}"
      deliverLogsPermissionArn: "arn:\${Partition}:iam::\${AccountId}:role/flow-logs-delivery"
`;

const policySource = policySourceFile(POLICY);
/** The deployment's environment: its policy, and a destination guard that admits the policy's destinations. */
const ENV = {
  POLICY_SOURCE: policySource,
  ALLOWED_DESTINATIONS:
    "arn:aws:s3:::central-flow-logs,arn:${Partition}:logs:*:${AccountId}:log-group:/vpc-flow-logs/*",
};

/** DescribeVpcs as EC2 answers it for an ID it does not show (yet): an empty set, not an error. */
const NO_VPCS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
  "<requestId>fault-proxy-request</requestId><vpcSet/></DescribeVpcsResponse>";

const ec2 = ec2Client;

beforeAll(async () => {
  await new S3Client({ region: "us-east-1", forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "central-flow-logs" }),
  );
});

describe("VPC created", () => {
  let counter: CallCounter | undefined;
  afterEach(async () => {
    await counter?.stop();
    counter = undefined;
  });

  it("creates the policy's flow log with destination, traffic type, format, interval and tags, once", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const event = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId });

    const first = await invokeFunction(FUNCTION, event, { env: ENV });
    const second = await invokeFunction(FUNCTION, event, { env: ENV });

    expect(first.exitCode, first.stderr).toBe(0);
    expect(outcomesOf(first.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, resourceType: "VPC", outcome: "created" }),
    ]);
    const logs = await flowLogsOn(client, vpcId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      LogDestinationType: "s3",
      LogDestination: "arn:aws:s3:::central-flow-logs",
      TrafficType: "ALL",
      LogFormat: LOG_FORMAT,
      MaxAggregationInterval: 60,
      Tags: expect.arrayContaining([
        { Key: "ManagedBy", Value: "vpc-flow-log-enforcer" },
        { Key: "Owner", Value: SAMPLE_IDS.account },
        { Key: "vpc-flow-log-enforcer:created-by", Value: "vpc-flow-log-enforcer" },
      ]),
    });
    expect(outcomesOf(second.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "compliant" }),
    ]);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
  });

  it("sends a prod VPC to the CloudWatch log group its rule names", async () => {
    const client = ec2();
    const vpcId = await createVpc(client, { env: "prod" });

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: ENV,
      },
    );

    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ outcome: "created", rule: "prod-to-cloudwatch" }),
    ]);
    expect(await flowLogsOn(client, vpcId)).toEqual([
      expect.objectContaining({
        LogDestinationType: "cloud-watch-logs",
        LogGroupName: `/vpc-flow-logs/${vpcId}`,
        DeliverLogsPermissionArn: `arn:aws:iam::${SAMPLE_IDS.account}:role/flow-logs-delivery`,
      }),
    ]);
  });

  it("leaves a VPC tagged exempt alone", async () => {
    const client = ec2();
    const vpcId = await createVpc(client, { "flow-logs": "disabled" });

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: ENV,
      },
    );

    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ outcome: "exempt", rule: "sandboxes-exempt" }),
    ]);
    expect(await flowLogsOn(client, vpcId)).toEqual([]);
  });

  it("reads a VPC EC2 does not show again, for the configured time, then reports it not-found without failing", async () => {
    counter = await startCallCounter(motoEndpoint());

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: "vpc-00000000000000001" }),
      {
        env: { ...ENV, NEW_RESOURCE_WAIT_SECONDS: "1" },
        processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
      },
    );

    expect(result.exitCode, result.stderr).toBe(0);
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ outcome: "not-found", reason: expect.stringContaining("waited") }),
    ]);
    // Read again after 0.5 s and, unless the machine is slow, once more in the 0.5 s left of the budget.
    expect(counter.count({ action: "DescribeVpcs" })).toBeGreaterThanOrEqual(2);
    expect(counter.count({ action: "DescribeVpcs" })).toBeLessThanOrEqual(3);
    expect(counter.count({ action: "CreateFlowLogs" })).toBe(0);
  });

  it("covers a new VPC that EC2 does not show at first (eventual consistency) once it does", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const proxy = await startFaultProxy(motoEndpoint(), [
      { match: { action: "DescribeVpcs" }, respond: { status: 200, body: NO_VPCS }, times: 2 },
    ]);

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      { env: ENV, processEnv: { AWS_ENDPOINT_URL: proxy.endpoint } },
    );
    const reads = proxy.count({ action: "DescribeVpcs" });
    await proxy.stop();

    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "created" }),
    ]);
    expect(reads).toBe(3);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
  });

  it("reports a flow log whose delivery fails instead of creating a duplicate", async () => {
    // moto marks a CloudWatch flow log to a missing log group FAILED with "Access error".
    const client = ec2();
    const vpcId = await createVpc(client, { env: "prod" });
    const event = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId });
    await invokeFunction(FUNCTION, event, { env: ENV });

    const again = await invokeFunction(FUNCTION, event, { env: ENV });

    expect(outcomesOf(again.output)).toEqual([
      expect.objectContaining({
        outcome: "delivery-failing",
        reason: expect.stringContaining("Access error"),
      }),
    ]);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
  });
});

describe("subnet created", () => {
  it("remediates the uncovered VPC instead of adding a subnet flow log", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const subnetId = await createSubnet(client, vpcId);
    const event = sampleEvent("subnet-created.json", {
      [SAMPLE_IDS.vpc]: vpcId,
      [SAMPLE_IDS.subnet]: subnetId,
    });

    const result = await invokeFunction(FUNCTION, event, { env: ENV });

    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({
        resourceId: subnetId,
        outcome: "created",
        reason: expect.stringContaining(vpcId),
      }),
    ]);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
    expect(await flowLogsOn(client, subnetId)).toHaveLength(0);
  });

  it("is compliant when its VPC already has the policy's flow log", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const subnetId = await createSubnet(client, vpcId);
    await invokeFunction(FUNCTION, sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }), {
      env: ENV,
    });

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("subnet-created.json", { [SAMPLE_IDS.vpc]: vpcId, [SAMPLE_IDS.subnet]: subnetId }),
      { env: ENV },
    );

    expect(outcomesOf(result.output)).toEqual([expect.objectContaining({ outcome: "compliant" })]);
    expect(await flowLogsOn(client, subnetId)).toHaveLength(0);
  });

  it("inherits the exemption of its VPC's tags", async () => {
    const client = ec2();
    const vpcId = await createVpc(client, { "flow-logs": "disabled" });
    const subnetId = await createSubnet(client, vpcId);

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("subnet-created.json", { [SAMPLE_IDS.vpc]: vpcId, [SAMPLE_IDS.subnet]: subnetId }),
      { env: ENV },
    );

    expect(outcomesOf(result.output)).toEqual([expect.objectContaining({ outcome: "exempt" })]);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(0);
    expect(await flowLogsOn(client, subnetId)).toHaveLength(0);
  });

  it("gets its own flow log when its exempt VPC is overridden by the subnet's own tag", async () => {
    const client = ec2();
    const vpcId = await createVpc(client, { "flow-logs": "disabled" });
    const subnetId = await createSubnet(client, vpcId, { tags: { "flow-logs": "enabled" } });

    await invokeFunction(
      FUNCTION,
      sampleEvent("subnet-created.json", { [SAMPLE_IDS.vpc]: vpcId, [SAMPLE_IDS.subnet]: subnetId }),
      { env: ENV },
    );

    expect(await flowLogsOn(client, vpcId)).toHaveLength(0);
    expect(await flowLogsOn(client, subnetId)).toEqual([
      expect.objectContaining({ LogDestination: "arn:aws:s3:::central-flow-logs" }),
    ]);
  });
});

describe("default VPC and subnet", () => {
  it("covers a new default VPC and its default subnet", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const subnetId = await createSubnet(client, vpcId);

    const vpcResult = await invokeFunction(
      FUNCTION,
      sampleEvent("default-vpc-created.json", { [SAMPLE_IDS.defaultVpc]: vpcId }),
      { env: ENV },
    );
    const subnetResult = await invokeFunction(
      FUNCTION,
      sampleEvent("subnet-default-created.json", {
        [SAMPLE_IDS.defaultVpc]: vpcId,
        "subnet-0d9c8b7a6f5e4d3c2": subnetId,
      }),
      { env: ENV },
    );

    expect(outcomesOf(vpcResult.output)).toEqual([expect.objectContaining({ outcome: "created" })]);
    expect(outcomesOf(subnetResult.output)).toEqual([expect.objectContaining({ outcome: "compliant" })]);
  });
});

describe("flow log deleted (tamper repair)", () => {
  it("puts back the flow log of every in-scope resource of the account-region, and only those", async () => {
    const client = ec2();
    const tampered = await createVpc(client);
    const exempt = await createVpc(client, { "flow-logs": "disabled" });
    await invokeFunction(FUNCTION, sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: tampered }), {
      env: ENV,
    });
    const [original] = await flowLogsOn(client, tampered);
    await client.send(new DeleteFlowLogsCommand({ FlowLogIds: [original?.FlowLogId ?? ""] }));

    const result = await invokeFunction(FUNCTION, sampleEvent("flow-log-deleted.json"), {
      env: ENV,
    });

    expect(result.exitCode, result.stderr).toBe(0);
    const outcomes = outcomesOf(result.output);
    expect(outcomes).toContainEqual(expect.objectContaining({ resourceId: tampered, outcome: "created" }));
    expect(outcomes).toContainEqual(expect.objectContaining({ resourceId: exempt, outcome: "exempt" }));
    expect(await flowLogsOn(client, tampered)).toHaveLength(1);
    expect(await flowLogsOn(client, exempt)).toHaveLength(0);
  });
});

describe("member accounts", () => {
  it("assumes the member role of an account ALLOWED_ACCOUNTS lists, and creates the flow log there only", async () => {
    const member = ec2(await credentialsForAccount(motoEndpoint(), MEMBER_ACCOUNT));
    const vpcId = await createVpc(member);
    const event = sampleEvent("vpc-created.json", {
      [SAMPLE_IDS.vpc]: vpcId,
      [SAMPLE_IDS.account]: MEMBER_ACCOUNT,
    });

    const result = await invokeFunction(FUNCTION, event, {
      env: { ...ENV, ALLOWED_ACCOUNTS: `${SAMPLE_IDS.account},${MEMBER_ACCOUNT}` },
    });

    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ accountId: MEMBER_ACCOUNT, resourceId: vpcId, outcome: "created" }),
    ]);
    expect(await flowLogsOn(member, vpcId)).toEqual([
      expect.objectContaining({ Tags: expect.arrayContaining([{ Key: "Owner", Value: MEMBER_ACCOUNT }]) }),
    ]);
    expect(await flowLogsOn(ec2(), vpcId)).toEqual([]);
  });
});

describe("bad input loses nothing and writes nothing", () => {
  let counter: CallCounter | undefined;
  afterEach(async () => {
    await counter?.stop();
    counter = undefined;
  });

  it("ignores an event whose API call failed, without any AWS call", async () => {
    counter = await startCallCounter(motoEndpoint());

    const result = await invokeFunction(FUNCTION, sampleEvent("vpc-created-failed-call.json"), {
      env: ENV,
      processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
    });

    expect(result.exitCode).toBe(0);
    expect(result.output).toMatchObject({
      outcomes: [],
      ignored: expect.stringContaining("UnauthorizedOperation"),
    });
    expect(counter.calls()).toEqual([]);
  });

  it("rejects a malformed event with a message naming the bad fields", async () => {
    counter = await startCallCounter(motoEndpoint());
    const event = sampleEvent("vpc-created.json");
    event.detail = {
      eventName: "CreateVpc",
      responseElements: { vpc: { vpcId: "subnet-1234567890abcdef0" } },
    };

    const result = await invokeFunction(FUNCTION, event, {
      env: ENV,
      processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
    });

    expect(result.exitCode).toBe(1);
    expect(result.output).toMatchObject({
      errorType: "EventValidationError",
      errorMessage: expect.stringContaining("detail.responseElements.vpc.vpcId: must be a VPC ID"),
    });
    expect(counter.count({ action: "CreateFlowLogs" })).toBe(0);
  });

  it("rejects an unknown event name by name", async () => {
    const event = sampleEvent("vpc-created.json");
    event.detail = { eventName: "CreateInternetGateway" };

    const result = await invokeFunction(FUNCTION, event, { env: ENV });

    expect(result.output).toMatchObject({
      errorMessage: expect.stringContaining("unsupported event CreateInternetGateway"),
    });
  });

  it("refuses to act on an invalid policy, naming the field path", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const broken = policySourceFile(POLICY.replace("trafficType: ALL", "trafficType: SOME"));

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: { POLICY_SOURCE: broken },
      },
    );

    expect(result.exitCode).toBe(1);
    expect(result.output).toMatchObject({
      errorType: "PolicyValidationError",
      errorMessage: expect.stringContaining("defaults.trafficType"),
    });
    expect(await flowLogsOn(client, vpcId)).toEqual([]);
  });

  it("fails the invocation, naming the resource, when CreateFlowLogs is denied", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { action: "CreateFlowLogs" },
        respond: {
          status: 403,
          body: ec2ErrorBody("UnauthorizedOperation", "You are not authorized to perform this operation."),
        },
        times: 10,
      },
    ]);

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: ENV,
        processEnv: { AWS_ENDPOINT_URL: proxy.endpoint },
      },
    );
    await proxy.stop();

    expect(result.exitCode).toBe(1);
    expect(result.output).toMatchObject({
      errorType: "EnforcementFailedError",
      errorMessage: expect.stringContaining(`${vpcId}: creating a VPC flow log`),
    });
    expect(result.output).toMatchObject({ errorMessage: expect.stringContaining("UnauthorizedOperation") });
  });

  it("rides out EC2 throttling with the SDK's retries", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { action: "CreateFlowLogs" },
        respond: { status: 503, body: ec2ErrorBody("RequestLimitExceeded", "Request limit exceeded.") },
        times: 2,
      },
    ]);

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: { ...ENV, AWS_MAX_ATTEMPTS: "4" },
        processEnv: { AWS_ENDPOINT_URL: proxy.endpoint },
      },
    );
    const attempts = proxy.count({ action: "CreateFlowLogs" });
    await proxy.stop();

    expect(outcomesOf(result.output)).toEqual([expect.objectContaining({ outcome: "created" })]);
    expect(attempts).toBe(3);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
  });
});

describe("AWS calls per event", () => {
  let counter: CallCounter | undefined;
  afterEach(async () => {
    await counter?.stop();
    counter = undefined;
  });

  it("costs DescribeSubnets ‖ DescribeVpcs ‖ DescribeFlowLogs then CreateFlowLogs for an uncovered subnet under tag rules", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const subnetId = await createSubnet(client, vpcId);
    counter = await startCallCounter(motoEndpoint());

    await invokeFunction(
      FUNCTION,
      sampleEvent("subnet-created.json", { [SAMPLE_IDS.vpc]: vpcId, [SAMPLE_IDS.subnet]: subnetId }),
      { env: ENV, processEnv: { AWS_ENDPOINT_URL: counter.endpoint } },
    );

    expect(
      counter
        .calls()
        .map((call) => call.action)
        .sort(),
    ).toEqual(["CreateFlowLogs", "DescribeFlowLogs", "DescribeSubnets", "DescribeVpcs"]);
  });

  it("costs DescribeVpcs ‖ DescribeFlowLogs for a covered VPC (existence, owner and tags in one read)", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const noTagRules = policySourceFile(POLICY.slice(0, POLICY.indexOf("rules:")));
    const event = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId });
    await client.send(
      new CreateFlowLogsCommand({
        ResourceIds: [vpcId],
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "s3",
        LogDestination: "arn:aws:s3:::central-flow-logs",
      }),
    );
    counter = await startCallCounter(motoEndpoint());

    const result = await invokeFunction(FUNCTION, event, {
      env: { POLICY_SOURCE: noTagRules },
      processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
    });

    expect(outcomesOf(result.output)).toEqual([expect.objectContaining({ outcome: "compliant" })]);
    expect(
      counter
        .calls()
        .map((call) => call.action)
        .sort(),
    ).toEqual(["DescribeFlowLogs", "DescribeVpcs"]);
  });
});

describe("flow logs the policy does not want", () => {
  /** The deployment's destination guard admits the buckets these policies write to. */
  const GUARD = { ALLOWED_DESTINATIONS: "arn:aws:s3:::central-flow-logs,arn:aws:s3:::flow-logs-*" };
  const POLICY_TO = (bucket: string, extra: string) => `
version: 1
mode: enforce
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${bucket}" }
${extra}
`;
  const HYGIENE_POLICY = (extra: string) =>
    POLICY_TO("central-flow-logs", `approvedDestinations: ["arn:\${Partition}:s3:::archive-*"]\n${extra}`);

  beforeAll(async () => {
    const s3 = new S3Client({ region: "us-east-1", forcePathStyle: true });
    for (const bucket of ["team-exports", "flow-logs-a", "flow-logs-b"])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  /** A VPC with the policy's flow log and one to a bucket outside approvedDestinations. */
  async function vpcWithUnapprovedFlowLog() {
    const client = ec2();
    const vpcId = await createVpc(client);
    await createS3FlowLog(client, vpcId, "central-flow-logs");
    await createS3FlowLog(client, vpcId, "team-exports");
    const logs = await flowLogsOn(client, vpcId);
    const unapproved = logs.find((log) => log.LogDestination === "arn:aws:s3:::team-exports")?.FlowLogId;
    return { client, vpcId, unapproved };
  }

  it("reports a flow log to an unapproved bucket: outcome unapproved, naming it, and deletes nothing", async () => {
    const { client, vpcId, unapproved } = await vpcWithUnapprovedFlowLog();

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: { ...GUARD, POLICY_SOURCE: policySourceFile(HYGIENE_POLICY("unapprovedFlowLogs: report")) },
      },
    );

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.output).toMatchObject({
      outcomes: [
        {
          resourceId: vpcId,
          outcome: "unapproved",
          unapprovedFlowLogs: [
            { flowLogId: unapproved, destination: "arn:aws:s3:::team-exports", action: "reported" },
          ],
        },
      ],
    });
    expect(await flowLogsOn(client, vpcId)).toHaveLength(2);
  });

  it("delete, enforce mode: deletes the unapproved flow log and keeps the compliant one", async () => {
    const { client, vpcId, unapproved } = await vpcWithUnapprovedFlowLog();

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: { ...GUARD, POLICY_SOURCE: policySourceFile(HYGIENE_POLICY("unapprovedFlowLogs: delete")) },
      },
    );

    expect(result.output).toMatchObject({
      outcomes: [
        { outcome: "compliant", unapprovedFlowLogs: [{ flowLogId: unapproved, action: "deleted" }] },
      ],
    });
    expect(await flowLogsOn(client, vpcId)).toEqual([
      expect.objectContaining({ LogDestination: "arn:aws:s3:::central-flow-logs" }),
    ]);
  });

  it("delete, audit mode: reports would-delete and deletes nothing", async () => {
    const { client, vpcId } = await vpcWithUnapprovedFlowLog();

    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: {
          ...GUARD,
          POLICY_SOURCE: policySourceFile(
            HYGIENE_POLICY("unapprovedFlowLogs: delete").replace("mode: enforce", "mode: audit"),
          ),
        },
      },
    );

    expect(result.output).toMatchObject({
      outcomes: [{ outcome: "unapproved", unapprovedFlowLogs: [{ action: "would-delete" }] }],
    });
    expect(await flowLogsOn(client, vpcId)).toHaveLength(2);
  });

  it.each([
    [true, ["arn:aws:s3:::flow-logs-b"]],
    [false, ["arn:aws:s3:::flow-logs-a", "arn:aws:s3:::flow-logs-b"]],
  ])("policy v1 to bucket A, then v2 to bucket B with replaceOutdated: %s", async (replace, remaining) => {
    const client = ec2();
    const vpcId = await createVpc(client);
    const event = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId });
    const v1 = policySourceFile(POLICY_TO("flow-logs-a", ""));
    const v2 = policySourceFile(POLICY_TO("flow-logs-b", `replaceOutdated: ${replace}`));
    await invokeFunction(FUNCTION, event, { env: { ...GUARD, POLICY_SOURCE: v1 } });
    const [original] = await flowLogsOn(client, vpcId);

    const result = await invokeFunction(FUNCTION, event, { env: { ...GUARD, POLICY_SOURCE: v2 } });

    expect(result.exitCode, result.stderr).toBe(0);
    const destinations = (await flowLogsOn(client, vpcId)).map((log) => log.LogDestination).sort();
    expect(destinations).toEqual(remaining);
    const [outcome] = outcomesOf(result.output);
    expect(outcome?.outcome).toBe("created");
    if (replace)
      expect(result.output).toMatchObject({ outcomes: [{ replacedFlowLogIds: [original?.FlowLogId] }] });
  });

  it("replaceOutdated never deletes a flow log the enforcer did not create", async () => {
    const client = ec2();
    const vpcId = await createVpc(client);
    await createS3FlowLog(client, vpcId, "flow-logs-a");

    await invokeFunction(FUNCTION, sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }), {
      env: { ...GUARD, POLICY_SOURCE: policySourceFile(POLICY_TO("flow-logs-b", "replaceOutdated: true")) },
    });

    const destinations = (await flowLogsOn(client, vpcId)).map((log) => log.LogDestination).sort();
    expect(destinations).toEqual(["arn:aws:s3:::flow-logs-a", "arn:aws:s3:::flow-logs-b"]);
  });
});
