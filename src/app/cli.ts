// The CLI side of the wiring: the engine's ports for one command, from the options the command line gave (never
// from a forged environment), and the session checks (region, identity, region list) and policy reader the
// commands share. Every SDK client the CLI uses is built here.
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import {
  type AccountId,
  type AccountRegion,
  accountRegion,
  accountRegionKey,
  isAccountId,
  isRegionName,
  type RegionName,
} from "../domain/resources.js";
import { errorSummary } from "../errors.js";
import {
  type CallerIdentity,
  callerIdentity,
  describeRegions,
  type RegionInfo,
} from "../gateways/caller-session.js";
import {
  readBucket,
  readKey,
  readLogGroup,
  readOrganization,
  readRole,
  readStream,
} from "../gateways/destination-facts.js";
import { loadPolicy } from "../gateways/policy-store.js";
import { reportReader } from "../gateways/report-store.js";
import { s3ObjectReader } from "../gateways/s3-objects.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { Policy } from "../policy/schema.js";
import type { DoctorPorts } from "../use-cases/diagnose-destinations.js";
import type { FindingsPort } from "../use-cases/publish-outputs.js";
import { sdkClientConfig } from "./client-config.js";
import { createEnforcer, type Enforcer } from "./enforcer.js";

export interface CliEnforcerOptions {
  /** Where STS, SSM and S3 are called: the SDK's configured region, else the first of --regions. */
  readonly region: RegionName;
  readonly policySource: PolicySource;
  readonly memberRoleName: string;
  /** The caller's account, known from the credential check: reached without AssumeRole. */
  readonly homeAccountId: AccountId;
  /** `--findings`: keep each account-region's Security Hub findings in sync with the outcomes. */
  readonly securityHubFindings?: boolean;
  /** --organization-id: refuse accounts that are not ACTIVE members of this organization. */
  readonly organizationId?: string | undefined;
  /** --allowed-destinations: the destination guard, as ALLOWED_DESTINATIONS is the deployment's. */
  readonly allowedDestinations?: readonly string[] | undefined;
}

/** What `--findings` did, for the command's summary: the CLI's logs are silent, so failures are reported here. */
export interface FindingsTally {
  readonly imported: number;
  readonly resolved: number;
  readonly failures: ReadonlyArray<{ readonly accountRegion: string; readonly reason: string }>;
}

export interface CliEnforcer extends Enforcer {
  findingsTally(): FindingsTally;
}

/** One command, one policy: it is never re-read halfway through a long scan. */
const ONE_COMMAND_SECONDS = 24 * 60 * 60;

export function createCliEnforcer({ organizationId, ...options }: CliEnforcerOptions): CliEnforcer {
  const enforcer = createEnforcer({
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
  const tally: MutableTally = { imported: 0, resolved: 0, failures: [] };
  const findings = enforcer.outputs?.findings;
  return {
    ...enforcer,
    outputs: { ...enforcer.outputs, ...(findings ? { findings: tallied(findings, tally) } : {}) },
    findingsTally: () => ({ ...tally, failures: [...tally.failures] }),
  };
}

/** The findings port, counting what it imports and keeping each account-region's failure (then rethrowing it). */
interface MutableTally {
  imported: number;
  resolved: number;
  readonly failures: Array<{ accountRegion: string; reason: string }>;
}

function tallied(findings: FindingsPort, tally: MutableTally): FindingsPort {
  const recorded = async <T>(target: AccountRegion, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      tally.failures.push({ accountRegion: accountRegionKey(target), reason: errorSummary(error) });
      throw error;
    }
  };
  return {
    currentFindings: (target, ids) => recorded(target, () => findings.currentFindings(target, ids)),
    applyFindings: (target, plan) =>
      recorded(target, async () => {
        await findings.applyFindings(target, plan);
        tally.imported += plan.imports.length;
        tally.resolved += plan.resolve.length;
      }),
  };
}

/** The objects of a stored run (`flowlogs report --run`): its keys and their text, read with the caller's credentials. */
export async function readStoredRun(
  bucket: string,
  prefix: string,
  region: string | undefined,
): Promise<Array<{ key: string; text: string }>> {
  const s3 = new S3Client({ ...sdkClientConfig({ region }), followRegionRedirects: true });
  try {
    const reader = reportReader(s3, bucket);
    const keys = await reader.listKeys(prefix);
    const objects: Array<{ key: string; text: string }> = [];
    for (const key of keys) {
      const text = await reader.read(key);
      if (text !== undefined) objects.push({ key, text });
    }
    return objects;
  } finally {
    s3.destroy();
  }
}

/** Reads and validates a policy; SSM and S3 clients are built only when the source needs them. */
export async function readCliPolicy(source: PolicySource, region?: string): Promise<Policy> {
  const config = sdkClientConfig({ region });
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
  const probe = new STSClient(sdkClientConfig());
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
  const sts = new STSClient(sdkClientConfig({ region }));
  try {
    return await callerIdentity(sts);
  } finally {
    sts.destroy();
  }
}

/** Every region EC2 lists in the caller's partition, enabled or not. */
export async function knownRegions(region: RegionName, partition: string): Promise<RegionInfo[]> {
  const ec2 = new EC2Client(sdkClientConfig({ region }));
  try {
    return await describeRegions(ec2, partition);
  } finally {
    ec2.destroy();
  }
}

export interface DoctorPortsOptions {
  readonly enforcer: Enforcer;
  /** The caller's account and region: S3 buckets and KMS keys are read with the caller's own credentials. */
  readonly homeAccountId: AccountId;
  readonly homeRegion: RegionName;
  /** Whether the accounts came from --org: then the management account's coverage is checked too. */
  readonly organizationWide: boolean;
}

/**
 * `flowlogs doctor`'s read-only ports. Buckets and keys are read with the caller's credentials (run doctor where the
 * central bucket lives); roles, log groups and streams in the account their ARN names, through the member role
 * elsewhere than home, with the clients cached per account-region like the engine's.
 */
export function createDoctorPorts(options: DoctorPortsOptions): DoctorPorts {
  const { accounts } = options.enforcer;
  const home = (region: string) => accountRegion(options.homeAccountId, regionOr(region, options.homeRegion));
  const at = (arn: string): AccountRegion => {
    const [, , , region = "", account = ""] = arn.split(":");
    return accountRegion(
      isAccountId(account) ? account : options.homeAccountId,
      regionOr(region, options.homeRegion),
    );
  };
  let organization: Promise<{ id: string; managementAccountId: string } | undefined> | undefined;
  const readOrg = () => {
    organization ??= (async () => {
      const org = new OrganizationsClient(sdkClientConfig({ region: options.homeRegion }));
      try {
        return await readOrganization(org);
      } finally {
        org.destroy();
      }
    })();
    return organization;
  };
  return {
    bucket: async (name) =>
      readBucket(
        await accounts.clientFor(
          "s3",
          home(options.homeRegion),
          (config) => new S3Client({ ...config, followRegionRedirects: true }),
        ),
        name,
      ),
    key: async (keyId, region) => {
      const where = keyId.startsWith("arn:") ? at(keyId) : home(region);
      return readKey(await accounts.clientFor("kms", where, (config) => new KMSClient(config)), keyId);
    },
    role: async (roleArn) => {
      const where = accountRegion(at(roleArn).accountId, options.homeRegion);
      await accounts.verifyAccess(where);
      return readRole(
        await accounts.clientFor("iam", where, (config) => new IAMClient(config)),
        roleArn.split("/").pop() ?? "",
      );
    },
    logGroup: async (where, name) => {
      await accounts.verifyAccess(where);
      return readLogGroup(
        await accounts.clientFor("logs", where, (config) => new CloudWatchLogsClient(config)),
        name,
      );
    },
    stream: async (streamArn) => {
      const where = at(streamArn);
      await accounts.verifyAccess(where);
      return readStream(
        await accounts.clientFor("firehose", where, (config) => new FirehoseClient(config)),
        streamArn.split("/").pop() ?? "",
      );
    },
    organizationId: async () => (await readOrg())?.id,
    ...(options.organizationWide
      ? {
          managementAccount: async () => {
            const org = await readOrg();
            if (org === undefined || !isAccountId(org.managementAccountId)) return undefined;
            const where = accountRegion(org.managementAccountId, options.homeRegion);
            try {
              await accounts.verifyAccess(where);
              return { accountId: org.managementAccountId, reachable: { ok: true } as const };
            } catch (error) {
              return { accountId: org.managementAccountId, reachable: { unreadable: errorSummary(error) } };
            }
          },
        }
      : {}),
  };
}

function regionOr(region: string, fallback: RegionName): RegionName {
  return isRegionName(region) ? region : fallback;
}
