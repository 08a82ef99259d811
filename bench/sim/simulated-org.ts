// An AWS Organization answered in process, for the org-scale bench: EC2 (DescribeVpcs, DescribeSubnets,
// DescribeFlowLogs, CreateFlowLogs), STS (AssumeRole), SQS (SendMessageBatch), Organizations (ListAccounts,
// DescribeAccount) and
// SSM (GetParameter), each in the wire format the real service uses (EC2/STS query XML, JSON 1.0/1.1), with a
// per-call latency and the throttling of the real service: EC2's token bucket per API action per account-region.
// The organization is never stored whole: an account-region's VPCs, subnets and flow logs are derived from its
// account and region index when a request asks for them; only flow logs created during the run are kept.
import { createHash } from "node:crypto";
import type { HttpRequest } from "@smithy/protocol-http";
import { bodyText, type SimulatedAnswer, signedScope } from "./sdk-transport.js";
import { type BucketLimit, TokenBucket } from "./token-bucket.js";

/**
 * EC2's request token buckets (Amazon EC2 developer guide, "Request throttling for the Amazon EC2 API"): each API
 * action has its own bucket per account and region; non-mutating actions (Describe*) hold 100 tokens refilled at
 * 20 per second, mutating actions (CreateFlowLogs) 50 refilled at 5 per second. The smaller bucket for unfiltered,
 * unpaginated calls does not apply: it covers other Describe actions, and the gateway always sends MaxResults.
 */
export const EC2_NON_MUTATING: BucketLimit = { capacity: 100, refillPerSecond: 20 };
export const EC2_MUTATING: BucketLimit = { capacity: 50, refillPerSecond: 5 };
/** STS's default request quota for AssumeRole per account and region (600 per second). */
export const STS_ASSUME_ROLE: BucketLimit = { capacity: 600, refillPerSecond: 600 };
/** SSM GetParameter's default throughput (40 transactions per second). */
export const SSM_GET_PARAMETER: BucketLimit = { capacity: 40, refillPerSecond: 40 };
/**
 * Organizations publishes no request rate; callers report TooManyRequestsException with a handful of concurrent
 * callers. An assumption, configurable, for the whole organization.
 */
export const ORGANIZATIONS_ASSUMED: BucketLimit = { capacity: 20, refillPerSecond: 10 };

export interface LatencyRange {
  readonly minMs: number;
  readonly maxMs: number;
}

export interface SimulatedOrgOptions {
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly vpcsPerAccountRegion: number;
  readonly subnetsPerVpc: number;
  /** Percent of VPCs without a flow log at the start (0: every account-region compliant). */
  readonly nonCompliantPercent: number;
  /** Every EC2 bucket starts empty (another tool just spent the burst) instead of full. */
  readonly bucketsStartEmpty: boolean;
  readonly latency: {
    readonly describe: LatencyRange;
    readonly mutate: LatencyRange;
    readonly sts: LatencyRange;
    readonly sqs: LatencyRange;
    readonly organizations: LatencyRange;
    readonly ssm: LatencyRange;
  };
  readonly organizationsLimit: BucketLimit;
  /** The account the functions run in: any access key that is not an assumed role's belongs to it. */
  readonly homeAccountId: string;
  readonly organizationId: string;
  /** The SSM parameter holding the policy, and its text. */
  readonly policyParameter: { readonly name: string; readonly value: string };
  /** Where SendMessageBatch puts the bodies it accepts. */
  readonly deliver: (bodies: readonly string[]) => void;
  readonly seed?: number;
}

export interface SimulatedOrgStats {
  /** Attempts per `service:Action`, retries included. */
  readonly calls: Map<string, number>;
  /** Attempts answered with a throttling error, per `service:Action`. */
  readonly throttled: Map<string, number>;
  /** Attempts the SDK marked as retries (amz-sdk-request attempt > 1). */
  retries: number;
  /** EC2 attempts per `account|region`. */
  readonly ec2ByAccountRegion: Map<string, number>;
  /** Account-regions that saw at least one throttled EC2 attempt. */
  readonly throttledAccountRegions: Set<string>;
  flowLogsCreated: number;
}

const EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const FIRST_ACCOUNT = 200_000_000_000;
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

export class SimulatedOrg {
  readonly stats: SimulatedOrgStats = {
    calls: new Map(),
    throttled: new Map(),
    retries: 0,
    ec2ByAccountRegion: new Map(),
    throttledAccountRegions: new Set(),
    flowLogsCreated: 0,
  };
  private readonly buckets = new Map<string, TokenBucket>();
  /** Flow logs created during the run, per account-region, by resource ID. */
  private readonly created = new Map<string, Map<string, CreatedFlowLog>>();
  private requestCount = 0;
  private random: () => number;

  constructor(private readonly options: SimulatedOrgOptions) {
    this.random = mulberry32(options.seed ?? 12);
  }

  /** The member account IDs, in organization order. */
  accountIds(): string[] {
    return Array.from({ length: this.options.accounts }, (_, index) => accountIdOf(index));
  }

  /** VPCs without a flow log, over the whole organization (for checking a run's outcome; walks every account-region). */
  uncoveredVpcs(): number {
    let uncovered = 0;
    for (let accountIndex = 0; accountIndex < this.options.accounts; accountIndex += 1)
      for (const region of this.options.regions) {
        const area = this.areaOf(accountIdOf(accountIndex), region);
        if (area === undefined) continue;
        const covered = new Set(this.flowLogsOf(area).map((log) => log.resourceId));
        uncovered += this.vpcsOf(area).filter((vpc) => !covered.has(vpc.id)).length;
      }
    return uncovered;
  }

  /** The transport: answers one signed SDK request after the simulated latency. */
  readonly handle = async (request: HttpRequest): Promise<SimulatedAnswer> => {
    const scope = signedScope(request);
    if (scope === undefined) return jsonError(400, "MissingAuthenticationToken", "request is not signed");
    const attempt = /attempt=(\d+)/.exec(request.headers["amz-sdk-request"] ?? "")?.[1];
    if (attempt !== undefined && Number(attempt) > 1) this.stats.retries += 1;
    const body = bodyText(request);
    switch (scope.service) {
      case "ec2":
        return this.ec2(scope.accessKeyId, scope.region, new URLSearchParams(body));
      case "sts":
        return this.sts(scope.accessKeyId, scope.region, new URLSearchParams(body));
      case "sqs":
        return this.sqs(jsonTarget(request), body);
      case "organizations":
        return this.organizations(jsonTarget(request), body);
      case "ssm":
        return this.ssm(scope.accessKeyId, scope.region, jsonTarget(request), body);
      default:
        return jsonError(400, "UnknownService", `the simulation does not answer ${scope.service}`);
    }
  };

  /** Which account an access key belongs to: an assumed role's key names it, any other is the home account's. */
  private accountOfKey(accessKeyId: string): string {
    const match = /^ASIA(\d{12})$/.exec(accessKeyId);
    return match?.[1] ?? this.options.homeAccountId;
  }

  private count(key: string): void {
    this.stats.calls.set(key, (this.stats.calls.get(key) ?? 0) + 1);
  }

  /** Takes a token from the bucket `key` (created on first use); false and counted when throttled. */
  private admit(key: string, limit: BucketLimit, callKey: string, startEmpty = false): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(limit, Date.now, startEmpty ? 0 : limit.capacity);
      this.buckets.set(key, bucket);
    }
    if (bucket.take()) return true;
    this.stats.throttled.set(callKey, (this.stats.throttled.get(callKey) ?? 0) + 1);
    return false;
  }

  private async after<T>(range: LatencyRange, answer: T): Promise<T> {
    const ms = range.minMs + this.random() * (range.maxMs - range.minMs);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return answer;
  }

  private requestId(): string {
    this.requestCount += 1;
    return `sim-${this.requestCount.toString(16).padStart(8, "0")}`;
  }

  // --- EC2 ---

  private async ec2(accessKeyId: string, region: string, params: URLSearchParams): Promise<SimulatedAnswer> {
    const action = params.get("Action") ?? "";
    const callKey = `ec2:${action}`;
    this.count(callKey);
    const accountId = this.accountOfKey(accessKeyId);
    const areaKey = `${accountId}|${region}`;
    this.stats.ec2ByAccountRegion.set(areaKey, (this.stats.ec2ByAccountRegion.get(areaKey) ?? 0) + 1);
    const mutating = !/^(Describe|Get|List|Search)/.test(action);
    const latency = mutating ? this.options.latency.mutate : this.options.latency.describe;
    const limit = mutating ? EC2_MUTATING : EC2_NON_MUTATING;
    if (!this.admit(`ec2|${areaKey}|${action}`, limit, callKey, this.options.bucketsStartEmpty)) {
      this.stats.throttledAccountRegions.add(areaKey);
      return this.after(
        latency,
        ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.", this.requestId()),
      );
    }
    const area = this.areaOf(accountId, region);
    if (area === undefined)
      return this.after(
        latency,
        ec2Error(
          401,
          "AuthFailure",
          "AWS was not able to validate the provided access credentials",
          this.requestId(),
        ),
      );
    let inner: string;
    try {
      inner = this.ec2Action(action, area, params);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.after(latency, ec2Error(400, "InvalidParameterValue", message, this.requestId()));
    }
    const xml = `${XML_HEAD}<${action}Response xmlns="${EC2_NS}"><requestId>${this.requestId()}</requestId>${inner}</${action}Response>`;
    return this.after(latency, {
      statusCode: 200,
      headers: { "content-type": "text/xml;charset=UTF-8" },
      body: xml,
    });
  }

  private ec2Action(action: string, area: Area, params: URLSearchParams): string {
    const filters = queryFilters(params);
    switch (action) {
      case "DescribeVpcs": {
        const vpcs = this.vpcsOf(area).filter((vpc) =>
          matches(filters, { "vpc-id": vpc.id, "is-default": String(vpc.isDefault) }),
        );
        return page("vpcSet", vpcs, params, (vpc) => vpcXml(area, vpc));
      }
      case "DescribeSubnets": {
        const subnets = this.vpcsOf(area)
          .flatMap((vpc) => vpc.subnets)
          .filter((subnet) =>
            matches(filters, {
              "subnet-id": subnet.id,
              "vpc-id": subnet.vpcId,
              "default-for-az": String(subnet.defaultForAz),
            }),
          );
        return page("subnetSet", subnets, params, (subnet) => subnetXml(area, subnet));
      }
      case "DescribeFlowLogs": {
        const logs = this.flowLogsOf(area).filter((log) =>
          matches(filters, { "resource-id": log.resourceId, "flow-log-id": log.flowLogId }),
        );
        return page("flowLogSet", logs, params, flowLogXml);
      }
      case "CreateFlowLogs":
        return this.createFlowLogs(area, params);
      default:
        throw new Error(`the simulation does not answer EC2 ${action}`);
    }
  }

  private createFlowLogs(area: Area, params: URLSearchParams): string {
    const ids = queryList(params, "ResourceId");
    const existing = new Set(this.flowLogsOf(area).map((log) => log.resourceId));
    const known = new Set(this.vpcsOf(area).flatMap((vpc) => [vpc.id, ...vpc.subnets.map((s) => s.id)]));
    let created = this.created.get(area.key);
    if (created === undefined) {
      created = new Map();
      this.created.set(area.key, created);
    }
    const flowLogIds: string[] = [];
    const unsuccessful: string[] = [];
    for (const resourceId of ids) {
      if (!known.has(resourceId)) {
        unsuccessful.push(
          unsuccessfulXml(resourceId, "InvalidVpcID.NotFound", `The vpc ID '${resourceId}' does not exist`),
        );
        continue;
      }
      if (existing.has(resourceId)) {
        unsuccessful.push(unsuccessfulXml(resourceId, "FlowLogAlreadyExists", "FlowLogAlreadyExists"));
        continue;
      }
      const flowLogId = `fl-1${resourceId.slice(resourceId.indexOf("-") + 2)}`;
      created.set(resourceId, {
        flowLogId,
        resourceId,
        destinationType: params.get("LogDestinationType") ?? "cloud-watch-logs",
        destination: params.get("LogDestination") ?? "",
        trafficType: params.get("TrafficType") ?? "ALL",
        maxAggregationInterval: params.get("MaxAggregationInterval") ?? "600",
      });
      existing.add(resourceId);
      flowLogIds.push(flowLogId);
      this.stats.flowLogsCreated += 1;
    }
    const token = params.get("ClientToken") ?? "";
    return `<clientToken>${token}</clientToken><flowLogIdSet>${flowLogIds.map((id) => `<item>${id}</item>`).join("")}</flowLogIdSet><unsuccessful>${unsuccessful.join("")}</unsuccessful>`;
  }

  private areaOf(accountId: string, region: string): Area | undefined {
    const accountIndex = Number(accountId) - FIRST_ACCOUNT;
    const regionIndex = this.options.regions.indexOf(region);
    if (!(accountIndex >= 0 && accountIndex < this.options.accounts) || regionIndex < 0) return undefined;
    return { key: `${accountId}|${region}`, accountId, accountIndex, region, regionIndex };
  }

  /** The account-region's VPCs (the first one its default VPC), each with its subnets, derived on every call. */
  private vpcsOf(area: Area): SimVpc[] {
    const { vpcsPerAccountRegion, subnetsPerVpc } = this.options;
    return Array.from({ length: vpcsPerAccountRegion }, (_, n) => {
      const id = `vpc-0${hex(area.accountIndex, 8)}${hex(area.regionIndex, 2)}${hex(n, 6)}`;
      const isDefault = n === 0;
      return {
        id,
        n,
        isDefault,
        cidr: isDefault ? "172.31.0.0/16" : `10.${n % 256}.0.0/16`,
        subnets: Array.from({ length: subnetsPerVpc }, (_, s) => ({
          id: `subnet-0${hex(area.accountIndex, 8)}${hex(area.regionIndex, 2)}${hex(n, 4)}${hex(s, 2)}`,
          vpcId: id,
          defaultForAz: isDefault,
          cidr: isDefault ? `172.31.${s * 16}.0/20` : `10.${n % 256}.${s}.0/24`,
          availabilityZone: `${area.region}${"abcdef"[s % 6]}`,
        })),
      };
    });
  }

  /** Flow logs in the account-region: one per compliant VPC from the start, plus the ones created since. */
  private flowLogsOf(area: Area): SimFlowLog[] {
    const destination = `arn:aws:s3:::central-flow-logs/${area.accountId}/`;
    const logs: SimFlowLog[] = [];
    for (const vpc of this.vpcsOf(area)) {
      if (this.startsNonCompliant(area, vpc.n)) continue;
      logs.push({
        flowLogId: `fl-0${vpc.id.slice(5)}`,
        resourceId: vpc.id,
        destinationType: "s3",
        destination,
        trafficType: "ALL",
        maxAggregationInterval: "600",
      });
    }
    for (const log of this.created.get(area.key)?.values() ?? []) logs.push(log);
    return logs;
  }

  private startsNonCompliant(area: Area, n: number): boolean {
    if (this.options.nonCompliantPercent <= 0) return false;
    const h = mulberry32(area.accountIndex * 7919 + area.regionIndex * 104_729 + n * 31)();
    return h * 100 < this.options.nonCompliantPercent;
  }

  // --- STS ---

  private async sts(accessKeyId: string, region: string, params: URLSearchParams): Promise<SimulatedAnswer> {
    const action = params.get("Action") ?? "";
    const callKey = `sts:${action}`;
    this.count(callKey);
    const latency = this.options.latency.sts;
    const caller = this.accountOfKey(accessKeyId);
    if (!this.admit(`sts|${caller}|${region}`, STS_ASSUME_ROLE, callKey))
      return this.after(latency, stsError(400, "Throttling", "Rate exceeded", this.requestId()));
    if (action !== "AssumeRole")
      return this.after(
        latency,
        stsError(400, "InvalidAction", `not simulated: ${action}`, this.requestId()),
      );
    const roleArn = params.get("RoleArn") ?? "";
    const accountId = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
    if (accountId === undefined || this.areaOf(accountId, this.options.regions[0] ?? "") === undefined)
      return this.after(
        latency,
        stsError(403, "AccessDenied", `not authorized to assume ${roleArn}`, this.requestId()),
      );
    const seconds = Number(params.get("DurationSeconds") ?? "3600");
    const expiration = new Date(Date.now() + seconds * 1000).toISOString();
    const session = params.get("RoleSessionName") ?? "session";
    const xml = `${XML_HEAD}<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${accountId}</AccessKeyId><SecretAccessKey>simulated</SecretAccessKey><SessionToken>simulated-${accountId}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROASIMULATED:${session}</AssumedRoleId><Arn>arn:aws:sts::${accountId}:assumed-role/${roleArn.split("/").at(-1)}/${session}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${this.requestId()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
    return this.after(latency, { statusCode: 200, headers: { "content-type": "text/xml" }, body: xml });
  }

  // --- SQS (JSON 1.0) ---

  private async sqs(target: string, body: string): Promise<SimulatedAnswer> {
    const action = target.split(".").at(-1) ?? "";
    this.count(`sqs:${action}`);
    const latency = this.options.latency.sqs;
    if (action !== "SendMessageBatch")
      return this.after(latency, jsonError(400, "InvalidAction", `not simulated: ${action}`, "1.0"));
    const input = JSON.parse(body) as { Entries?: Array<{ Id?: string; MessageBody?: string }> };
    const entries = input.Entries ?? [];
    const successful = entries.map((entry) => ({
      Id: entry.Id,
      MessageId: this.requestId(),
      MD5OfMessageBody: createHash("md5")
        .update(entry.MessageBody ?? "", "utf8")
        .digest("hex"),
    }));
    // Delivered once the call has completed: a consumer cannot see a message before SendMessageBatch returns.
    const answer = await this.after(latency, jsonOk({ Successful: successful, Failed: [] }, "1.0"));
    this.options.deliver(entries.map((entry) => entry.MessageBody ?? ""));
    return answer;
  }

  // --- Organizations (JSON 1.1) ---

  private async organizations(target: string, body: string): Promise<SimulatedAnswer> {
    const action = target.split(".").at(-1) ?? "";
    const callKey = `organizations:${action}`;
    this.count(callKey);
    const latency = this.options.latency.organizations;
    if (!this.admit("organizations", this.options.organizationsLimit, callKey))
      return this.after(
        latency,
        jsonError(
          400,
          "TooManyRequestsException",
          "You have sent too many requests in too short a period of time.",
        ),
      );
    if (action === "DescribeAccount") return this.after(latency, this.describeAccount(body));
    if (action !== "ListAccounts")
      return this.after(latency, jsonError(400, "InvalidInputException", `not simulated: ${action}`));
    const input = JSON.parse(body) as { MaxResults?: number; NextToken?: string };
    const max = Math.min(input.MaxResults ?? 20, 20);
    const start = Number(input.NextToken ?? "0");
    const ids = this.accountIds().slice(start, start + max);
    const accounts = ids.map((id) => this.accountJson(id));
    const next = start + max < this.options.accounts ? { NextToken: String(start + max) } : {};
    return this.after(latency, jsonOk({ Accounts: accounts, ...next }));
  }

  /** One account, as DescribeAccount answers: the member accounts and the management (home) account. */
  private describeAccount(body: string): SimulatedAnswer {
    const { AccountId: id } = JSON.parse(body) as { AccountId?: string };
    const member =
      id !== undefined &&
      (id === this.options.homeAccountId || this.areaOf(id, this.options.regions[0] ?? "") !== undefined);
    if (!member)
      return jsonError(400, "AccountNotFoundException", "You specified an account that doesn't exist.");
    return jsonOk({ Account: this.accountJson(id) });
  }

  private accountJson(id: string) {
    const management = this.options.homeAccountId;
    return {
      Id: id,
      Arn: `arn:aws:organizations::${management}:account/${this.options.organizationId}/${id}`,
      Email: `aws+${id}@example.com`,
      Name: `member-${id}`,
      Status: "ACTIVE",
      State: "ACTIVE",
      JoinedMethod: "CREATED",
      JoinedTimestamp: 1_700_000_000,
    };
  }

  // --- SSM (JSON 1.1) ---

  private async ssm(
    accessKeyId: string,
    region: string,
    target: string,
    body: string,
  ): Promise<SimulatedAnswer> {
    const action = target.split(".").at(-1) ?? "";
    const callKey = `ssm:${action}`;
    this.count(callKey);
    const latency = this.options.latency.ssm;
    if (!this.admit(`ssm|${this.accountOfKey(accessKeyId)}|${region}`, SSM_GET_PARAMETER, callKey))
      return this.after(latency, jsonError(400, "ThrottlingException", "Rate exceeded"));
    const input = JSON.parse(body) as { Name?: string };
    const { name, value } = this.options.policyParameter;
    if (action !== "GetParameter" || input.Name !== name)
      return this.after(latency, jsonError(400, "ParameterNotFound", `${input.Name ?? ""}`));
    return this.after(
      latency,
      jsonOk({
        Parameter: {
          Name: name,
          Type: "String",
          Value: value,
          Version: 1,
          DataType: "text",
          LastModifiedDate: 1_700_000_000,
          ARN: `arn:aws:ssm:${region}:${this.options.homeAccountId}:parameter${name}`,
        },
      }),
    );
  }
}

interface Area {
  readonly key: string;
  readonly accountId: string;
  readonly accountIndex: number;
  readonly region: string;
  readonly regionIndex: number;
}

interface SimSubnet {
  readonly id: string;
  readonly vpcId: string;
  readonly defaultForAz: boolean;
  readonly cidr: string;
  readonly availabilityZone: string;
}

interface SimVpc {
  readonly id: string;
  readonly n: number;
  readonly isDefault: boolean;
  readonly cidr: string;
  readonly subnets: readonly SimSubnet[];
}

interface SimFlowLog {
  readonly flowLogId: string;
  readonly resourceId: string;
  readonly destinationType: string;
  readonly destination: string;
  readonly trafficType: string;
  readonly maxAggregationInterval: string;
}

type CreatedFlowLog = SimFlowLog;

export function accountIdOf(index: number): string {
  return String(FIRST_ACCOUNT + index);
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, "0").slice(-width);
}

/** EC2 query filters: Filter.N.Name with Filter.N.Value.M. */
export function queryFilters(params: URLSearchParams): Map<string, Set<string>> {
  const filters = new Map<string, Set<string>>();
  for (let i = 1; params.has(`Filter.${i}.Name`); i += 1)
    filters.set(params.get(`Filter.${i}.Name`) ?? "", new Set(queryList(params, `Filter.${i}.Value`)));
  return filters;
}

/** An EC2 query list: `prefix.1`, `prefix.2`, … */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i += 1) values.push(params.get(`${prefix}.${i}`) ?? "");
  return values;
}

/** True when every filter names a known attribute and the attribute's value is among the filter's values. */
function matches(filters: Map<string, Set<string>>, attributes: Readonly<Record<string, string>>): boolean {
  for (const [name, values] of filters) {
    const value = attributes[name];
    if (value === undefined) throw new Error(`The filter '${name}' is invalid`);
    if (!values.has(value)) return false;
  }
  return true;
}

/** One page of `items` (MaxResults, NextToken as an offset), as EC2's `<set><item>…</item></set><nextToken>`. */
function page<T>(
  setName: string,
  items: readonly T[],
  params: URLSearchParams,
  xml: (item: T) => string,
): string {
  const start = Number(params.get("NextToken") ?? "0");
  const max = Number(params.get("MaxResults") ?? String(items.length || 1));
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? `<nextToken>${start + max}</nextToken>` : "";
  return `<${setName}>${slice.map(xml).join("")}</${setName}>${next}`;
}

function tagSetXml(tags: Readonly<Record<string, string>>): string {
  const items = Object.entries(tags).map(
    ([key, value]) => `<item><key>${key}</key><value>${value}</value></item>`,
  );
  return `<tagSet>${items.join("")}</tagSet>`;
}

function vpcXml(area: Area, vpc: SimVpc): string {
  const tags: Record<string, string> = vpc.isDefault ? {} : { Name: `workload-${vpc.n}` };
  return `<item><vpcId>${vpc.id}</vpcId><ownerId>${area.accountId}</ownerId><state>available</state><cidrBlock>${vpc.cidr}</cidrBlock><dhcpOptionsId>dopt-0a1b2c3d4e5f60718</dhcpOptionsId>${tagSetXml(tags)}<instanceTenancy>default</instanceTenancy><isDefault>${vpc.isDefault}</isDefault></item>`;
}

function subnetXml(area: Area, subnet: SimSubnet): string {
  return `<item><subnetId>${subnet.id}</subnetId><subnetArn>arn:aws:ec2:${area.region}:${area.accountId}:subnet/${subnet.id}</subnetArn><state>available</state><ownerId>${area.accountId}</ownerId><vpcId>${subnet.vpcId}</vpcId><cidrBlock>${subnet.cidr}</cidrBlock><availableIpAddressCount>250</availableIpAddressCount><availabilityZone>${subnet.availabilityZone}</availabilityZone><defaultForAz>${subnet.defaultForAz}</defaultForAz><mapPublicIpOnLaunch>${subnet.defaultForAz}</mapPublicIpOnLaunch>${tagSetXml({})}</item>`;
}

function flowLogXml(log: SimFlowLog): string {
  return `<item><creationTime>2026-01-05T10:00:00.000Z</creationTime><deliverLogsStatus>SUCCESS</deliverLogsStatus><flowLogId>${log.flowLogId}</flowLogId><flowLogStatus>ACTIVE</flowLogStatus><resourceId>${log.resourceId}</resourceId><trafficType>${log.trafficType}</trafficType><logDestinationType>${log.destinationType}</logDestinationType><logDestination>${log.destination}</logDestination><logFormat>\${version} \${account-id} \${interface-id} \${srcaddr} \${dstaddr} \${srcport} \${dstport} \${protocol} \${packets} \${bytes} \${start} \${end} \${action} \${log-status}</logFormat>${tagSetXml({ ManagedBy: "vpc-flow-log-enforcer" })}<maxAggregationInterval>${log.maxAggregationInterval}</maxAggregationInterval><destinationOptions><fileFormat>plain-text</fileFormat><hiveCompatiblePartitions>false</hiveCompatiblePartitions><perHourPartition>false</perHourPartition></destinationOptions></item>`;
}

function unsuccessfulXml(resourceId: string, code: string, message: string): string {
  return `<item><error><code>${code}</code><message>${message}</message></error><resourceId>${resourceId}</resourceId></item>`;
}

function ec2Error(statusCode: number, code: string, message: string, requestId: string): SimulatedAnswer {
  return {
    statusCode,
    headers: { "content-type": "text/xml;charset=UTF-8" },
    body: `${XML_HEAD}<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}

function stsError(statusCode: number, code: string, message: string, requestId: string): SimulatedAnswer {
  return {
    statusCode,
    headers: { "content-type": "text/xml" },
    body: `${XML_HEAD}<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function jsonTarget(request: HttpRequest): string {
  return request.headers["x-amz-target"] ?? request.headers["X-Amz-Target"] ?? "";
}

function jsonOk(value: unknown, version: "1.0" | "1.1" = "1.1"): SimulatedAnswer {
  return {
    statusCode: 200,
    headers: { "content-type": `application/x-amz-json-${version}` },
    body: JSON.stringify(value),
  };
}

function jsonError(
  statusCode: number,
  type: string,
  message: string,
  version: "1.0" | "1.1" = "1.1",
): SimulatedAnswer {
  return {
    statusCode,
    headers: { "content-type": `application/x-amz-json-${version}`, "x-amzn-errortype": type },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** A small seeded PRNG, so a run's latencies repeat from one run to the next. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
