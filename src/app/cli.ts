// The CLI side of the wiring: the engine's ports for one command, from the options the command line gave (never
// from a forged environment), and the session checks (region, identity, region list) and policy reader the
// commands share. Every SDK client the CLI uses is built here.
import { EC2Client } from "@aws-sdk/client-ec2";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import type { AccountId, RegionName } from "../domain/resources.js";
import {
  type CallerIdentity,
  callerIdentity,
  describeRegions,
  type RegionInfo,
} from "../gateways/caller-session.js";
import { loadPolicy } from "../gateways/policy-store.js";
import { s3ObjectReader } from "../gateways/s3-objects.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { Policy } from "../policy/schema.js";
import { createEnforcer, type Enforcer } from "./enforcer.js";

export interface CliEnforcerOptions {
  /** Where STS, SSM and S3 are called: the SDK's configured region, else the first of --regions. */
  readonly region: RegionName;
  readonly policySource: PolicySource;
  readonly memberRoleName: string;
  /** The caller's account, known from the credential check: reached without AssumeRole. */
  readonly homeAccountId: AccountId;
  /** --organization-id: refuse accounts that are not ACTIVE members of this organization. */
  readonly organizationId?: string | undefined;
  /** --allowed-destinations: the destination guard, as ALLOWED_DESTINATIONS is the deployment's. */
  readonly allowedDestinations?: readonly string[] | undefined;
}

/** One command, one policy: it is never re-read halfway through a long scan. */
const ONE_COMMAND_SECONDS = 24 * 60 * 60;

export function createCliEnforcer({ organizationId, ...options }: CliEnforcerOptions): Enforcer {
  return createEnforcer({
    ...options,
    policyCacheTtlSeconds: ONE_COMMAND_SECONDS,
    // The SDK's own resolution applies (AWS_MAX_ATTEMPTS, the profile's max_attempts).
    maxAttempts: undefined,
    // The caller picks the accounts and reaches them with their own credentials, unless asked to stay inside an
    // organization.
    accountBoundary:
      organizationId === undefined ? { kind: "any-account" } : { kind: "organization", organizationId },
    organizationCacheTtlSeconds: ONE_COMMAND_SECONDS,
  });
}

/** Reads and validates a policy; SSM and S3 clients are built only when the source needs them. */
export async function readCliPolicy(source: PolicySource, region?: string): Promise<Policy> {
  const config = region === undefined ? {} : { region };
  let ssm: SSMClient | undefined;
  let s3: S3Client | undefined;
  try {
    const { policy } = await loadPolicy(source, {
      ssm: () => (ssm ??= new SSMClient(config)),
      s3: async () => {
        s3 ??= new S3Client(config);
        return s3ObjectReader(s3);
      },
    });
    return policy;
  } finally {
    ssm?.destroy();
    s3?.destroy();
  }
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

/** Who the credentials belong to (the credential check every command that reaches AWS makes first). */
export async function identifyCaller(region: RegionName): Promise<CallerIdentity> {
  const sts = new STSClient({ region });
  try {
    return await callerIdentity(sts);
  } finally {
    sts.destroy();
  }
}

/** Every region EC2 lists in the caller's partition, enabled or not. */
export async function knownRegions(region: RegionName, partition: string): Promise<RegionInfo[]> {
  const ec2 = new EC2Client({ region });
  try {
    return await describeRegions(ec2, partition);
  } finally {
    ec2.destroy();
  }
}
