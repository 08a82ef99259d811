// What the engine needs from EC2 in one account-region. Implemented by gateways/ec2-gateway.ts; mocked in tests.
import type { ExistingFlowLog, FlowLogSettings } from "../domain/flow-logs.js";
import type { ResourceRef, ResourceType, Tags, VpcId } from "../domain/resources.js";

export interface CreateFlowLogsRequest {
  readonly settings: FlowLogSettings;
  readonly resourceIds: readonly string[];
  /** Deterministic ClientToken for exactly this set of IDs with these settings. */
  readonly clientTokenFor: (resourceIds: readonly string[]) => string;
}

export type CreationResult =
  | { readonly resourceId: string; readonly status: "created"; readonly flowLogId: string }
  | { readonly resourceId: string; readonly status: "already-exists" }
  | { readonly resourceId: string; readonly status: "not-found"; readonly reason: string }
  | { readonly resourceId: string; readonly status: "failed"; readonly reason: string };

export interface FlowLogPort {
  /** Flow logs on these resources, or on every resource of the account-region with "all". */
  describeFlowLogs(resourceIds: readonly string[] | "all"): Promise<ExistingFlowLog[]>;
  /** Current tags of these resources. */
  describeTags(resourceIds: readonly string[]): Promise<Map<string, Tags>>;
  /** The VPC of each subnet, for callers that know only a subnet ID. */
  describeSubnetVpcs(subnetIds: readonly string[]): Promise<Map<string, VpcId>>;
  /**
   * Every resource of these types in the account-region (or in these VPCs; or, with defaultOnly, only the default
   * VPC and default subnets), with tags and VPC IDs.
   */
  listResources(
    types: readonly ResourceType[],
    filter?: { readonly vpcIds?: readonly VpcId[]; readonly defaultOnly?: boolean },
  ): Promise<ResourceRef[]>;
  /** Creates flow logs in as few calls as the API allows; one result per requested ID, never throws for one ID. */
  createFlowLogs(request: CreateFlowLogsRequest): Promise<CreationResult[]>;
}
