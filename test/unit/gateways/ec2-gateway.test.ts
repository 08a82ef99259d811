import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  type CreateFlowLogsCommandOutput,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  type DescribeFlowLogsCommandOutput,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandOutput,
  DescribeTransitGatewaysCommand,
  DescribeVpcsCommand,
  type DescribeVpcsCommandOutput,
  EC2Client,
  EC2ServiceException,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { FlowLogSettings } from "../../../src/domain/flow-logs.js";
import type { CreateFlowLogsRequest } from "../../../src/engine/ports.js";
import {
  createFlowLogsBatched,
  deleteFlowLogsBatched,
  describeFlowLogs,
  describeResources,
  listResources,
  toCreateFlowLogsInput,
} from "../../../src/gateways/ec2-gateway.js";
import { SUBNET_A1, SUBNET_B1, TGW, VPC_A, VPC_B } from "../support/builders.js";
import { readJsonFixture } from "../support/fixtures.js";

const ec2Mock = mockClient(EC2Client);

afterEach(() => {
  ec2Mock.reset();
});

function client(): EC2Client {
  return new EC2Client({ region: "us-east-1" });
}

/** An error shaped like the ones the SDK deserializes from an EC2 error response. */
function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
}

function idsOf(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index.toString(16).padStart(17, "0")}`);
}

const S3_SETTINGS: FlowLogSettings = {
  resourceType: "VPC",
  destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs/111111111111/" },
  trafficType: "ALL",
  maxAggregationInterval: 600,
  tags: { ManagedBy: "vpc-flow-log-enforcer" },
};

function createRequest(
  resourceIds: readonly string[],
  settings: FlowLogSettings = S3_SETTINGS,
): CreateFlowLogsRequest {
  return { settings, resourceIds, clientTokenFor: (ids) => `token:${ids.join(",")}` };
}

/** CreateFlowLogs as AWS answers it when every resource succeeds: one flow log ID per resource, in order. */
function createdFor(input: CreateFlowLogsCommandInput): CreateFlowLogsCommandOutput {
  return { $metadata: {}, FlowLogIds: (input.ResourceIds ?? []).map((id) => `fl-for-${id}`) };
}

/**
 * Answers each call with the page its NextToken asks for, as EC2 does, so a paginator that does not pass the
 * token back gets the first page again and fails. (The SDK's paginators reuse one input object, so the
 * recorded inputs of a paginated run all show the last token: assert on the pages returned instead.)
 */
function pagesByToken<T extends object>(pages: readonly T[]): (input: { NextToken?: string }) => T {
  return (input) => {
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken.replace(/^page-/, "")) - 1;
    const page = pages[index];
    if (page === undefined || (index === 0 && input.NextToken !== undefined))
      throw new Error(`unexpected NextToken ${input.NextToken}`);
    return index + 1 < pages.length ? { ...page, NextToken: `page-${index + 2}` } : page;
  };
}

describe("describeFlowLogs", () => {
  it("maps every field DescribeFlowLogs returns and skips entries without an ID", async () => {
    // Prepare
    ec2Mock
      .on(DescribeFlowLogsCommand)
      .resolves(readJsonFixture<DescribeFlowLogsCommandOutput>("ec2/describe-flow-logs.json"));

    // Act
    const logs = await describeFlowLogs(client(), [VPC_A, SUBNET_A1, VPC_B]);

    // Assess
    expect(logs).toEqual([
      {
        flowLogId: "fl-0a1b2c3d4e5f60001",
        resourceId: VPC_A,
        status: "ACTIVE",
        deliverLogsStatus: "SUCCESS",
        destinationType: "s3",
        logDestination: "arn:aws:s3:::central-flow-logs/111111111111/",
        trafficType: "ALL",
        logFormat:
          "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id}",
        maxAggregationInterval: 600,
        destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
        tags: { ManagedBy: "vpc-flow-log-enforcer" },
      },
      {
        flowLogId: "fl-0a1b2c3d4e5f60002",
        resourceId: SUBNET_A1,
        status: "ACTIVE",
        deliverLogsStatus: "FAILED",
        deliverLogsErrorMessage: "Access error",
        destinationType: "cloud-watch-logs",
        logDestination: `arn:aws:logs:us-east-1:111111111111:log-group:/vpc-flow-logs/${SUBNET_A1}`,
        logGroupName: `/vpc-flow-logs/${SUBNET_A1}`,
        trafficType: "REJECT",
        maxAggregationInterval: 60,
      },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeFlowLogsCommand, {
      Filter: [{ Name: "resource-id", Values: [VPC_A, SUBNET_A1, VPC_B] }],
    });
  });

  it("follows NextToken through every page", async () => {
    // Prepare
    ec2Mock
      .on(DescribeFlowLogsCommand)
      .callsFake(
        pagesByToken([
          { FlowLogs: [{ FlowLogId: "fl-1", ResourceId: VPC_A }] },
          { FlowLogs: [{ FlowLogId: "fl-2", ResourceId: VPC_A }] },
          { FlowLogs: [{ FlowLogId: "fl-3", ResourceId: VPC_B }] },
        ]),
      );

    // Act
    const logs = await describeFlowLogs(client(), [VPC_A, VPC_B]);

    // Assess
    expect(logs.map((log) => log.flowLogId)).toEqual(["fl-1", "fl-2", "fl-3"]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 3);
  });

  it("splits the resource-id filter into chunks of 200 values", async () => {
    // Prepare
    const ids = idsOf("vpc", 450);
    ec2Mock.on(DescribeFlowLogsCommand).callsFake((input: { Filter?: Array<{ Values?: string[] }> }) => ({
      FlowLogs: (input.Filter?.[0]?.Values ?? []).map((id) => ({
        FlowLogId: `fl-for-${id}`,
        ResourceId: id,
      })),
    }));

    // Act
    const logs = await describeFlowLogs(client(), ids);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 3);
    for (const values of [ids.slice(0, 200), ids.slice(200, 400), ids.slice(400)])
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeFlowLogsCommand, {
        Filter: [{ Name: "resource-id", Values: values }],
      });
    expect(logs.map((log) => log.resourceId)).toEqual(ids);
  });

  it("reads every flow log of the account-region without a resource filter for 'all'", async () => {
    // Prepare
    ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [{ FlowLogId: "fl-1", ResourceId: VPC_A }] });

    // Act
    const logs = await describeFlowLogs(client(), "all");

    // Assess
    expect(logs).toHaveLength(1);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeFlowLogsCommand, { Filter: [] });
  });

  it("makes no call for an empty list of IDs", async () => {
    // Prepare
    ec2Mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [{ FlowLogId: "fl-1", ResourceId: VPC_A }] });

    // Act
    const logs = await describeFlowLogs(client(), []);

    // Assess
    expect(logs).toEqual([]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 0);
  });
});

describe("describeFlowLogs: delivery error without status", () => {
  it("keeps DeliverLogsErrorMessage when DeliverLogsStatus is absent, and reads the enforcer's mark", async () => {
    // Prepare: the shape of a recorded DescribeFlowLogs answer, with the message and no status.
    ec2Mock
      .on(DescribeFlowLogsCommand)
      .resolves(
        readJsonFixture<DescribeFlowLogsCommandOutput>("ec2/describe-flow-logs-error-without-status.json"),
      );

    // Act
    const [log] = await describeFlowLogs(client(), [VPC_A]);

    // Assess
    expect(log).toMatchObject({ flowLogId: "fl-0a1b2c3d4e5f60003", deliverLogsErrorMessage: "Access error" });
    expect(log).not.toHaveProperty("deliverLogsStatus");
    expect(log?.tags).toEqual({ "vpc-flow-log-enforcer:created-by": "vpc-flow-log-enforcer" });
  });
});

describe("describeResources (shared VPCs: real DescribeVpcs and DescribeSubnets shapes with OwnerId)", () => {
  it("reads VPCs and subnets by ID, one filtered call per type, with owner, VPC and tags", async () => {
    // Prepare: a participant account (111111111111) sees its own VPC and one shared by 999999999999.
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolves(readJsonFixture<DescribeVpcsCommandOutput>("ec2/describe-vpcs-shared.json"));
    ec2Mock
      .on(DescribeSubnetsCommand)
      .resolves(readJsonFixture<DescribeSubnetsCommandOutput>("ec2/describe-subnets-shared.json"));

    // Act
    const resources = await describeResources(client(), [VPC_A, SUBNET_A1, VPC_B, SUBNET_B1]);

    // Assess
    expect(resources).toEqual([
      { type: "VPC", id: VPC_A, tags: { Name: "workloads" }, ownerId: "111111111111" },
      { type: "VPC", id: VPC_B, tags: { Name: "network-hub-shared" }, ownerId: "999999999999" },
      { type: "Subnet", id: SUBNET_A1, vpcId: VPC_A, tags: { Name: "private-a" }, ownerId: "111111111111" },
      {
        type: "Subnet",
        id: SUBNET_B1,
        vpcId: VPC_B,
        tags: { Name: "hub-shared-b" },
        ownerId: "999999999999",
      },
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVpcsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [{ Name: "vpc-id", Values: [VPC_A, VPC_B] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "subnet-id", Values: [SUBNET_A1, SUBNET_B1] }],
    });
  });

  it("leaves out an ID EC2 does not show (deleted, or not visible yet) instead of failing the call", async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });

    // Act
    const resources = await describeResources(client(), [VPC_A]);

    // Assess
    expect(resources).toEqual([]);
  });

  it("splits more than 200 IDs of one type into filters of at most 200 values", async () => {
    // Prepare
    const ids = idsOf("vpc", 450);
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });

    // Act
    await describeResources(client(), ids);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVpcsCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVpcsCommand, 3, {
      Filters: [{ Name: "vpc-id", Values: ids.slice(400) }],
    });
  });
});

describe("listResources", () => {
  it("lists VPCs and subnets across pages with their tags, owners and VPC IDs", async () => {
    // Prepare
    ec2Mock
      .on(DescribeVpcsCommand)
      .callsFake(
        pagesByToken([
          { Vpcs: [{ VpcId: VPC_A, OwnerId: "111111111111", Tags: [{ Key: "env", Value: "prod" }] }] },
          { Vpcs: [{ VpcId: VPC_B, OwnerId: "999999999999" }] },
        ]),
      );
    ec2Mock
      .on(DescribeSubnetsCommand)
      .callsFake(
        pagesByToken([
          { Subnets: [{ SubnetId: SUBNET_A1, VpcId: VPC_A }] },
          { Subnets: [{ SubnetId: SUBNET_B1, VpcId: VPC_B, Tags: [{ Key: "Name", Value: "b1" }] }] },
        ]),
      );

    // Act
    const resources = await listResources(client(), ["VPC", "Subnet"]);

    // Assess
    expect(resources).toEqual([
      { type: "VPC", id: VPC_A, tags: { env: "prod" }, ownerId: "111111111111" },
      { type: "VPC", id: VPC_B, tags: {}, ownerId: "999999999999" },
      { type: "Subnet", id: SUBNET_A1, vpcId: VPC_A, tags: {} },
      { type: "Subnet", id: SUBNET_B1, vpcId: VPC_B, tags: { Name: "b1" } },
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVpcsCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 2);
  });

  it("lists only the subnets of the given VPCs, and no transit gateways, with a vpc-id filter", async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET_A1, VpcId: VPC_A }] });
    ec2Mock.on(DescribeTransitGatewaysCommand).resolves({ TransitGateways: [{ TransitGatewayId: TGW }] });

    // Act
    const resources = await listResources(client(), ["Subnet", "TransitGateway"], { vpcIds: [VPC_A] });

    // Assess
    expect(resources).toEqual([{ type: "Subnet", id: SUBNET_A1, vpcId: VPC_A, tags: {} }]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "vpc-id", Values: [VPC_A] }],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeTransitGatewaysCommand, 0);
  });

  it("leaves out transit gateways that are being deleted", async () => {
    // Prepare
    ec2Mock.on(DescribeTransitGatewaysCommand).resolves({
      TransitGateways: [
        { TransitGatewayId: TGW, State: "available" },
        { TransitGatewayId: "tgw-0b1b2c3d4e5f60711", State: "deleting" },
      ],
    });

    // Act
    const resources = await listResources(client(), ["TransitGateway"]);

    // Assess
    expect(resources.map((resource) => resource.id)).toEqual([TGW]);
  });

  it("lists only the default VPC and its default subnets with is-default and default-for-az filters", async () => {
    // Prepare: DescribeVpcs / DescribeSubnets as EC2 answers them for an account-region's default VPC.
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolves(readJsonFixture<DescribeVpcsCommandOutput>("ec2/describe-vpcs-default.json"));
    ec2Mock
      .on(DescribeSubnetsCommand)
      .resolves(readJsonFixture<DescribeSubnetsCommandOutput>("ec2/describe-subnets-default.json"));

    // Act
    const resources = await listResources(client(), ["VPC", "Subnet", "TransitGateway"], {
      defaultOnly: true,
    });

    // Assess
    const owner = { tags: {}, ownerId: "123456789012" };
    expect(resources).toEqual([
      { type: "VPC", id: "vpc-0f1e2d3c4b5a69788", ...owner },
      { type: "Subnet", id: "subnet-0d9c8b7a6f5e4d3c2", vpcId: "vpc-0f1e2d3c4b5a69788", ...owner },
      { type: "Subnet", id: "subnet-0e1f2a3b4c5d6e7f8", vpcId: "vpc-0f1e2d3c4b5a69788", ...owner },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [{ Name: "is-default", Values: ["true"] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "default-for-az", Values: ["true"] }],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeTransitGatewaysCommand);
  });
});

describe("deleteFlowLogsBatched", () => {
  it("deletes 2500 flow logs in calls of 1000, 1000 and 500 (the API's limit)", async () => {
    // Prepare
    const ids = idsOf("fl", 2500);
    ec2Mock.on(DeleteFlowLogsCommand).resolves({ Unsuccessful: [] });

    // Act
    const results = await deleteFlowLogsBatched(client(), ids);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteFlowLogsCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DeleteFlowLogsCommand, 3, { FlowLogIds: ids.slice(2000) });
    expect(results.every((result) => result.status === "deleted")).toBe(true);
  });

  it("reports per-ID failures from Unsuccessful, counting a flow log that is gone already as deleted", async () => {
    // Prepare
    ec2Mock.on(DeleteFlowLogsCommand).resolves({
      Unsuccessful: [
        { ResourceId: "fl-gone", Error: { Code: "InvalidFlowLogId.NotFound", Message: "not found" } },
        { ResourceId: "fl-denied", Error: { Code: "UnauthorizedOperation", Message: "not authorized" } },
      ],
    });

    // Act
    const results = await deleteFlowLogsBatched(client(), ["fl-ok", "fl-gone", "fl-denied"]);

    // Assess
    expect(results).toEqual([
      { flowLogId: "fl-ok", status: "deleted" },
      { flowLogId: "fl-gone", status: "deleted" },
      { flowLogId: "fl-denied", status: "failed", reason: "UnauthorizedOperation: not authorized" },
    ]);
  });

  it("handles moto's whole-call InvalidFlowLogId.NotFound: deletes again only the IDs still described", async () => {
    // Prepare: moto deleted the IDs that existed before failing the call; one it could not reach remains.
    ec2Mock
      .on(DeleteFlowLogsCommand)
      .rejectsOnce(
        ec2Error("InvalidFlowLogId.NotFound", "These flow log ids in the input list are not found: fl-gone"),
      )
      .resolves({ Unsuccessful: [] });
    ec2Mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [{ FlowLogId: "fl-left", ResourceId: VPC_A, FlowLogStatus: "ACTIVE" }],
    });

    // Act
    const results = await deleteFlowLogsBatched(client(), ["fl-ok", "fl-gone", "fl-left"]);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeFlowLogsCommand, {
      Filter: [{ Name: "flow-log-id", Values: ["fl-ok", "fl-gone", "fl-left"] }],
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DeleteFlowLogsCommand, 2, { FlowLogIds: ["fl-left"] });
    expect(results.map((result) => result.status)).toEqual(["deleted", "deleted", "deleted"]);
  });

  it("fails every ID of a call that fails for another reason, with that reason", async () => {
    // Prepare
    ec2Mock.on(DeleteFlowLogsCommand).rejects(ec2Error("UnauthorizedOperation", "You are not authorized"));

    // Act
    const results = await deleteFlowLogsBatched(client(), ["fl-a", "fl-b"]);

    // Assess
    expect(results).toEqual([
      { flowLogId: "fl-a", status: "failed", reason: "UnauthorizedOperation: You are not authorized" },
      { flowLogId: "fl-b", status: "failed", reason: "UnauthorizedOperation: You are not authorized" },
    ]);
  });
});

describe("createFlowLogsBatched", () => {
  it("creates 2500 VPC flow logs in calls of 1000, 1000 and 500", async () => {
    // Prepare
    const ids = idsOf("vpc", 2500);
    ec2Mock.on(CreateFlowLogsCommand).callsFake(createdFor);

    // Act
    const results = await createFlowLogsBatched(client(), createRequest(ids));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(CreateFlowLogsCommand, 1, {
      ResourceIds: ids.slice(0, 1000),
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(CreateFlowLogsCommand, 2, {
      ResourceIds: ids.slice(1000, 2000),
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(CreateFlowLogsCommand, 3, { ResourceIds: ids.slice(2000) });
    expect(results.filter((result) => result.status === "created")).toHaveLength(2500);
  });

  it("creates 60 transit gateway flow logs in calls of 25, 25 and 10", async () => {
    // Prepare
    const ids = idsOf("tgw", 60);
    ec2Mock.on(CreateFlowLogsCommand).callsFake(createdFor);
    const settings: FlowLogSettings = {
      ...S3_SETTINGS,
      resourceType: "TransitGateway",
      maxAggregationInterval: 60,
    };

    // Act
    const results = await createFlowLogsBatched(client(), createRequest(ids, settings));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(CreateFlowLogsCommand, 1, {
      ResourceIds: ids.slice(0, 25),
      ResourceType: "TransitGateway",
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(CreateFlowLogsCommand, 2, {
      ResourceIds: ids.slice(25, 50),
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(CreateFlowLogsCommand, 3, { ResourceIds: ids.slice(50) });
    expect(results).toHaveLength(60);
  });

  it("reports Unsuccessful entries per resource and gives the flow log IDs to the resources that succeeded", async () => {
    // Prepare
    const [ok1, denied, exists, gone, ok2] = idsOf("vpc", 5) as [string, string, string, string, string];
    ec2Mock.on(CreateFlowLogsCommand).resolves({
      FlowLogIds: ["fl-first", "fl-second"],
      Unsuccessful: [
        {
          ResourceId: denied,
          Error: {
            Code: "400",
            Message:
              "Access Denied for LogDestination: central-flow-logs. Please check LogDestination permission",
          },
        },
        { ResourceId: exists, Error: { Code: "400", Message: "FlowLog already exists for this resource" } },
        { ResourceId: gone, Error: { Code: "400", Message: `The vpc ID '${gone}' does not exist` } },
      ],
    });

    // Act
    const results = await createFlowLogsBatched(client(), createRequest([ok1, denied, exists, gone, ok2]));

    // Assess
    expect(results).toEqual([
      { resourceId: ok1, status: "created", flowLogId: "fl-first" },
      {
        resourceId: denied,
        status: "failed",
        reason:
          "400: Access Denied for LogDestination: central-flow-logs. Please check LogDestination permission",
      },
      { resourceId: exists, status: "already-exists" },
      { resourceId: gone, status: "not-found", reason: `400: The vpc ID '${gone}' does not exist` },
      { resourceId: ok2, status: "created", flowLogId: "fl-second" },
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 1);
  });

  it.each([
    [
      "FlowLogAlreadyExists",
      "Error. There is an existing Flow Log with the same configuration and log destination.",
      { status: "already-exists" },
    ],
    [
      "InvalidVpcID.NotFound",
      "VpcID {'vpc-00000000000000000002'} does not exist.",
      {
        status: "not-found",
        reason: "InvalidVpcID.NotFound: VpcID {'vpc-00000000000000000002'} does not exist.",
      },
    ],
  ])(
    "splits a 4-ID call that fails as a whole with %s and still creates the other three",
    async (code, message, bad) => {
      // Prepare
      const ids = idsOf("vpc", 4);
      const badId = ids[2];
      ec2Mock.on(CreateFlowLogsCommand).callsFake((input: CreateFlowLogsCommandInput) => {
        if (badId !== undefined && input.ResourceIds?.includes(badId)) throw ec2Error(code, message);
        return createdFor(input);
      });

      // Act
      const results = await createFlowLogsBatched(client(), createRequest(ids));

      // Assess
      expect(results).toEqual([
        { resourceId: ids[0], status: "created", flowLogId: `fl-for-${ids[0]}` },
        { resourceId: ids[1], status: "created", flowLogId: `fl-for-${ids[1]}` },
        { resourceId: badId, ...bad },
        { resourceId: ids[3], status: "created", flowLogId: `fl-for-${ids[3]}` },
      ]);
      expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 5);
    },
  );

  it("gives each sub-batch of a split its own ClientToken", async () => {
    // Prepare
    const ids = idsOf("vpc", 4);
    const badId = ids[0];
    ec2Mock.on(CreateFlowLogsCommand).callsFake((input: CreateFlowLogsCommandInput) => {
      if (badId !== undefined && input.ResourceIds?.includes(badId))
        throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${badId}' does not exist`);
      return createdFor(input);
    });

    // Act
    await createFlowLogsBatched(client(), createRequest(ids));

    // Assess
    for (const batch of [ids, ids.slice(0, 2), ids.slice(2), ids.slice(0, 1), ids.slice(1, 2)])
      expect(ec2Mock).toHaveReceivedCommandWith(CreateFlowLogsCommand, {
        ResourceIds: batch,
        ClientToken: `token:${batch.join(",")}`,
      });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 5);
  });

  it("fails every ID of a call rejected for another reason, without splitting it", async () => {
    // Prepare
    const ids = idsOf("vpc", 4);
    ec2Mock
      .on(CreateFlowLogsCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

    // Act
    const results = await createFlowLogsBatched(client(), createRequest(ids));

    // Assess
    expect(results).toEqual(
      ids.map((resourceId) => ({
        resourceId,
        status: "failed",
        reason: "UnauthorizedOperation: You are not authorized to perform this operation.",
      })),
    );
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 1);
  });

  it("keeps creating later chunks after one chunk fails", async () => {
    // Prepare
    const ids = idsOf("vpc", 1001);
    ec2Mock
      .on(CreateFlowLogsCommand)
      .rejectsOnce(ec2Error("RequestLimitExceeded", "Request limit exceeded."))
      .callsFake(createdFor);

    // Act
    const results = await createFlowLogsBatched(client(), createRequest(ids));

    // Assess
    expect(results.filter((result) => result.status === "failed")).toHaveLength(1000);
    expect(results.at(-1)).toEqual({
      resourceId: ids[1000],
      status: "created",
      flowLogId: `fl-for-${ids[1000]}`,
    });
  });

  it("sends every setting of an S3 destination with a prefix, options and tags", async () => {
    // Prepare
    ec2Mock.on(CreateFlowLogsCommand).callsFake(createdFor);
    const settings: FlowLogSettings = {
      ...S3_SETTINGS,
      logFormat: "${version} ${vpc-id} ${subnet-id}",
      destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: false },
    };

    // Act
    await createFlowLogsBatched(client(), createRequest([VPC_A], settings));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(CreateFlowLogsCommand, {
      ResourceIds: [VPC_A],
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "s3",
      LogDestination: "arn:aws:s3:::central-flow-logs/111111111111/",
      LogFormat: "${version} ${vpc-id} ${subnet-id}",
      MaxAggregationInterval: 600,
      DestinationOptions: { FileFormat: "parquet", HiveCompatiblePartitions: true, PerHourPartition: false },
      TagSpecifications: [
        { ResourceType: "vpc-flow-log", Tags: [{ Key: "ManagedBy", Value: "vpc-flow-log-enforcer" }] },
      ],
      ClientToken: `token:${VPC_A}`,
    });
  });
});

describe("toCreateFlowLogsInput", () => {
  it("maps a CloudWatch Logs destination by name with its delivery role", () => {
    // Prepare
    const settings: FlowLogSettings = {
      resourceType: "Subnet",
      destination: {
        type: "cloud-watch-logs",
        logGroupName: `/vpc-flow-logs/${SUBNET_A1}`,
        deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-delivery",
      },
      trafficType: "REJECT",
      maxAggregationInterval: 60,
      tags: {},
    };

    // Act
    const input = toCreateFlowLogsInput(settings, [SUBNET_A1], "token-1");

    // Assess
    expect(input).toEqual({
      ResourceIds: [SUBNET_A1],
      ResourceType: "Subnet",
      TrafficType: "REJECT",
      LogDestinationType: "cloud-watch-logs",
      LogGroupName: `/vpc-flow-logs/${SUBNET_A1}`,
      DeliverLogsPermissionArn: "arn:aws:iam::111111111111:role/flow-logs-delivery",
      MaxAggregationInterval: 60,
      ClientToken: "token-1",
    });
  });

  it("maps a Firehose destination with a cross-account delivery role and tags", () => {
    // Prepare
    const settings: FlowLogSettings = {
      resourceType: "VPC",
      destination: {
        type: "kinesis-data-firehose",
        arn: "arn:aws:firehose:us-east-1:999999999999:deliverystream/flow-logs",
        deliverCrossAccountRole: "arn:aws:iam::111111111111:role/cross-account-delivery",
      },
      trafficType: "ALL",
      maxAggregationInterval: 600,
      tags: { ManagedBy: "vpc-flow-log-enforcer", Source: "111111111111" },
    };

    // Act
    const input = toCreateFlowLogsInput(settings, [VPC_A, VPC_B], "token-2");

    // Assess
    expect(input).toEqual({
      ResourceIds: [VPC_A, VPC_B],
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "kinesis-data-firehose",
      LogDestination: "arn:aws:firehose:us-east-1:999999999999:deliverystream/flow-logs",
      DeliverCrossAccountRole: "arn:aws:iam::111111111111:role/cross-account-delivery",
      MaxAggregationInterval: 600,
      TagSpecifications: [
        {
          ResourceType: "vpc-flow-log",
          Tags: [
            { Key: "ManagedBy", Value: "vpc-flow-log-enforcer" },
            { Key: "Source", Value: "111111111111" },
          ],
        },
      ],
      ClientToken: "token-2",
    });
  });

  it("maps a CloudWatch Logs destination given by ARN to LogDestination", () => {
    // Prepare
    const arn = "arn:aws:logs:us-east-1:111111111111:log-group:/vpc-flow-logs/central";
    const settings: FlowLogSettings = {
      ...S3_SETTINGS,
      destination: {
        type: "cloud-watch-logs",
        arn,
        deliverLogsPermissionArn: "arn:aws:iam::111111111111:role/d",
      },
    };

    // Act
    const input = toCreateFlowLogsInput(settings, [VPC_A], "token-3");

    // Assess
    expect(input).toMatchObject({ LogDestinationType: "cloud-watch-logs", LogDestination: arn });
    expect(input).not.toHaveProperty("LogGroupName");
  });
});
