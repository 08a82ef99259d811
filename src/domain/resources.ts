// Typed resource references: IDs are parsed once at the edge so a subnet ID can never stand where a VPC ID is expected.

export const RESOURCE_TYPES = [
  "VPC",
  "Subnet",
  "NetworkInterface",
  "TransitGateway",
  "TransitGatewayAttachment",
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };
export type VpcId = Branded<string, "VpcId">;
export type SubnetId = Branded<string, "SubnetId">;
export type AccountId = Branded<string, "AccountId">;
/** A region name such as eu-west-1: checked once, so an account ID or a typo can never stand for a region. */
export type RegionName = Branded<string, "RegionName">;

/** Longest prefix first: `tgw-attach-` must win over `tgw-`. */
const ID_PATTERNS: ReadonlyArray<readonly [ResourceType, RegExp]> = [
  ["TransitGatewayAttachment", /^tgw-attach-[0-9a-f]{8,17}$/],
  ["TransitGateway", /^tgw-[0-9a-f]{8,17}$/],
  ["VPC", /^vpc-[0-9a-f]{8,17}$/],
  ["Subnet", /^subnet-[0-9a-f]{8,17}$/],
  ["NetworkInterface", /^eni-[0-9a-f]{8,17}$/],
];

/** The resource type an EC2 ID denotes, or undefined when it is not one of ours. */
export function resourceTypeOfId(id: string): ResourceType | undefined {
  return ID_PATTERNS.find(([, pattern]) => pattern.test(id))?.[0];
}

export function isVpcId(id: string): id is VpcId {
  return resourceTypeOfId(id) === "VPC";
}

export function isSubnetId(id: string): id is SubnetId {
  return resourceTypeOfId(id) === "Subnet";
}

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, … */
export function isRegionName(value: string): value is RegionName {
  return /^[a-z]{2}(-[a-z]+)+-\d$/.test(value);
}

export function isAccountId(value: string): value is AccountId {
  return /^\d{12}$/.test(value);
}

/** Transit gateway flow logs have their own limits: 25 IDs per call and a 60 s aggregation interval only. */
export function isTransitGatewayType(type: ResourceType): boolean {
  return type === "TransitGateway" || type === "TransitGatewayAttachment";
}

export type Tags = Readonly<Record<string, string>>;

/**
 * A resource to enforce on. `vpcId` is known for subnets and interfaces; `tags` and `ownerId` when they were read
 * from EC2 (a shared VPC or subnet seen from a participant account carries its owner's account ID).
 */
export interface ResourceRef {
  readonly type: ResourceType;
  readonly id: string;
  readonly vpcId?: VpcId;
  readonly tags?: Tags;
  readonly ownerId?: string;
}

/** Where the resources live. `partition` follows the account's ARN (aws, aws-cn, aws-us-gov). */
export interface AccountRegion {
  readonly accountId: AccountId;
  readonly region: RegionName;
  readonly partition: string;
}

/** The one way to build an AccountRegion: the partition always follows from the region. */
export function accountRegion(accountId: AccountId, region: RegionName): AccountRegion {
  return { accountId, region, partition: partitionOfRegion(region) };
}

/** `111111111111/eu-west-1`: how an account-region is named in reports, logs and cache keys. */
export function accountRegionKey(target: Pick<AccountRegion, "accountId" | "region">): string {
  return `${target.accountId}/${target.region}`;
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  return "aws";
}

export function toTags(
  list: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): Tags {
  const tags: Record<string, string> = {};
  for (const tag of list ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  }
  return tags;
}
