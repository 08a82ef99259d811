// The caller's AWS session as the CLI sees it: the configured region, who the credentials belong to, the regions
// EC2 lists; SDK errors about missing or rejected credentials become one clear CredentialsError. Credentials come
// from the SDK's default chain (profiles, SSO, env, roles).
import { DescribeRegionsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import {
  type AccountId,
  isAccountId,
  isRegionName,
  partitionOfRegion,
  type RegionName,
} from "../domain/resources.js";
import { CredentialsError, EnforcerError, errorCode, errorSummary } from "../errors.js";

export interface CallerIdentity {
  readonly accountId: AccountId;
  readonly partition: string;
  readonly arn: string;
}

const NO_CREDENTIALS =
  "no AWS credentials found: set AWS_PROFILE, run aws sso login (for an SSO profile), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/** Errors raised by the SDK's credential chain when it finds nothing usable (or an expired SSO token). */
const CHAIN_ERRORS: ReadonlySet<string> = new Set(["CredentialsProviderError", "TokenProviderError"]);
/** What AWS answers when the credentials exist but are wrong or expired. */
const REJECTED: ReadonlySet<string> = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "AuthFailure",
]);

/** The CredentialsError an SDK error stands for, or undefined when it is about something else. */
export function toCredentialsError(error: unknown): CredentialsError | undefined {
  if (error instanceof CredentialsError) return error;
  const code = errorCode(error);
  if (code !== undefined && CHAIN_ERRORS.has(code)) {
    const detail = error instanceof Error ? error.message : "";
    return new CredentialsError(`${NO_CREDENTIALS}${detail ? ` (${detail})` : ""}`, { cause: error });
  }
  if (code !== undefined && REJECTED.has(code))
    return new CredentialsError(`AWS rejected the credentials: ${errorSummary(error)}`, { cause: error });
  return undefined;
}

export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const accountId = identity.Account ?? "";
    const arn = identity.Arn ?? "";
    if (!isAccountId(accountId)) throw new EnforcerError(`STS returned no account ID (got "${accountId}")`);
    return { accountId, arn, partition: arn.split(":")[1] || "aws" };
  } catch (error) {
    throw toCredentialsError(error) ?? error;
  }
}

export interface RegionInfo {
  readonly name: string;
  /** opt-in-not-required | opted-in | not-opted-in */
  readonly optInStatus: string;
}

/** Every region of EC2's list, enabled or not, in the caller's partition. */
export async function describeRegions(ec2: EC2Client, partition: string): Promise<RegionInfo[]> {
  try {
    const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    return Regions.flatMap((region) =>
      region.RegionName === undefined || partitionOfRegion(region.RegionName) !== partition
        ? []
        : [{ name: region.RegionName, optInStatus: region.OptInStatus ?? "opt-in-not-required" }],
    );
  } catch (error) {
    throw toCredentialsError(error) ?? error;
  }
}

/** The regions enabled for the account the client acts in (opt-in regions once opted in), in its partition. */
export async function enabledRegionNames(ec2: EC2Client, partition: string): Promise<RegionName[]> {
  return (await describeRegions(ec2, partition))
    .filter((region) => region.optInStatus !== "not-opted-in")
    .map((region) => region.name)
    .filter(isRegionName);
}
