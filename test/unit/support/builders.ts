// Small factories for domain values; each call returns a fresh object.
import type { ExistingFlowLog } from "../../../src/domain/flow-logs.js";
import {
  type AccountId,
  type AccountRegion,
  accountRegion,
  isAccountId,
  isRegionName,
  isVpcId,
  type RegionName,
  type VpcId,
} from "../../../src/domain/resources.js";
import type { PlacementFacts } from "../../../src/policy/resolve.js";

export const ACCOUNT = "111111111111";
export const REGION = "us-east-1";
export const VPC_A = "vpc-0a1b2c3d4e5f60718";
export const VPC_B = "vpc-0b1b2c3d4e5f60718";
export const SUBNET_A1 = "subnet-0a1b2c3d4e5f60719";
export const SUBNET_A2 = "subnet-0a1b2c3d4e5f6071a";
export const SUBNET_B1 = "subnet-0b1b2c3d4e5f60719";
export const TGW = "tgw-0a1b2c3d4e5f60711";
/** Where minimal-s3.json sends flow logs of ACCOUNT. */
export const CENTRAL_BUCKET = `arn:aws:s3:::central-flow-logs/${ACCOUNT}/`;

export function vpcId(id: string): VpcId {
  if (!isVpcId(id)) throw new Error(`${id} is not a VPC ID`);
  return id;
}

export function accountId(id: string): AccountId {
  if (!isAccountId(id)) throw new Error(`${id} is not an account ID`);
  return id;
}

export function regionName(name: string): RegionName {
  if (!isRegionName(name)) throw new Error(`${name} is not a region name`);
  return name;
}

/** An account-region; ACCOUNT in REGION unless told otherwise. */
export function target(account: string = ACCOUNT, region: string = REGION): AccountRegion {
  return accountRegion(accountId(account), regionName(region));
}

export function placement(
  overrides: {
    accountId?: string;
    region?: string;
    organizationalUnits?: readonly string[];
    evaluatedAt?: Date;
  } = {},
): PlacementFacts {
  const { accountId: account, region, ...rest } = overrides;
  return { ...target(account, region), ...rest };
}

/** An ACTIVE, delivering S3 flow log of ALL traffic to the central bucket, unless overridden. */
export function flowLog(resourceId: string, overrides: Partial<ExistingFlowLog> = {}): ExistingFlowLog {
  return {
    flowLogId: `fl-${resourceId.replace(/^[a-z]+-/, "")}`,
    resourceId,
    status: "ACTIVE",
    deliverLogsStatus: "SUCCESS",
    destinationType: "s3",
    logDestination: CENTRAL_BUCKET,
    trafficType: "ALL",
    maxAggregationInterval: 600,
    ...overrides,
  };
}
