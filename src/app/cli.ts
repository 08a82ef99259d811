// The CLI side of the wiring: the engine's ports for one command, from the options the command line gave (never
// from a forged environment), and the session checks (region, identity, region list) and policy reader the
// commands share. Every SDK client the CLI uses is built here.
import { EC2Client } from "@aws-sdk/client-ec2";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import {
  type AccountId,
  type AccountRegion,
  accountRegionKey,
  type RegionName,
} from "../domain/resources.js";
import { errorSummary } from "../errors.js";
import {
  type CallerIdentity,
  callerIdentity,
  describeRegions,
  type RegionInfo,
} from "../gateways/caller-session.js";
import { loadPolicy } from "../gateways/policy-store.js";
import { reportReader } from "../gateways/report-store.js";
import { s3ObjectReader } from "../gateways/s3-objects.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { Policy } from "../policy/schema.js";
import type { FindingsPort } from "../use-cases/publish-outputs.js";
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

export function createCliEnforcer(options: CliEnforcerOptions): CliEnforcer {
  const enforcer = createEnforcer({
    ...options,
    policyCacheTtlSeconds: ONE_COMMAND_SECONDS,
    // The SDK's own resolution applies (AWS_MAX_ATTEMPTS, the profile's max_attempts).
    maxAttempts: undefined,
    organizationCheck: false,
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
  const s3 = new S3Client({ ...(region === undefined ? {} : { region }), followRegionRedirects: true });
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
  const config = region === undefined ? {} : { region };
  let ssm: SSMClient | undefined;
  let s3: S3Client | undefined;
  try {
    return await loadPolicy(source, {
      ssm: () => (ssm ??= new SSMClient(config)),
      s3: async () => {
        s3 ??= new S3Client(config);
        return s3ObjectReader(s3);
      },
    });
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
