// EC2 access for one account-region: batched reads and creates behind the engine's FlowLogPort.
import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  type EC2Client,
  EC2ServiceException,
  type FlowLog,
  paginateDescribeFlowLogs,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSubnets,
  paginateDescribeTags,
  paginateDescribeTransitGatewayAttachments,
  paginateDescribeTransitGateways,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import { chunk } from "../batching.js";
import type { ExistingFlowLog, FlowLogSettings } from "../domain/flow-logs.js";
import {
  isTransitGatewayType,
  isVpcId,
  type ResourceRef,
  type ResourceType,
  type Tags,
  toTags,
  type VpcId,
} from "../domain/resources.js";
import type { CreateFlowLogsRequest, CreationResult, FlowLogPort } from "../engine/ports.js";
import { errorSummary } from "../errors.js";

/** CreateFlowLogs accepts up to 1000 resource IDs per call, 25 for transit gateway types. */
export const MAX_IDS_PER_CREATE = 1000;
export const MAX_TGW_IDS_PER_CREATE = 25;
/** EC2 accepts up to 200 values in one filter; more values mean another call. */
export const MAX_FILTER_VALUES = 200;
const PAGE_SIZE = 1000;

export function createEc2Gateway(ec2: EC2Client): FlowLogPort {
  return {
    describeFlowLogs: (ids) => describeFlowLogs(ec2, ids),
    describeTags: (ids) => describeTags(ec2, ids),
    describeSubnetVpcs: (ids) => describeSubnetVpcs(ec2, ids),
    listResources: (types, filter) => listResources(ec2, types, filter?.vpcIds, filter?.defaultOnly),
    createFlowLogs: (request) => createFlowLogsBatched(ec2, request),
  };
}

export async function describeFlowLogs(
  ec2: EC2Client,
  resourceIds: readonly string[] | "all",
): Promise<ExistingFlowLog[]> {
  const filterSets =
    resourceIds === "all"
      ? [[]]
      : chunk(resourceIds, MAX_FILTER_VALUES).map((ids) => [{ Name: "resource-id", Values: ids }]);
  if (resourceIds !== "all" && resourceIds.length === 0) return [];
  const pages = await Promise.all(
    filterSets.map(async (Filter) => {
      const logs: ExistingFlowLog[] = [];
      for await (const page of paginateDescribeFlowLogs({ client: ec2 }, { Filter, MaxResults: PAGE_SIZE })) {
        for (const log of page.FlowLogs ?? []) {
          const parsed = toExistingFlowLog(log);
          if (parsed) logs.push(parsed);
        }
      }
      return logs;
    }),
  );
  return pages.flat();
}

function toExistingFlowLog(log: FlowLog): ExistingFlowLog | undefined {
  if (log.FlowLogId === undefined || log.ResourceId === undefined) return undefined;
  const options = log.DestinationOptions;
  return {
    flowLogId: log.FlowLogId,
    resourceId: log.ResourceId,
    status: log.FlowLogStatus ?? "UNKNOWN",
    destinationType: log.LogDestinationType ?? "cloud-watch-logs",
    ...optional("deliverLogsStatus", log.DeliverLogsStatus),
    ...optional("deliverLogsErrorMessage", log.DeliverLogsErrorMessage),
    ...optional("logDestination", log.LogDestination),
    ...optional("logGroupName", log.LogGroupName),
    ...optional("trafficType", log.TrafficType),
    ...optional("logFormat", log.LogFormat),
    ...optional("maxAggregationInterval", log.MaxAggregationInterval),
    ...(options === undefined
      ? {}
      : {
          destinationOptions: {
            ...optional("fileFormat", options.FileFormat),
            ...optional("hiveCompatiblePartitions", options.HiveCompatiblePartitions),
            ...optional("perHourPartition", options.PerHourPartition),
          },
        }),
  };
}

export async function describeTags(
  ec2: EC2Client,
  resourceIds: readonly string[],
): Promise<Map<string, Tags>> {
  const tags = new Map<string, Record<string, string>>(resourceIds.map((id) => [id, {}]));
  await Promise.all(
    chunk(resourceIds, MAX_FILTER_VALUES).map(async (ids) => {
      const input = { Filters: [{ Name: "resource-id", Values: ids }], MaxResults: PAGE_SIZE };
      for await (const page of paginateDescribeTags({ client: ec2 }, input)) {
        for (const tag of page.Tags ?? []) {
          if (tag.ResourceId === undefined || tag.Key === undefined) continue;
          const own = tags.get(tag.ResourceId) ?? {};
          own[tag.Key] = tag.Value ?? "";
          tags.set(tag.ResourceId, own);
        }
      }
    }),
  );
  return tags;
}

/** Uses a filter rather than SubnetIds so a deleted subnet is simply absent instead of failing the call. */
export async function describeSubnetVpcs(
  ec2: EC2Client,
  subnetIds: readonly string[],
): Promise<Map<string, VpcId>> {
  const vpcs = new Map<string, VpcId>();
  for (const ids of chunk(subnetIds, MAX_FILTER_VALUES)) {
    const input = { Filters: [{ Name: "subnet-id", Values: ids }], MaxResults: PAGE_SIZE };
    for await (const page of paginateDescribeSubnets({ client: ec2 }, input)) {
      for (const subnet of page.Subnets ?? []) {
        if (subnet.SubnetId && subnet.VpcId && isVpcId(subnet.VpcId)) vpcs.set(subnet.SubnetId, subnet.VpcId);
      }
    }
  }
  return vpcs;
}

/**
 * With `vpcIds`, only resources inside those VPCs (VPC, subnet and interface types). With `defaultOnly`, only the
 * default VPC and default subnets (filters is-default and default-for-az; other types have no default).
 */
export async function listResources(
  ec2: EC2Client,
  types: readonly ResourceType[],
  vpcIds?: readonly string[],
  defaultOnly = false,
): Promise<ResourceRef[]> {
  const lists = await Promise.all(
    types.map((type) =>
      defaultOnly ? listDefaults(ec2, type, vpcIds) : listResourcesOfType(ec2, type, vpcIds),
    ),
  );
  return lists.flat();
}

async function listDefaults(
  ec2: EC2Client,
  type: ResourceType,
  vpcIds: readonly string[] | undefined,
): Promise<ResourceRef[]> {
  const client = { client: ec2 };
  const inVpcs = vpcIds === undefined ? [] : [{ Name: "vpc-id", Values: [...vpcIds] }];
  const resources: ResourceRef[] = [];
  if (type === "VPC") {
    const input = { MaxResults: PAGE_SIZE, Filters: [{ Name: "is-default", Values: ["true"] }, ...inVpcs] };
    for await (const page of paginateDescribeVpcs(client, input))
      for (const vpc of page.Vpcs ?? [])
        if (vpc.VpcId !== undefined) resources.push({ type, id: vpc.VpcId, tags: toTags(vpc.Tags) });
  }
  if (type === "Subnet") {
    const input = {
      MaxResults: PAGE_SIZE,
      Filters: [{ Name: "default-for-az", Values: ["true"] }, ...inVpcs],
    };
    for await (const page of paginateDescribeSubnets(client, input))
      for (const subnet of page.Subnets ?? [])
        if (subnet.SubnetId !== undefined && subnet.VpcId !== undefined && isVpcId(subnet.VpcId))
          resources.push({ type, id: subnet.SubnetId, tags: toTags(subnet.Tags), vpcId: subnet.VpcId });
  }
  return resources;
}

const GONE_STATES = new Set(["deleting", "deleted", "failing", "failed", "rejected"]);

async function listResourcesOfType(
  ec2: EC2Client,
  type: ResourceType,
  vpcIds: readonly string[] | undefined,
): Promise<ResourceRef[]> {
  const client = { client: ec2 };
  const inVpcs = vpcIds === undefined ? {} : { Filters: [{ Name: "vpc-id", Values: [...vpcIds] }] };
  const resources: ResourceRef[] = [];
  const add = (id: string | undefined, tags: Tags, vpcId?: string) => {
    if (id === undefined) return;
    resources.push(vpcId !== undefined && isVpcId(vpcId) ? { type, id, tags, vpcId } : { type, id, tags });
  };
  switch (type) {
    case "VPC":
      for await (const page of paginateDescribeVpcs(client, { MaxResults: PAGE_SIZE, ...inVpcs }))
        for (const vpc of page.Vpcs ?? []) add(vpc.VpcId, toTags(vpc.Tags));
      break;
    case "Subnet":
      for await (const page of paginateDescribeSubnets(client, { MaxResults: PAGE_SIZE, ...inVpcs }))
        for (const subnet of page.Subnets ?? []) add(subnet.SubnetId, toTags(subnet.Tags), subnet.VpcId);
      break;
    case "NetworkInterface":
      for await (const page of paginateDescribeNetworkInterfaces(client, {
        MaxResults: PAGE_SIZE,
        ...inVpcs,
      }))
        for (const eni of page.NetworkInterfaces ?? [])
          add(eni.NetworkInterfaceId, toTags(eni.TagSet), eni.VpcId);
      break;
    case "TransitGateway":
      if (vpcIds !== undefined) break;
      for await (const page of paginateDescribeTransitGateways(client, { MaxResults: PAGE_SIZE }))
        for (const tgw of page.TransitGateways ?? [])
          if (!GONE_STATES.has(tgw.State ?? "")) add(tgw.TransitGatewayId, toTags(tgw.Tags));
      break;
    case "TransitGatewayAttachment":
      if (vpcIds !== undefined) break;
      for await (const page of paginateDescribeTransitGatewayAttachments(client, { MaxResults: PAGE_SIZE }))
        for (const attachment of page.TransitGatewayAttachments ?? [])
          if (!GONE_STATES.has(attachment.State ?? ""))
            add(attachment.TransitGatewayAttachmentId, toTags(attachment.Tags));
      break;
  }
  return resources;
}

/**
 * Creates flow logs for every ID, in chunks within the API limit. A call that fails as a whole because of one
 * resource (FlowLogAlreadyExists, *.NotFound — how moto, and some EC2 paths, report them) is split in halves and
 * retried, so one bad resource never loses the others. Any other error fails only that chunk's resources.
 */
export async function createFlowLogsBatched(
  ec2: EC2Client,
  request: CreateFlowLogsRequest,
): Promise<CreationResult[]> {
  const limit = isTransitGatewayType(request.settings.resourceType)
    ? MAX_TGW_IDS_PER_CREATE
    : MAX_IDS_PER_CREATE;
  const results: CreationResult[] = [];
  for (const ids of chunk(request.resourceIds, limit))
    results.push(...(await createChunk(ec2, request, ids)));
  return results;
}

async function createChunk(
  ec2: EC2Client,
  request: CreateFlowLogsRequest,
  ids: readonly string[],
): Promise<CreationResult[]> {
  try {
    const input = toCreateFlowLogsInput(request.settings, ids, request.clientTokenFor(ids));
    const response = await ec2.send(new CreateFlowLogsCommand(input));
    const unsuccessful = new Map((response.Unsuccessful ?? []).map((item) => [item.ResourceId, item.Error]));
    // FlowLogIds come in the order of the successful resources.
    const flowLogIds = [...(response.FlowLogIds ?? [])];
    return ids.map((resourceId): CreationResult => {
      if (unsuccessful.has(resourceId)) {
        const error = unsuccessful.get(resourceId);
        return perResourceResult(resourceId, error?.Code ?? "Unknown", error?.Message ?? "");
      }
      const flowLogId = flowLogIds.shift();
      return flowLogId === undefined
        ? { resourceId, status: "failed", reason: "CreateFlowLogs returned no flow log ID for this resource" }
        : { resourceId, status: "created", flowLogId };
    });
  } catch (error) {
    const code = error instanceof EC2ServiceException ? error.name : undefined;
    if (code !== undefined && isResourceSpecific(code)) {
      if (ids.length === 1)
        return [perResourceResult(ids[0] ?? "", code, error instanceof Error ? error.message : "")];
      const middle = Math.ceil(ids.length / 2);
      const halves = await Promise.all([
        createChunk(ec2, request, ids.slice(0, middle)),
        createChunk(ec2, request, ids.slice(middle)),
      ]);
      return halves.flat();
    }
    const reason = errorSummary(error);
    return ids.map((resourceId) => ({ resourceId, status: "failed", reason }));
  }
}

function isResourceSpecific(code: string): boolean {
  return code === "FlowLogAlreadyExists" || /^Invalid\w*ID\.NotFound$/.test(code);
}

/** Maps a per-resource error, whether from `Unsuccessful` or from a single-resource call, to a domain result. */
function perResourceResult(resourceId: string, code: string, message: string): CreationResult {
  if (code === "FlowLogAlreadyExists" || /already exists/i.test(message))
    return { resourceId, status: "already-exists" };
  if (/\.NotFound$/.test(code) || (message.includes(resourceId) && /does not exist|not found/i.test(message)))
    return { resourceId, status: "not-found", reason: `${code}: ${message}` };
  return { resourceId, status: "failed", reason: `${code}: ${message}` };
}

export function toCreateFlowLogsInput(
  settings: FlowLogSettings,
  resourceIds: readonly string[],
  clientToken: string,
): CreateFlowLogsCommandInput {
  const { destination } = settings;
  const options = settings.destinationOptions;
  const tags = Object.entries(settings.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    ResourceIds: [...resourceIds],
    ResourceType: settings.resourceType,
    TrafficType: settings.trafficType,
    LogDestinationType: destination.type,
    ...optional("LogDestination", destination.arn),
    ...optional("LogGroupName", destination.logGroupName),
    ...optional("DeliverLogsPermissionArn", destination.deliverLogsPermissionArn),
    ...optional("DeliverCrossAccountRole", destination.deliverCrossAccountRole),
    ...optional("LogFormat", settings.logFormat),
    MaxAggregationInterval: settings.maxAggregationInterval,
    ...(options === undefined
      ? {}
      : {
          DestinationOptions: {
            FileFormat: options.fileFormat,
            HiveCompatiblePartitions: options.hiveCompatiblePartitions,
            PerHourPartition: options.perHourPartition,
          },
        }),
    ...(tags.length === 0 ? {} : { TagSpecifications: [{ ResourceType: "vpc-flow-log", Tags: tags }] }),
    ClientToken: clientToken,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
