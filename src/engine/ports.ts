// What the engine needs from EC2 in one account-region, and from the clock. Implemented by gateways/ec2-gateway.ts
// (and the wiring's system clock); faked in tests.
import type { ExistingFlowLog, FlowLogSettings, LogGroupSettings } from "../domain/flow-logs.js";
import type { ResourceRef, ResourceType, VpcId } from "../domain/resources.js";

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

/** `deleted` also when the flow log was gone already: either way it no longer exists. */
export type DeletionResult =
  | { readonly flowLogId: string; readonly status: "deleted" }
  | { readonly flowLogId: string; readonly status: "failed"; readonly reason: string };

export interface FlowLogPort {
  /** Flow logs on these resources, or on every resource of the account-region with "all". */
  describeFlowLogs(resourceIds: readonly string[] | "all"): Promise<ExistingFlowLog[]>;
  /**
   * The resources with these IDs (of any type the engine knows, told apart by prefix) as EC2 shows them now: type,
   * tags, owner account and, for subnets and interfaces, VPC. An ID EC2 does not show is absent from the result.
   */
  describeResources(ids: readonly string[]): Promise<ResourceRef[]>;
  /**
   * Every resource of these types in the account-region (or in these VPCs; or, with defaultOnly, only the default
   * VPC and default subnets), with tags, owners and VPC IDs.
   */
  listResources(
    types: readonly ResourceType[],
    filter?: { readonly vpcIds?: readonly VpcId[]; readonly defaultOnly?: boolean },
  ): Promise<ResourceRef[]>;
  /** Creates flow logs in as few calls as the API allows; one result per requested ID, never throws for one ID. */
  createFlowLogs(request: CreateFlowLogsRequest): Promise<CreationResult[]>;
  /** Deletes flow logs in as few calls as the API allows; one result per requested ID, never throws for one ID. */
  deleteFlowLogs(flowLogIds: readonly string[]): Promise<DeletionResult[]>;
}

/** A CloudWatch Logs group as DescribeLogGroups reports it. */
export interface ExistingLogGroup {
  readonly name: string;
  readonly retentionDays?: number;
  readonly kmsKeyId?: string;
  readonly class?: string;
}

/** What the engine needs from CloudWatch Logs in one account-region to prepare log groups before CreateFlowLogs. */
export interface LogGroupPort {
  /** Those of these log groups that exist, by exact name. */
  describeLogGroups(names: readonly string[]): Promise<Map<string, ExistingLogGroup>>;
  /** Creates the group with its key, class and retention, tagged as created by the enforcer. */
  createLogGroup(name: string, settings: LogGroupSettings): Promise<void>;
  /** True when the enforcer created the group (its tag says so): only those get their retention changed. */
  createdByEnforcer(name: string): Promise<boolean>;
  setRetention(name: string, days: number): Promise<void>;
}
/** Time as the engine waits on it, so tests drive retries without sleeping. */
export interface Clock {
  /** Milliseconds, monotonic enough to measure waits. */
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  sleep: (milliseconds) => new Promise((done) => setTimeout(done, milliseconds)),
};
