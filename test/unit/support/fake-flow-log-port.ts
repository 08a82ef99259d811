// An in-memory EC2 for the engine: it holds resources, tags and flow logs, and records every call made to it.
import type { ExistingFlowLog, FlowLogSettings } from "../../../src/domain/flow-logs.js";
import type { ResourceRef, ResourceType, Tags, VpcId } from "../../../src/domain/resources.js";
import type { CreateFlowLogsRequest, CreationResult, FlowLogPort } from "../../../src/engine/ports.js";

export type PortCall =
  | { readonly method: "describeFlowLogs"; readonly resourceIds: readonly string[] | "all" }
  | { readonly method: "describeTags"; readonly resourceIds: readonly string[] }
  | { readonly method: "describeSubnetVpcs"; readonly subnetIds: readonly string[] }
  | {
      readonly method: "listResources";
      readonly types: readonly ResourceType[];
      readonly vpcIds?: readonly VpcId[] | undefined;
      readonly defaultOnly?: boolean | undefined;
    }
  | {
      readonly method: "createFlowLogs";
      readonly settings: FlowLogSettings;
      readonly resourceIds: readonly string[];
      readonly clientToken: string;
    };

type Failure = Exclude<CreationResult, { status: "created" }>;

export class FakeFlowLogPort implements FlowLogPort {
  readonly calls: PortCall[] = [];
  readonly resources: ResourceRef[] = [];
  readonly flowLogs: ExistingFlowLog[] = [];
  /** Current tags, as DescribeTags would report them. */
  readonly tags = new Map<string, Tags>();
  /** Results to return instead of creating a flow log for these resource IDs. */
  readonly failures = new Map<string, Failure>();
  /** IDs of the default VPC and default subnets (DescribeVpcs is-default, DescribeSubnets default-for-az). */
  readonly defaults = new Set<string>();
  private nextFlowLog = 1;

  callsOf<M extends PortCall["method"]>(method: M): Array<Extract<PortCall, { method: M }>> {
    return this.calls.filter((call): call is Extract<PortCall, { method: M }> => call.method === method);
  }

  async describeFlowLogs(resourceIds: readonly string[] | "all"): Promise<ExistingFlowLog[]> {
    this.calls.push({ method: "describeFlowLogs", resourceIds });
    return this.flowLogs.filter((log) => resourceIds === "all" || resourceIds.includes(log.resourceId));
  }

  async describeTags(resourceIds: readonly string[]): Promise<Map<string, Tags>> {
    this.calls.push({ method: "describeTags", resourceIds });
    return new Map(resourceIds.map((id) => [id, this.tags.get(id) ?? {}]));
  }

  async describeSubnetVpcs(subnetIds: readonly string[]): Promise<Map<string, VpcId>> {
    this.calls.push({ method: "describeSubnetVpcs", subnetIds });
    const vpcs = new Map<string, VpcId>();
    for (const resource of this.resources)
      if (subnetIds.includes(resource.id) && resource.vpcId !== undefined)
        vpcs.set(resource.id, resource.vpcId);
    return vpcs;
  }

  async listResources(
    types: readonly ResourceType[],
    filter?: { readonly vpcIds?: readonly VpcId[]; readonly defaultOnly?: boolean },
  ): Promise<ResourceRef[]> {
    this.calls.push({
      method: "listResources",
      types,
      vpcIds: filter?.vpcIds,
      defaultOnly: filter?.defaultOnly,
    });
    // Like EC2's vpc-id filter: a VPC is in itself; subnets and interfaces are in their VPC.
    const vpcIds = filter?.vpcIds;
    return this.resources
      .filter((resource) => types.includes(resource.type))
      .filter((resource) => filter?.defaultOnly !== true || this.defaults.has(resource.id))
      .filter(
        (resource) => vpcIds === undefined || vpcIds.some((id) => id === (resource.vpcId ?? resource.id)),
      )
      .map((resource) => ({ ...resource, tags: this.tags.get(resource.id) ?? {} }));
  }

  async createFlowLogs(request: CreateFlowLogsRequest): Promise<CreationResult[]> {
    this.calls.push({
      method: "createFlowLogs",
      settings: request.settings,
      resourceIds: request.resourceIds,
      clientToken: request.clientTokenFor(request.resourceIds),
    });
    return request.resourceIds.map((resourceId): CreationResult => {
      const failure = this.failures.get(resourceId);
      if (failure) return failure;
      const flowLogId = `fl-${String(this.nextFlowLog++).padStart(17, "0")}`;
      this.flowLogs.push({
        flowLogId,
        resourceId,
        status: "ACTIVE",
        destinationType: request.settings.destination.type,
        ...(request.settings.destination.arn ? { logDestination: request.settings.destination.arn } : {}),
        trafficType: request.settings.trafficType,
      });
      return { resourceId, status: "created", flowLogId };
    });
  }
}
