// The caller's AWS session as the CLI sees it: configured region and identity in; clear errors for missing
// credentials and unknown regions out. Credentials come from the SDK's default chain (profiles, SSO, env, roles).
import { DescribeRegionsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AccountId, isAccountId, partitionOfRegion } from "../domain/resources.js";
import { CredentialsError, EnforcerError, errorCode, errorSummary, UnknownRegionError } from "../errors.js";

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

/** The region the SDK would use (AWS_REGION, the profile's region), else the AWS CLI's AWS_DEFAULT_REGION. */
export async function configuredRegion(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const probe = new STSClient({});
  try {
    return await probe.config.region();
  } catch {
    return env.AWS_DEFAULT_REGION || undefined;
  } finally {
    probe.destroy();
  }
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

export function enabledRegions(regions: readonly RegionInfo[]): string[] {
  return regions.filter((region) => region.optInStatus !== "not-opted-in").map((region) => region.name);
}

/** Throws UnknownRegionError naming every requested region that is unknown or not enabled. */
export function checkRegions(
  requested: readonly string[],
  known: readonly RegionInfo[],
  accountId: string,
): void {
  const byName = new Map(known.map((region) => [region.name, region]));
  const unknown = requested.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const hints = unknown.flatMap((name) => {
      const guess = closest(name, [...byName.keys()]);
      return guess === undefined ? [] : [`did you mean ${guess} for ${name}?`];
    });
    throw new UnknownRegionError(
      unknown,
      hints.length > 0
        ? hints.join(" ")
        : `AWS lists no such region (known: ${[...byName.keys()].join(", ")})`,
    );
  }
  const disabled = requested.filter((name) => byName.get(name)?.optInStatus === "not-opted-in");
  if (disabled.length > 0)
    throw new UnknownRegionError(
      disabled,
      `not enabled for account ${accountId} (an opt-in region: enable it in the account settings, or leave it out)`,
    );
}

/** The candidate within two edits of `name`, if exactly one is nearest. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const scored = candidates
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance);
  const [best, second] = scored;
  return best !== undefined && (second === undefined || second.distance > best.distance)
    ? best.candidate
    : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
