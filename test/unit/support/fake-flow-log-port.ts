// An in-memory EC2 for the engine: it holds resources, tags and flow logs, and records every call made to it.
import type { ExistingFlowLog, FlowLogSettings } from "../../../src/domain/flow-logs.js";
import type { ResourceRef, ResourceType, Tags, VpcId } from "../../../src/domain/resources.js";
import type {
  Clock,
  CreateFlowLogsRequest,
  CreationResult,
  DeletionResult,
  FlowLogPort,
} from "../../../src/engine/ports.js";

export type PortCall =
  | { readonly method: "describeFlowLogs"; readonly resourceIds: readonly string[] | "all" }
  | { readonly method: "describeResources"; readonly ids: readonly string[] }
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
    }
  | { readonly method: "deleteFlowLogs"; readonly flowLogIds: readonly string[] };

type Failure = Exclude<CreationResult, { status: "created" }>;

export class FakeFlowLogPort implements FlowLogPort {
  readonly calls: PortCall[] = [];
  /** What EC2 shows: describeResources and listResources answer from these. */
  readonly resources: ResourceRef[] = [];
  readonly flowLogs: ExistingFlowLog[] = [];
  /** Current tags, as EC2 reports them with the resources. */
  readonly tags = new Map<string, Tags>();
  /** Results to return instead of creating a flow log for these resource IDs. */
  readonly failures = new Map<string, Failure>();
  /** Reasons DeleteFlowLogs gives for these flow log IDs instead of deleting them. */
  readonly deleteFailures = new Map<string, string>();
  /** Resource IDs EC2 does not show yet, for this many more describeResources calls (eventual consistency). */
  readonly invisibleFor = new Map<string, number>();
  /** IDs of the default VPC and default subnets (DescribeVpcs is-default, DescribeSubnets default-for-az). */
  readonly defaults = new Set<string>();
  private nextFlowLog = 1;

  /** Adds resources that exist; returns the port for chaining. */
  seed(...resources: ResourceRef[]): this {
    this.resources.push(...resources);
    return this;
  }

  callsOf<M extends PortCall["method"]>(method: M): Array<Extract<PortCall, { method: M }>> {
    return this.calls.filter((call): call is Extract<PortCall, { method: M }> => call.method === method);
  }

  async describeFlowLogs(resourceIds: readonly string[] | "all"): Promise<ExistingFlowLog[]> {
    this.calls.push({ method: "describeFlowLogs", resourceIds });
    return this.flowLogs.filter((log) => resourceIds === "all" || resourceIds.includes(log.resourceId));
  }

  async describeResources(ids: readonly string[]): Promise<ResourceRef[]> {
    this.calls.push({ method: "describeResources", ids });
    const shown = this.resources.filter((resource) => ids.includes(resource.id) && this.visible(resource.id));
    for (const id of ids) {
      const left = this.invisibleFor.get(id);
      if (left !== undefined) this.invisibleFor.set(id, left - 1);
    }
    return shown.map((resource) => this.withTags(resource));
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
      .map((resource) => this.withTags(resource));
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
      const { destination } = request.settings;
      this.flowLogs.push({
        flowLogId,
        resourceId,
        status: "ACTIVE",
        destinationType: destination.type,
        ...(destination.arn ? { logDestination: destination.arn } : {}),
        ...(destination.logGroupName ? { logGroupName: destination.logGroupName } : {}),
        trafficType: request.settings.trafficType,
        maxAggregationInterval: request.settings.maxAggregationInterval,
        ...(request.settings.logFormat ? { logFormat: request.settings.logFormat } : {}),
        ...(request.settings.destinationOptions
          ? { destinationOptions: request.settings.destinationOptions }
          : {}),
        tags: request.settings.tags,
      });
      return { resourceId, status: "created", flowLogId };
    });
  }

  async deleteFlowLogs(flowLogIds: readonly string[]): Promise<DeletionResult[]> {
    this.calls.push({ method: "deleteFlowLogs", flowLogIds });
    return flowLogIds.map((flowLogId): DeletionResult => {
      const reason = this.deleteFailures.get(flowLogId);
      if (reason !== undefined) return { flowLogId, status: "failed", reason };
      const index = this.flowLogs.findIndex((log) => log.flowLogId === flowLogId);
      if (index >= 0) this.flowLogs.splice(index, 1);
      return { flowLogId, status: "deleted" };
    });
  }

  private visible(id: string): boolean {
    return (this.invisibleFor.get(id) ?? 0) <= 0;
  }

  private withTags(resource: ResourceRef): ResourceRef {
    return { ...resource, tags: this.tags.get(resource.id) ?? resource.tags ?? {} };
  }
}

/** A clock that never waits: sleeping moves its time forward and is recorded. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private time = 0;

  now(): number {
    return this.time;
  }

  async sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    this.time += milliseconds;
  }
}
