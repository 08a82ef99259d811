// Flow-log shapes the engine reasons about, independent of the SDK's types.
import type { ResourceType, Tags } from "./resources.js";

/**
 * The tag the enforcer puts on every flow log it creates, so it can tell its own flow logs from anyone else's
 * (replaceOutdated deletes only flow logs that carry it). Policy `tags` may not use the `vpc-flow-log-enforcer:`
 * key prefix, so no policy can drop or overwrite the mark.
 */
export const ENFORCER_MARK = {
  key: "vpc-flow-log-enforcer:created-by",
  value: "vpc-flow-log-enforcer",
} as const;
/** Tag keys reserved for the enforcer: policy tags starting with this are refused. */
export const RESERVED_TAG_PREFIX = "vpc-flow-log-enforcer:";

/** True when the flow log carries the enforcer's mark: the enforcer created it. */
export function isEnforcerCreated(log: Pick<ExistingFlowLog, "tags">): boolean {
  return log.tags?.[ENFORCER_MARK.key] === ENFORCER_MARK.value;
}

export type DestinationType = "s3" | "cloud-watch-logs" | "kinesis-data-firehose";
export type TrafficType = "ACCEPT" | "REJECT" | "ALL";

export interface DestinationOptions {
  readonly fileFormat: "plain-text" | "parquet";
  readonly hiveCompatiblePartitions: boolean;
  readonly perHourPartition: boolean;
}

/** How the enforcer prepares a CloudWatch Logs group before it creates a flow log to it. */
export interface LogGroupSettings {
  readonly retentionDays?: number;
  readonly kmsKeyArn?: string;
  readonly class?: "STANDARD" | "INFREQUENT_ACCESS";
}

/**
 * A destination after placeholder substitution. For CloudWatch Logs exactly one of logGroupName/arn is set, and
 * `logGroup` asks the enforcer to create the group. Firehose carries the two cross-account roles only when the
 * stream is in another account than the resource.
 */
export interface ResolvedDestination {
  readonly type: DestinationType;
  readonly arn?: string;
  readonly logGroupName?: string;
  readonly deliverLogsPermissionArn?: string;
  readonly deliverCrossAccountRole?: string;
  readonly logGroup?: LogGroupSettings;
}

/** Everything CreateFlowLogs needs besides the resource IDs. */
export interface FlowLogSettings {
  readonly resourceType: ResourceType;
  readonly destination: ResolvedDestination;
  readonly trafficType: TrafficType;
  readonly maxAggregationInterval: 60 | 600;
  readonly logFormat?: string;
  readonly destinationOptions?: DestinationOptions;
  readonly tags: Tags;
}

/** A flow log as DescribeFlowLogs reports it. */
export interface ExistingFlowLog {
  readonly flowLogId: string;
  readonly resourceId: string;
  readonly status: string;
  readonly deliverLogsStatus?: string;
  readonly deliverLogsErrorMessage?: string;
  readonly destinationType: string;
  readonly logDestination?: string;
  readonly logGroupName?: string;
  readonly trafficType?: string;
  readonly logFormat?: string;
  readonly maxAggregationInterval?: number;
  /** As DescribeFlowLogs returns them; real EC2 returns all three for every S3 flow log, moto none. */
  readonly destinationOptions?: Partial<DestinationOptions>;
  readonly tags?: Tags;
}

/**
 * A flow log that AWS says does not deliver: DeliverLogsStatus FAILED, or a DeliverLogsErrorMessage at all (real
 * DescribeFlowLogs responses carry the message without a status).
 */
export function isDeliveryFailing(
  log: Pick<ExistingFlowLog, "deliverLogsStatus" | "deliverLogsErrorMessage">,
): boolean {
  return log.deliverLogsStatus === "FAILED" || (log.deliverLogsErrorMessage ?? "") !== "";
}

/** The format AWS applies when CreateFlowLogs gets no LogFormat. */
export const DEFAULT_LOG_FORMAT =
  "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/** Documented flow-log record fields (VPC, subnet, ENI and transit gateway flow logs). */
export const FLOW_LOG_FIELDS: ReadonlySet<string> = new Set([
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
  "vpc-id",
  "subnet-id",
  "instance-id",
  "tcp-flags",
  "type",
  "pkt-srcaddr",
  "pkt-dstaddr",
  "region",
  "az-id",
  "sublocation-type",
  "sublocation-id",
  "pkt-src-aws-service",
  "pkt-dst-aws-service",
  "flow-direction",
  "traffic-path",
  "ecs-cluster-arn",
  "ecs-cluster-name",
  "ecs-container-instance-arn",
  "ecs-container-instance-id",
  "ecs-container-id",
  "ecs-second-container-id",
  "ecs-service-name",
  "ecs-task-definition-arn",
  "ecs-task-arn",
  "ecs-task-id",
  "reject-reason",
  "resource-id",
  "encryption-status",
  "resource-type",
  "tgw-id",
  "tgw-attachment-id",
  "tgw-src-vpc-account-id",
  "tgw-dst-vpc-account-id",
  "tgw-src-vpc-id",
  "tgw-dst-vpc-id",
  "tgw-src-subnet-id",
  "tgw-dst-subnet-id",
  "tgw-src-eni",
  "tgw-dst-eni",
  "tgw-src-az-id",
  "tgw-dst-az-id",
  "tgw-pair-attachment-id",
  "packets-lost-no-route",
  "packets-lost-blackhole",
  "packets-lost-mtu-exceeded",
  "packets-lost-ttl-expired",
]);
