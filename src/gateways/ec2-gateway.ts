// EC2 access for one account-region: batched reads and creates behind the engine's FlowLogPort.
import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  DeleteFlowLogsCommand,
  type EC2Client,
  EC2ServiceException,
  type Filter,
  type FlowLog,
  paginateDescribeFlowLogs,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSubnets,
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
  resourceTypeOfId,
  type Tags,
  toTags,
} from "../domain/resources.js";
import type { CreateFlowLogsRequest, CreationResult, DeletionResult, FlowLogPort } from "../engine/ports.js";
import { errorSummary } from "../errors.js";

/** CreateFlowLogs accepts up to 1000 resource IDs per call, 25 for transit gateway types. */
export const MAX_IDS_PER_CREATE = 1000;
export const MAX_TGW_IDS_PER_CREATE = 25;
/** DeleteFlowLogs accepts up to 1000 flow log IDs per call. */
export const MAX_IDS_PER_DELETE = 1000;
/** EC2 accepts up to 200 values in one filter; more values mean another call. */
export const MAX_FILTER_VALUES = 200;
const PAGE_SIZE = 1000;

export function createEc2Gateway(ec2: EC2Client): FlowLogPort {
  return {
    describeFlowLogs: (ids) => describeFlowLogs(ec2, ids),
    describeResources: (ids) => describeResources(ec2, ids),
    listResources: (types, filter) => listResources(ec2, types, filter),
    createFlowLogs: (request) => createFlowLogsBatched(ec2, request),
    deleteFlowLogs: (ids) => deleteFlowLogsBatched(ec2, ids),
  };
}

export async function describeFlowLogs(
  ec2: EC2Client,
  resourceIds: readonly string[] | "all",
): Promise<ExistingFlowLog[]> {
  if (resourceIds === "all") return describeFlowLogsWhere(ec2, undefined);
  return describeFlowLogsWhere(ec2, { name: "resource-id", values: resourceIds });
}

/** DescribeFlowLogs, paginated, with one call per ≤ 200 filter values (in parallel); every flow log without one. */
async function describeFlowLogsWhere(
  ec2: EC2Client,
  filter: { readonly name: string; readonly values: readonly string[] } | undefined,
): Promise<ExistingFlowLog[]> {
  if (filter !== undefined && filter.values.length === 0) return [];
  const filterSets: Filter[][] =
    filter === undefined
      ? [[]]
      : chunk(filter.values, MAX_FILTER_VALUES).map((values) => [{ Name: filter.name, Values: values }]);
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
    ...(log.Tags === undefined ? {} : { tags: toTags(log.Tags) }),
  };
}

/** The filter naming one resource type's own ID in its Describe call. */
const ID_FILTER: Readonly<Record<ResourceType, string>> = {
  VPC: "vpc-id",
  Subnet: "subnet-id",
  NetworkInterface: "network-interface-id",
  TransitGateway: "transit-gateway-id",
  TransitGatewayAttachment: "transit-gateway-attachment-id",
};

/**
 * The resources with these IDs, read with each type's Describe call filtered by ID (≤ 200 values per call, the types
 * in parallel): existence, tags, owner and VPC in one answer. Filters rather than VpcIds/SubnetIds so an ID that does
 * not exist (or is not visible yet) is simply absent instead of failing the call for the others.
 */
export async function describeResources(ec2: EC2Client, ids: readonly string[]): Promise<ResourceRef[]> {
  const byType = new Map<ResourceType, string[]>();
  for (const id of new Set(ids)) {
    const type = resourceTypeOfId(id);
    if (type !== undefined) byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  const lists = await Promise.all(
    [...byType].flatMap(([type, typeIds]) =>
      chunk(typeIds, MAX_FILTER_VALUES).map((values) =>
        listResourcesOfType(ec2, type, [{ Name: ID_FILTER[type], Values: values }]),
      ),
    ),
  );
  return lists.flat();
}

/**
 * With `vpcIds`, only resources inside those VPCs (VPC, subnet and interface types). With `defaultOnly`, only the
 * default VPC and default subnets (filters is-default and default-for-az; other types have no default).
 */
export async function listResources(
  ec2: EC2Client,
  types: readonly ResourceType[],
  where?: { readonly vpcIds?: readonly string[]; readonly defaultOnly?: boolean },
): Promise<ResourceRef[]> {
  const inVpcs: Filter | undefined =
    where?.vpcIds === undefined ? undefined : { Name: "vpc-id", Values: [...where.vpcIds] };
  const lists = await Promise.all(
    types
      // Transit gateways and their attachments are not inside a VPC.
      .filter((type) => inVpcs === undefined || !isTransitGatewayType(type))
      .map((type) => {
        const filters = inVpcs === undefined ? [] : [inVpcs];
        if (!where?.defaultOnly) return listResourcesOfType(ec2, type, filters);
        // Only VPCs and subnets have defaults.
        const defaultFilter = DEFAULT_FILTER[type];
        return defaultFilter === undefined ? [] : listResourcesOfType(ec2, type, [defaultFilter, ...filters]);
      }),
  );
  return lists.flat();
}

/** The filter that selects the default resources of a type that has them. */
const DEFAULT_FILTER: Partial<Record<ResourceType, Filter>> = {
  VPC: { Name: "is-default", Values: ["true"] },
  Subnet: { Name: "default-for-az", Values: ["true"] },
};

const GONE_STATES = new Set(["deleting", "deleted", "failing", "failed", "rejected"]);

/** Every resource of one type, paginated, narrowed by the filters (all must match). */
async function listResourcesOfType(
  ec2: EC2Client,
  type: ResourceType,
  filters: readonly Filter[],
): Promise<ResourceRef[]> {
  const client = { client: ec2 };
  const input = { MaxResults: PAGE_SIZE, ...(filters.length === 0 ? {} : { Filters: [...filters] }) };
  const resources: ResourceRef[] = [];
  const add = (id: string | undefined, tags: Tags, ownerId: string | undefined, vpcId?: string) => {
    if (id === undefined) return;
    resources.push({
      type,
      id,
      tags,
      ...(vpcId !== undefined && isVpcId(vpcId) ? { vpcId } : {}),
      ...(ownerId === undefined ? {} : { ownerId }),
    });
  };
  switch (type) {
    case "VPC":
      for await (const page of paginateDescribeVpcs(client, input))
        for (const vpc of page.Vpcs ?? []) add(vpc.VpcId, toTags(vpc.Tags), vpc.OwnerId);
      break;
    case "Subnet":
      for await (const page of paginateDescribeSubnets(client, input))
        for (const subnet of page.Subnets ?? [])
          add(subnet.SubnetId, toTags(subnet.Tags), subnet.OwnerId, subnet.VpcId);
      break;
    case "NetworkInterface":
      for await (const page of paginateDescribeNetworkInterfaces(client, input))
        for (const eni of page.NetworkInterfaces ?? [])
          add(eni.NetworkInterfaceId, toTags(eni.TagSet), eni.OwnerId, eni.VpcId);
      break;
    case "TransitGateway":
      for await (const page of paginateDescribeTransitGateways(client, input))
        for (const tgw of page.TransitGateways ?? [])
          if (!GONE_STATES.has(tgw.State ?? "")) add(tgw.TransitGatewayId, toTags(tgw.Tags), tgw.OwnerId);
      break;
    case "TransitGatewayAttachment":
      // An attachment involves two owners (the transit gateway's and the attached resource's); none is recorded.
      for await (const page of paginateDescribeTransitGatewayAttachments(client, input))
        for (const attachment of page.TransitGatewayAttachments ?? [])
          if (!GONE_STATES.has(attachment.State ?? ""))
            add(attachment.TransitGatewayAttachmentId, toTags(attachment.Tags), undefined);
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

/**
 * Deletes flow logs in chunks within the API limit. Per-ID failures come back in `Unsuccessful`; a flow log that is
 * gone already (InvalidFlowLogId.NotFound) counts as deleted. moto instead fails the whole call with
 * InvalidFlowLogId.NotFound after deleting the IDs that existed: the IDs still described are then deleted again.
 */
export async function deleteFlowLogsBatched(
  ec2: EC2Client,
  flowLogIds: readonly string[],
): Promise<DeletionResult[]> {
  const results: DeletionResult[] = [];
  for (const ids of chunk([...new Set(flowLogIds)], MAX_IDS_PER_DELETE))
    results.push(...(await deleteChunk(ec2, ids, true)));
  return results;
}

async function deleteChunk(
  ec2: EC2Client,
  ids: readonly string[],
  retryRemaining: boolean,
): Promise<DeletionResult[]> {
  try {
    const response = await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [...ids] }));
    const unsuccessful = new Map((response.Unsuccessful ?? []).map((item) => [item.ResourceId, item.Error]));
    return ids.map((flowLogId): DeletionResult => {
      const error = unsuccessful.get(flowLogId);
      if (!unsuccessful.has(flowLogId) || error?.Code === FLOW_LOG_NOT_FOUND)
        return { flowLogId, status: "deleted" };
      return { flowLogId, status: "failed", reason: `${error?.Code ?? "Unknown"}: ${error?.Message ?? ""}` };
    });
  } catch (error) {
    if (retryRemaining && error instanceof EC2ServiceException && error.name === FLOW_LOG_NOT_FOUND) {
      const remaining = new Set(
        (await describeFlowLogsWhere(ec2, { name: "flow-log-id", values: ids })).map((log) => log.flowLogId),
      );
      const retried = remaining.size === 0 ? [] : await deleteChunk(ec2, [...remaining], false);
      const retriedById = new Map(retried.map((result) => [result.flowLogId, result]));
      return ids.map((flowLogId) => retriedById.get(flowLogId) ?? { flowLogId, status: "deleted" });
    }
    const reason = errorSummary(error);
    return ids.map((flowLogId) => ({ flowLogId, status: "failed", reason }));
  }
}

const FLOW_LOG_NOT_FOUND = "InvalidFlowLogId.NotFound";

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
